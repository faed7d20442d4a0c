"""Lineage of a version: the sha256 of its training data, its input signature, its environment."""

from __future__ import annotations

import hashlib
import os
import platform
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from console.errors import BadParamError

CHUNK = 1 << 20


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def data_sha256(data: Any) -> str | None:
    """A frame or series: sha256 of ``hash_pandas_object`` values; a path: the file's sha256."""
    if data is None:
        return None
    if isinstance(data, str | os.PathLike):
        path = Path(data)
        try:
            return file_sha256(path)
        except OSError as exc:
            raise BadParamError(f"training data {path}: cannot read it ({exc.strerror or exc})") from exc
    if isinstance(data, tuple | list) and data and all(_is_pandas(d) or _is_array(d) for d in data):
        digest = hashlib.sha256()
        for part in data:
            sub = data_sha256(part)
            digest.update((sub or "").encode())
        return digest.hexdigest()
    if _is_pandas(data):
        import pandas as pd

        values = pd.util.hash_pandas_object(data, index=True).to_numpy()
        return hashlib.sha256(values.tobytes()).hexdigest()
    if _is_array(data):
        import numpy as np

        arr = np.ascontiguousarray(data)
        digest = hashlib.sha256(f"{arr.dtype.str}{arr.shape}".encode())
        digest.update(arr.tobytes() if arr.dtype != object else repr(arr.tolist()).encode())
        return digest.hexdigest()
    raise BadParamError(
        f"training data of type {type(data).__name__} cannot be hashed: pass a DataFrame, a Series, "
        "an array, (X, y) or a file path"
    )


def _is_pandas(obj: Any) -> bool:
    return type(obj).__module__.startswith("pandas") and hasattr(obj, "index")


def _is_array(obj: Any) -> bool:
    return type(obj).__module__ == "numpy" and hasattr(obj, "dtype")


def signature(model: Any, data: Any) -> list[dict[str, str]] | None:
    """Column names and dtypes of the model's input, taken from the training frame.

    When the estimator knows its input columns (``feature_names_in_``), only those are kept,
    in that order, so a frame that still holds the target gives the right signature.
    """
    if isinstance(data, tuple | list) and data:
        data = data[0]
    if not (_is_pandas(data) and hasattr(data, "columns")):
        return None
    names = [str(c) for c in data.columns]
    wanted = getattr(model, "feature_names_in_", None)
    if wanted is not None:
        present = set(names)
        cols = [str(c) for c in wanted if str(c) in present]
        if len(cols) == len(wanted):
            names = cols
    dtypes = {str(c): str(t) for c, t in data.dtypes.items()}
    return [{"name": n, "dtype": dtypes[n]} for n in names]


@lru_cache(maxsize=8)
def _dist_version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def environment() -> dict[str, str]:
    """Versions that decide whether a pickle loads and behaves the same elsewhere."""
    env = {"python": platform.python_version()}
    for key, dist in (
        ("sklearn", "scikit-learn"),
        ("joblib", "joblib"),
        ("numpy", "numpy"),
        ("pandas", "pandas"),
    ):
        version = _dist_version(dist)
        if version is not None:
            env[key] = version
    return env
