"""One definition of the classification metrics the gate and the monitors both report.

A binary classifier's ``precision``, ``recall`` and ``f1`` are those of its *positive class*,
the last of its ``classes_`` (sklearn sorts them, so ``1`` over ``0``, ``True`` over
``False``, ``"yes"`` over ``"no"``); with more than two classes they are macro averages.
A model without ``classes_`` gets the sorted labels seen in the truth and its predictions.
``registry.scoring`` (a promotion gate's ``Better("precision")``) and ``monitor.scoring``
(a monitor's series) import this module, so "precision" means the same in both.
"""

from __future__ import annotations

from typing import Any

LABEL_METRICS = ("precision", "recall", "f1")


def classes_of(model: Any, y_true: Any, y_pred: Any) -> list[Any]:
    """The model's classes, or the sorted labels of the truth and the predictions."""
    import numpy as np

    classes = getattr(model, "classes_", None)
    if classes is None:
        classes = np.unique(np.concatenate([np.asarray(y_true), np.asarray(y_pred)]))
    return list(classes)


def positive_class(classes: list[Any]) -> Any | None:
    """The positive label of a binary problem (the last class); None for multiclass."""
    return classes[-1] if len(classes) == 2 else None


def label_metrics(y_true: Any, y_pred: Any, classes: list[Any]) -> dict[str, float]:
    """``precision``, ``recall`` and ``f1``: of the positive class (binary) or macro averages."""
    from sklearn.metrics import f1_score, precision_score, recall_score

    positive = positive_class(classes)
    how: dict[str, Any] = (
        {"average": "binary", "pos_label": positive} if positive is not None else {"average": "macro"}
    )
    return {
        "precision": float(precision_score(y_true, y_pred, zero_division=0, **how)),
        "recall": float(recall_score(y_true, y_pred, zero_division=0, **how)),
        "f1": float(f1_score(y_true, y_pred, zero_division=0, **how)),
    }
