"""`models export --format mlflow` loads in MLflow with identical predictions; `models import` pins pickles."""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    # mlflow's own import warns about its type hints; that is not ours to fix
    warnings.simplefilter("ignore")
    pytest.importorskip("mlflow")
    import mlflow.pyfunc
    import mlflow.sklearn
    from mlflow.models import infer_signature


@pytest.fixture(autouse=True)
def _allow_pickle(monkeypatch: pytest.MonkeyPatch) -> None:
    # MLflow 3 refuses to unpickle unless told the source is trusted (it is: we wrote it); 3.18
    # renamed the variable and warns on the old name
    import mlflow.environment_variables as names

    new = hasattr(names, "MLFLOW_ALLOW_MODEL_CODE_EXECUTION")
    monkeypatch.setenv("MLFLOW_ALLOW_MODEL_CODE_EXECUTION" if new else "MLFLOW_ALLOW_PICKLE_DESERIALIZATION", "true")


def _load_ours(project: Any, version: int = 1) -> Any:
    from console.registry import load
    from console.store.state import Store

    store = Store(project.root / ".opsconsole")
    try:
        return load(store, "iris", version=version)
    finally:
        store.close()


def test_export_loads_in_mlflow_with_identical_predictions(trained: Any, iris_frame: Any, tmp_path: Path) -> None:
    out = tmp_path / "iris-mlflow"
    result = trained.cli_json("models", "export", "iris@production", "--format", "mlflow", str(out))
    assert result["name"] == "iris" and result["version"] == 1 and result["path"] == str(out)
    assert {p.name for p in out.iterdir()} >= {"MLmodel", "model.pkl", "requirements.txt", "python_env.yaml",
                                                 "conda.yaml"}
    served = mlflow.pyfunc.load_model(str(out))
    X, _ = iris_frame
    ours = _load_ours(trained)
    assert list(served.predict(X)) == list(ours.predict(X))
    schema = served.metadata.get_input_schema()
    assert schema.input_names() == ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    native = mlflow.sklearn.load_model(str(out))
    assert list(native.predict_proba(X).round(12).ravel()) == list(ours.predict_proba(X).round(12).ravel())


def test_export_by_version_and_refusals(trained: Any, tmp_path: Path) -> None:
    out = tmp_path / "v1"
    trained.cli("models", "export", "iris:1", "--format", "mlflow", str(out), check=0)
    assert "ops_console" in (out / "MLmodel").read_text()
    again = trained.cli("models", "export", "iris:1", "--format", "mlflow", str(out), check=2)
    assert "not an empty directory" in again.stderr and again.stderr.count("\n") == 1
    missing = trained.cli("models", "export", "nosuch", "--format", "mlflow", str(tmp_path / "x"), check=2)
    assert "nosuch" in missing.stderr
    bad_version = trained.cli("models", "export", "iris:7", "--format", "mlflow", str(tmp_path / "y"), check=2)
    assert "7" in bad_version.stderr
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()


def _mlflow_model(tmp_path: Path, iris_frame: Any, c: float = 1.0, fmt: str = "cloudpickle") -> tuple[Path, Any]:
    from sklearn.linear_model import LogisticRegression

    X, y = iris_frame
    clf = LogisticRegression(C=c, max_iter=500).fit(X, y)
    path = tmp_path / f"mlflow-model-{c}-{fmt}"
    mlflow.sklearn.save_model(clf, str(path), serialization_format=fmt, signature=infer_signature(X, clf.predict(X)))
    return path, clf


def test_import_requires_a_pin_or_trust_and_checks_the_pin(trained: Any, iris_frame: Any, tmp_path: Path) -> None:
    path, clf = _mlflow_model(tmp_path, iris_frame)
    refused = trained.cli("models", "import", str(path), "--name", "imported", check=2)
    assert "pickle runs code" in refused.stderr and "--sha256 " in refused.stderr
    digest = refused.stderr.split("--sha256 ")[1].split()[0]
    wrong = trained.cli("models", "import", str(path), "--name", "imported", "--sha256", "0" * 64, check=2)
    assert "not the pinned" in wrong.stderr
    assert trained.cli_json("models")[0]["name"] == "iris"  # nothing registered by the refusals
    done = trained.cli_json("models", "import", str(path), "--name", "imported", "--sha256", digest)
    assert done["version"] == 1 and done["tags"]["source"] == "mlflow"
    assert [c["name"] for c in done["signature"]] == ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    from console.registry import load
    from console.store.state import Store

    store = Store(trained.root / ".opsconsole")
    try:
        X, _ = iris_frame
        assert list(load(store, "imported", version=1).predict(X)) == list(clf.predict(X))
    finally:
        store.close()


def test_import_goes_through_the_gate(trained: Any, iris_frame: Any, tmp_path: Path) -> None:
    X, y = iris_frame
    holdout = tmp_path / "holdout.csv"
    X.assign(species=y).to_csv(holdout, index=False)
    weak, _ = _mlflow_model(tmp_path, iris_frame, c=0.0005, fmt="pickle")
    kept = trained.cli("models", "import", str(weak), "--name", "iris", "--trust", "--gate", "accuracy",
                       "--holdout", str(holdout), "--label", "species", "--json", check=1)
    decision = json.loads(kept.stdout)["gate"]
    assert decision["promoted"] is False and decision["champion"] == 1 and decision["challenger"] == 2
    strong, _ = _mlflow_model(tmp_path, iris_frame, c=100.0, fmt="pickle")
    won = trained.cli_json("models", "import", str(strong), "--name", "iris", "--trust", "--gate", "accuracy",
                           "--holdout", str(holdout), "--label", "species")
    assert won["gate"]["promoted"] is True and "production" in won["aliases"]
    history = trained.cli_json("history", "iris")
    assert history[-1]["to_version"] == 3


def test_import_refuses_what_is_not_an_mlflow_sklearn_model(trained: Any, iris_frame: Any, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "no MLmodel" in trained.cli("models", "import", str(empty), "--name", "x", "--trust", check=2).stderr
    path, _ = _mlflow_model(tmp_path, iris_frame)
    text = (path / "MLmodel").read_text()
    (path / "MLmodel").write_text(text.replace("pickled_model: model.pkl", "pickled_model: ../../etc/passwd"))
    outside = trained.cli("models", "import", str(path), "--name", "x", "--trust", check=2)
    assert "not a file inside" in outside.stderr
    (path / "MLmodel").write_text("flavors:\n  python_function: {}\n")
    assert "not an MLflow sklearn model" in trained.cli("models", "import", str(path), "--name", "x", "--trust",
                                                        check=2).stderr
    (path / "MLmodel").write_text("flavors: [unclosed\n")
    assert "not readable YAML" in trained.cli("models", "import", str(path), "--name", "x", "--trust",
                                              check=2).stderr


def test_import_is_refused_read_only(trained: Any, iris_frame: Any, tmp_path: Path) -> None:
    path, _ = _mlflow_model(tmp_path, iris_frame)
    proc = trained.cli("--read-only", "models", "import", str(path), "--name", "x", "--trust", check=2)
    assert "read-only" in proc.stderr


def test_paths_with_markup_print_literally(trained: Any, tmp_path: Path) -> None:
    out = tmp_path / "[bold]odd[/]"
    proc = trained.cli("models", "export", "iris", "--format", "mlflow", str(out), check=0)
    assert "[bold]odd[/]" in proc.stdout
    assert os.path.isfile(out / "MLmodel")
