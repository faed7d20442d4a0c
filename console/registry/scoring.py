"""Scoring a model on a holdout by metric name (sklearn.metrics, imported when first used)."""

from __future__ import annotations

import math
from typing import Any

from console.errors import BadParamError
from console.registry.classification import LABEL_METRICS, classes_of, label_metrics

# Metrics where smaller is better; every other name is "higher is better".
LOWER_IS_BETTER = frozenset(
    {
        "mse",
        "rmse",
        "mae",
        "log_loss",
        "logloss",
        "brier",
        "mean_squared_error",
        "mean_absolute_error",
        "mape",
    }
)
PROBA_METRICS = frozenset({"roc_auc", "auc", "log_loss", "logloss", "brier", "average_precision", "pr_auc"})
KNOWN = frozenset(
    {"accuracy", "balanced_accuracy", "f1", "precision", "recall", "r2", "explained_variance", "mape"}
    | LOWER_IS_BETTER
    | PROBA_METRICS
)


def lower_is_better(metric: str) -> bool:
    return metric.lower() in LOWER_IS_BETTER


def score(model: Any, metric: str, holdout: tuple[Any, Any]) -> float:
    """``metric`` of ``model`` on ``holdout = (X, y)``."""
    import numpy as np
    from sklearn import metrics as skm

    name = metric.lower()
    if name not in KNOWN:
        raise BadParamError(
            f"gate metric {metric!r} is not one the registry can compute; one of {sorted(KNOWN)}"
        )
    try:
        X, y = holdout
    except (TypeError, ValueError):
        raise BadParamError("holdout must be a pair (X, y)") from None
    y_true = np.asarray(y)
    if name in PROBA_METRICS:
        scores = _positive_scores(model, X, name)
        labels = getattr(model, "classes_", None)
        if name in ("roc_auc", "auc"):
            if scores.ndim == 2:
                return float(skm.roc_auc_score(y_true, scores, multi_class="ovr", labels=labels))
            return float(skm.roc_auc_score(y_true, scores))
        if name in ("average_precision", "pr_auc"):
            return float(skm.average_precision_score(y_true, scores))
        if name == "brier":
            return float(skm.brier_score_loss(y_true, scores))
        proba = model.predict_proba(X)
        return float(skm.log_loss(y_true, proba, labels=labels))
    pred = model.predict(X)
    if name == "accuracy":
        return float(skm.accuracy_score(y_true, pred))
    if name == "balanced_accuracy":
        return float(skm.balanced_accuracy_score(y_true, pred))
    if name in LABEL_METRICS:
        return label_metrics(y_true, pred, classes_of(model, y_true, pred))[name]
    if name == "r2":
        return float(skm.r2_score(y_true, pred))
    if name == "explained_variance":
        return float(skm.explained_variance_score(y_true, pred))
    if name in ("mse", "mean_squared_error"):
        return float(skm.mean_squared_error(y_true, pred))
    if name == "rmse":
        return math.sqrt(float(skm.mean_squared_error(y_true, pred)))
    if name in ("mae", "mean_absolute_error"):
        return float(skm.mean_absolute_error(y_true, pred))
    return float(skm.mean_absolute_percentage_error(y_true, pred))  # mape


def _positive_scores(model: Any, X: Any, metric: str) -> Any:
    """Probability of the positive class (binary) or the whole matrix (multiclass)."""
    if hasattr(model, "predict_proba"):
        proba = model.predict_proba(X)
        return proba[:, 1] if proba.shape[1] == 2 else proba
    if hasattr(model, "decision_function") and metric in ("roc_auc", "auc", "average_precision", "pr_auc"):
        return model.decision_function(X)
    raise BadParamError(f"gate metric {metric!r} needs a model with predict_proba")
