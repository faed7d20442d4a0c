"""Scoring a model on newly labelled data: the metrics a monitor appends to its series.

Classifiers get ``accuracy``, ``precision`` and ``recall`` (as ``registry.classification``
defines them: binary, of the positive class, the last of ``classes_``; multiclass, macro
averages) and, for binary ones with
``predict_proba`` and both classes present, ``auc``. Regressors get ``mae``, ``rmse`` and
``r2``. A model that cannot score the frame (missing columns, bad values) yields no
scores and the reason in the evidence; it never fails the evaluation.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from console.errors import NotFoundError
from console.registry.classification import classes_of, label_metrics, positive_class

if TYPE_CHECKING:
    from console.store.state import Store


def feature_frame(frame: Any, features: list[str] | None, label: str) -> Any:
    """The model's input columns of ``frame``, in the model's order."""
    if features:
        missing = [c for c in features if c not in frame.columns]
        if missing:
            raise KeyError(f"the current data lacks the model's input column(s) {', '.join(missing)}")
        return frame[features]
    return frame.drop(columns=[label])


def score(
    model: Any, frame: Any, *, label: str, features: list[str] | None = None
) -> tuple[dict[str, float], dict[str, Any]]:
    """``(scores, evidence)`` of ``model`` on the rows of ``frame`` that have a label."""
    from sklearn.base import is_classifier, is_regressor

    labelled = frame[frame[label].notna()]
    evidence: dict[str, Any] = {"label": label, "n_labelled": len(labelled)}
    if len(labelled) == 0:
        evidence["skipped"] = "no labelled rows"
        return {}, evidence
    try:
        x = feature_frame(labelled, features, label)
        y = labelled[label].to_numpy()
        if is_classifier(model):
            scores = _classification(model, x, y, evidence)
        elif is_regressor(model) or hasattr(model, "predict"):
            scores = _regression(model, x, y)
        else:
            evidence["skipped"] = f"{type(model).__name__} has no predict()"
            return {}, evidence
    except Exception as exc:  # noqa: BLE001 - scoring problems are evidence, not a crash
        evidence["error"] = f"{type(exc).__name__}: {exc}"
        return {}, evidence
    clean = {k: float(v) for k, v in scores.items() if v is not None and math.isfinite(float(v))}
    return clean, evidence


def _classification(model: Any, x: Any, y: Any, evidence: dict[str, Any]) -> dict[str, float]:
    import numpy as np
    from sklearn.metrics import accuracy_score, roc_auc_score

    predicted = model.predict(x)
    classes = classes_of(model, y, predicted)
    labels = label_metrics(y, predicted, classes)
    out = {"accuracy": accuracy_score(y, predicted), "precision": labels["precision"], "recall": labels["recall"]}
    positive = positive_class(classes)
    if positive is not None:
        evidence["positive_class"] = positive.item() if hasattr(positive, "item") else positive
        evidence["positive_rate"] = float(np.mean(y == positive))
        evidence["predicted_positive_rate"] = float(np.mean(predicted == positive))
        present = set(np.unique(y).tolist())
        if hasattr(model, "predict_proba") and len(present) == 2:
            proba = model.predict_proba(x)[:, classes.index(positive)]
            out["auc"] = roc_auc_score(y == positive, proba)
        elif len(present) < 2:
            evidence["auc_skipped"] = "only one class among the labelled rows"
    return out


def _regression(model: Any, x: Any, y: Any) -> dict[str, float]:
    import numpy as np
    from sklearn.metrics import mean_absolute_error, r2_score

    predicted = model.predict(x)
    out = {
        "mae": mean_absolute_error(y, predicted),
        "rmse": float(np.sqrt(np.mean((np.asarray(y, dtype=float) - predicted) ** 2))),
    }
    if len(y) >= 2:
        out["r2"] = r2_score(y, predicted)
    return out


@dataclass
class ServedModel:
    """The version of a model an alias points at, loaded (hash verified) with its metadata."""

    name: str
    version: int
    model: Any
    run_id: int | None
    features: list[str] | None
    label: str | None
    record: Any = None  # the registry's ModelVersion


def served_model(store: Store, name: str, alias: str | None = "production") -> ServedModel:
    """Load the ``alias`` version of ``name`` (or the newest version when ``alias`` is None).

    The version is resolved first and then loaded by its recorded hash, so an alias that
    moves meanwhile cannot pair one version's metadata with another's model. The label
    column is the version's ``label`` or ``target`` tag.
    """
    from console.registry import api

    newest = store.db.query_one("SELECT max(version) AS v FROM model_versions WHERE name = ?", (name,))
    if newest is None or newest["v"] is None:
        raise NotFoundError(f"model {name!r} has no registered version yet")
    mv = (
        api.resolve(store.db, name, alias=alias)
        if alias
        else api.resolve(store.db, name, version=newest["v"])
    )
    model = api.load_version(store, mv)
    tags = mv.tags if isinstance(mv.tags, dict) else {}
    label = tags.get("label") or tags.get("target")
    return ServedModel(
        name=name,
        version=int(mv.version),
        model=model,
        run_id=mv.run_id,
        features=signature_columns(json.dumps(mv.signature) if mv.signature else None),
        label=str(label) if label else None,
        record=mv,
    )


def signature_columns(signature: str | None) -> list[str] | None:
    """Input column names of a stored signature (a list, or a dict keyed by column)."""
    if not signature:
        return None
    try:
        value = json.loads(signature)
    except ValueError:
        return None
    if isinstance(value, dict) and ("columns" in value or "inputs" in value):
        value = value.get("columns", value.get("inputs"))
    if isinstance(value, dict):
        return [str(k) for k in value]
    if isinstance(value, list):
        names = [item.get("name") if isinstance(item, dict) else item for item in value]
        if all(isinstance(n, str) for n in names):
            return [str(n) for n in names]
    return None
