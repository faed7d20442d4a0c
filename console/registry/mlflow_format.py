"""MLflow model directories: export a registered version, import an MLflow sklearn model.

An export is what ``mlflow.sklearn.save_model(..., serialization_format="pickle")`` writes
(``MLmodel`` with the ``python_function`` and ``sklearn`` flavors, ``model.pkl``, the
signature, ``requirements.txt``, ``python_env.yaml``, ``conda.yaml``), written without
mlflow installed, so ``mlflow.pyfunc.load_model(DIR)`` serves it. The model object comes
from the verified loader, so only bytes whose sha256 matched ``state.db`` are re-pickled.

An import unpickles a file that came from elsewhere, and pickle runs code: it is refused
unless the caller pins the file's sha256 (``--sha256``) or says ``--trust``.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import platform
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from console.errors import BadParamError, IntegrityError

MODEL_FILE = "model.pkl"
FORMATS = ("pickle", "cloudpickle")
# MLflow's column types <-> pandas dtypes (mlflow.types.DataType)
_TO_MLFLOW = {
    "float64": "double", "float32": "float", "int64": "long", "int32": "integer", "int16": "integer",
    "int8": "integer", "uint8": "integer", "bool": "boolean", "object": "string", "string": "string",
    "str": "string", "category": "string",
}  # fmt: skip
_FROM_MLFLOW = {
    "double": "float64", "float": "float32", "long": "int64", "integer": "int32", "boolean": "bool",
    "string": "object", "datetime": "datetime64[ns]", "binary": "object",
}  # fmt: skip


def _version_of(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def mlflow_type(dtype: str) -> str:
    """The MLflow column type of a pandas dtype name (``datetime64[ns]`` -> ``datetime``)."""
    if dtype.startswith("datetime64"):
        return "datetime"
    return _TO_MLFLOW.get(dtype, "string" if dtype.startswith("str") else "double")


def _output_spec(model: Any) -> list[dict[str, Any]] | None:
    classes = getattr(model, "classes_", None)
    if classes is not None:
        kind = getattr(getattr(classes, "dtype", None), "kind", "O")
        out = {"i": "long", "u": "long", "b": "boolean", "f": "double"}.get(kind, "string")
        return [{"type": out, "required": True}]
    if hasattr(model, "predict"):
        return [{"type": "double", "required": True}]
    return None


def _yaml(obj: Any) -> str:
    import yaml

    return str(yaml.safe_dump(obj, default_flow_style=False, sort_keys=False))


def export(model: Any, mv: Any, target: str | Path) -> Path:
    """Write ``model`` (the verified object of version ``mv``) as an MLflow model directory."""
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BadParamError(f"{target}: exists and is not an empty directory; choose a new one")
    python = platform.python_version()
    sklearn = _version_of("scikit-learn")
    pip_reqs = ["mlflow"] + [
        f"{dist}=={ver}"
        for dist in ("scikit-learn", "numpy", "scipy", "pandas")
        if (ver := _version_of(dist)) is not None
    ]
    mlmodel: dict[str, Any] = {
        "flavors": {
            "python_function": {
                "env": {"conda": "conda.yaml", "virtualenv": "python_env.yaml"},
                "loader_module": "mlflow.sklearn",
                "model_path": MODEL_FILE,
                "predict_fn": "predict",
                "python_version": python,
            },
            "sklearn": {
                "code": None,
                "pickled_model": MODEL_FILE,
                "serialization_format": "pickle",
                "sklearn_version": sklearn,
            },
        },
        "metadata": {
            "ops_console": {
                "name": mv.name,
                "version": mv.version,
                "sha256": mv.sha256,
                "data_sha256": mv.data_sha256,
                "run_id": mv.run_id,
                "metrics": mv.metrics,
            }
        },
        "model_uuid": uuid.uuid4().hex,
        "utc_time_created": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"),
    }
    if mv.signature:
        inputs = [{"type": mlflow_type(c["dtype"]), "name": c["name"], "required": True} for c in mv.signature]
        outputs = _output_spec(model)
        mlmodel["signature"] = {
            "inputs": json.dumps(inputs),
            "outputs": json.dumps(outputs) if outputs is not None else None,
            "params": None,
        }
    files = {
        "MLmodel": _yaml(mlmodel),
        "requirements.txt": "\n".join(pip_reqs) + "\n",
        "python_env.yaml": _yaml(
            {
                "python": python,
                "build_dependencies": ["pip", "setuptools", "wheel"],
                "dependencies": ["-r requirements.txt"],
            }
        ),
        "conda.yaml": _yaml(
            {
                "channels": ["conda-forge"],
                "dependencies": [f"python={python}", "pip", {"pip": pip_reqs}],
                "name": "mlflow-env",
            }
        ),
    }
    parent = target.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{target.name}-"))
    try:
        with open(tmp / MODEL_FILE, "wb") as fh:
            pickle.dump(model, fh, protocol=pickle.DEFAULT_PROTOCOL)
        for name, text in files.items():
            (tmp / name).write_text(text, encoding="utf-8")
        if target.exists():
            target.rmdir()
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


@dataclass
class MlflowModel:
    """What an MLflow model directory says about its sklearn model, read without unpickling it."""

    directory: Path
    model_file: Path
    serialization: str
    sha256: str
    signature: list[dict[str, str]] | None
    model_uuid: str | None
    sklearn_version: str | None


def inspect(directory: str | Path) -> MlflowModel:
    """Read ``MLmodel`` and hash the pickled file; refuse what is not an MLflow sklearn model."""
    import yaml

    root = Path(directory)
    spec_path = root / "MLmodel"
    if not spec_path.is_file():
        raise BadParamError(f"{root}: no MLmodel file; not an MLflow model directory")
    try:
        spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise BadParamError(f"{spec_path}: not readable YAML ({str(exc).splitlines()[0]})") from None
    flavors = spec.get("flavors") if isinstance(spec, dict) else None
    if not isinstance(flavors, dict) or not isinstance(flavors.get("sklearn"), dict):
        have = ", ".join(sorted(flavors)) if isinstance(flavors, dict) else "none"
        raise BadParamError(f"{spec_path}: not an MLflow sklearn model (flavors: {have})")
    sk = flavors["sklearn"]
    fmt = str(sk.get("serialization_format") or "cloudpickle")
    if fmt not in FORMATS:
        raise BadParamError(f"{spec_path}: serialization_format {fmt!r} is not supported (pickle, cloudpickle)")
    rel = str(sk.get("pickled_model") or MODEL_FILE)
    model_file = (root / rel).resolve()
    if not model_file.is_relative_to(root.resolve()) or not model_file.is_file():
        raise BadParamError(f"{spec_path}: pickled_model {rel!r} is not a file inside {root}")
    digest = hashlib.sha256()
    with open(model_file, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return MlflowModel(
        directory=root,
        model_file=model_file,
        serialization=fmt,
        sha256=digest.hexdigest(),
        signature=_signature(spec, spec_path),
        model_uuid=spec.get("model_uuid"),
        sklearn_version=sk.get("sklearn_version"),
    )


def _signature(spec: dict[str, Any], where: Path) -> list[dict[str, str]] | None:
    sig = spec.get("signature")
    if not isinstance(sig, dict) or not sig.get("inputs"):
        return None
    try:
        inputs = json.loads(sig["inputs"])
    except (TypeError, json.JSONDecodeError):
        raise BadParamError(f"{where}: signature inputs are not JSON") from None
    if not isinstance(inputs, list) or not all(isinstance(c, dict) and "name" in c for c in inputs):
        return None  # a tensor signature has no column names to check
    return [{"name": str(c["name"]), "dtype": _FROM_MLFLOW.get(str(c.get("type")), "object")} for c in inputs]


def unpickle(found: MlflowModel, *, sha256: str | None, trust: bool) -> Any:
    """The model object, only when its file matches the pinned ``sha256`` or the caller trusts it."""
    if sha256 is None and not trust:
        raise BadParamError(
            f"{found.model_file}: refusing to unpickle a model from outside the store (pickle runs code); "
            f"check its source, then pass --sha256 {found.sha256} or --trust"
        )
    data = found.model_file.read_bytes()
    actual = hashlib.sha256(data).hexdigest()
    if sha256 is not None and actual != sha256.lower():
        raise IntegrityError(f"{found.model_file}: sha256 is {actual}, not the pinned {sha256}; refused")
    if found.serialization == "cloudpickle":
        try:
            import cloudpickle
        except ModuleNotFoundError:
            pass  # a plain object pickled by cloudpickle loads with pickle too
        else:
            return cloudpickle.loads(data)
    return pickle.loads(data)
