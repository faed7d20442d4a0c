"""One definition of precision/recall: a gate and a monitor agree on the same model and data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from console.monitor.scoring import score as monitor_score
from console.registry.classification import classes_of, label_metrics, positive_class
from console.registry.scoring import score as gate_score


@pytest.fixture
def fraud_model() -> tuple[LogisticRegression, pd.DataFrame]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 2))
    y = np.where(x[:, 0] + 0.5 * rng.normal(size=400) > 0.8, "fraud", "ok")  # string labels, rare positive
    frame = pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "label": y})
    return LogisticRegression().fit(frame[["a", "b"]], y), frame


def test_gate_and_monitor_report_the_same_precision_and_recall(fraud_model) -> None:
    model, frame = fraud_model
    scores, evidence = monitor_score(model, frame, label="label", features=["a", "b"])
    holdout = (frame[["a", "b"]], frame["label"])
    assert evidence["positive_class"] == "ok"  # the last of classes_ (sorted)
    for metric in ("precision", "recall"):
        assert gate_score(model, metric, holdout) == pytest.approx(scores[metric])


def test_the_positive_class_is_the_last_class_and_multiclass_is_macro() -> None:
    assert positive_class([0, 1]) == 1 and positive_class(["no", "yes"]) == "yes"
    assert positive_class([0, 1, 2]) is None
    y_true, y_pred = np.array([0, 1, 1, 0]), np.array([0, 1, 0, 0])
    binary = label_metrics(y_true, y_pred, classes_of(None, y_true, y_pred))
    assert binary["precision"] == 1.0 and binary["recall"] == 0.5
    y3, p3 = np.array([0, 1, 2, 2]), np.array([0, 2, 2, 2])
    macro = label_metrics(y3, p3, [0, 1, 2])
    assert macro["recall"] == pytest.approx((1 + 0 + 1) / 3)
