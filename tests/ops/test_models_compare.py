"""``opsconsole models compare NAME V1 V2``: metrics, params, data sha256, signature, gate decisions."""

from __future__ import annotations

from typing import Any

TOY = """
from console import Pipeline
from console.registry import Better

p = Pipeline("toy", params={"good": 1, "drop": 0}, promote_if=Better("accuracy"))

@p.task
def fit(good, drop, ctx):
    from sklearn.datasets import load_iris
    from sklearn.dummy import DummyClassifier
    from sklearn.linear_model import LogisticRegression
    X, y = load_iris(return_X_y=True, as_frame=True)
    X.columns = ["sl", "sw", "pl", "pw"]
    if drop:
        X = X.drop(columns=["pw"])
    model = LogisticRegression(max_iter=500) if good else DummyClassifier(strategy="most_frequent")
    model.fit(X, y)
    ctx.register_model("toy", model, metrics={"accuracy": float(model.score(X, y))}, data=X,
                       params={"good": good}, holdout=(X, y))
"""


def test_models_compare_json_and_text(project: Any) -> None:
    project.write("toy.py", TOY)
    project.cli("run", "toy", check=0)
    project.cli("run", "toy", "--param", "good=0", "--param", "drop=1", check=1)  # gate refused
    d = project.cli_json("models", "compare", "toy", "1", "2")
    assert d["a"]["version"] == 1 and d["b"]["version"] == 2
    acc1, acc2 = d["metrics"]["accuracy"]
    assert acc1 > acc2
    assert d["params"]["good"] == [1, 0] and d["params_changed"] == ["good"]
    assert d["data"]["same"] is False
    assert d["signature"]["removed"] == ["pw"] and d["signature"]["changed"] is True
    assert d["a"]["gate"]["promoted"] is True and d["b"]["gate"]["promoted"] is False
    text = project.cli("models", "compare", "toy", "1", "2", check=0).stdout
    assert "training data: different" in text and "- pw" in text and "kept the champion" in text
    assert "no version 9" in project.cli("models", "compare", "toy", "1", "9", check=2).stderr
    assert "usage: opsconsole models compare" in project.cli("models", "compare", "toy", check=2).stderr
