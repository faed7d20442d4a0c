"""A small project with a trained, registered model ``m`` and a monitor ``m`` watching it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

TRAIN = """
from console import Context, Pipeline
from console.monitor import Monitor, Rule, retrain
from console.registry import Better

p = Pipeline("train", params={"seed": 0}, promote_if=Better("accuracy"))


@p.task
def data(seed):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    a = rng.normal(size=600)
    b = rng.normal(size=600)
    kind = rng.choice(["x", "y"], 600)
    return pd.DataFrame({"a": a, "b": b, "kind": kind, "y": (a + b > 0).astype(int)})


@p.task
def model(data, ctx: Context):
    from sklearn.linear_model import LogisticRegression

    x = data[["a", "b"]]
    clf = LogisticRegression().fit(x, data["y"])
    acc = float(clf.score(x, data["y"]))
    ctx.log_metric("accuracy", acc)
    return ctx.register_model("m", clf, metrics={"accuracy": acc}, data=x, tags={"label": "y"}).version


m = Monitor(
    "m",
    model="m",
    reference="train.data",
    current="incoming/*.csv",
    every="1h",
    rules=[Rule("psi", ">", 0.2), "accuracy < 0.8"],
    on_alert=retrain("train"),
    COOLDOWN
)
"""


def write_project(root: Path, cooldown: str | None = None) -> None:
    (root / "pipelines").mkdir(parents=True, exist_ok=True)
    (root / "incoming").mkdir(exist_ok=True)
    extra = f"cooldown={cooldown!r}," if cooldown else ""
    (root / "pipelines" / "train.py").write_text(TRAIN.replace("COOLDOWN", extra))


def batch(
    root: Path, name: str, *, shift: float = 0.0, flip: bool = False, n: int = 400, seed: int = 1
) -> Path:
    """A current batch in incoming/: ``shift`` moves ``a``; ``flip`` makes the labels wrong."""
    rng = np.random.default_rng(seed)
    a = rng.normal(shift, size=n)
    b = rng.normal(size=n)
    y = (a + b > 0).astype(int)
    if flip:
        y = 1 - y
    path = root / "incoming" / name
    pd.DataFrame({"a": a, "b": b, "kind": rng.choice(["x", "y"], n), "y": y}).to_csv(path, index=False)
    return path
