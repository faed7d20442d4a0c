"""Scoring a frame with a registered version: the signature check first, then predictions.

The check names every missing or mistyped column in one line, before the model sees the
data: a numeric column that holds text, a boolean column with other values, a date column
that does not parse. Columns are reordered to the signature's order (scikit-learn checks
feature names) and extra columns are left out of what the model sees.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from console.errors import DataError, SignatureError, UsageError

if TYPE_CHECKING:
    import pandas as pd

    from console.registry.records import ModelVersion


def _kind(dtype: str) -> str:
    d = dtype.lower()
    if d.startswith(("int", "uint", "float", "int64", "float64")) or d in ("number", "numeric"):
        return "numeric"
    if d.startswith("bool"):
        return "bool"
    if d.startswith("datetime") or d.startswith("<m8") or d.startswith("<M8"):
        return "datetime"
    if d == "category":
        return "category"
    return "text"  # object, str, string, string[python]...


def conform(frame: pd.DataFrame, mv: ModelVersion, where: str = "input") -> pd.DataFrame:
    """``frame`` restricted to ``mv``'s signature columns, in order, with compatible dtypes."""
    import pandas as pd

    if not mv.signature:
        return frame
    missing = [c["name"] for c in mv.signature if c["name"] not in frame.columns]
    mistyped: list[str] = []
    out: dict[str, Any] = {}
    for col in mv.signature:
        name, want = col["name"], col["dtype"]
        if name not in frame.columns:
            continue
        series = frame[name]
        kind = _kind(want)
        have = _kind(str(series.dtype))
        if kind == "numeric":
            if have == "bool":
                series = series.astype("int64")
            elif have != "numeric":
                bad = int((pd.to_numeric(series, errors="coerce").isna() & series.notna()).sum())
                if bad or have != "text":
                    mistyped.append(f"{name} (expected {want}, got {series.dtype}: {bad} non-numeric values)")
                    continue
                series = pd.to_numeric(series)
        elif kind == "bool" and have != "bool":
            values = set(series.dropna().unique().tolist())
            if not values <= {0, 1, "True", "False", "true", "false"}:
                mistyped.append(f"{name} (expected {want}, got {series.dtype})")
                continue
            series = series.map(
                {1: True, 0: False, "True": True, "False": False, "true": True, "false": False}
            )
        elif kind == "datetime" and have != "datetime":
            parsed = pd.to_datetime(series, errors="coerce")
            bad = int((parsed.isna() & series.notna()).sum())
            if bad:
                mistyped.append(f"{name} (expected {want}, got {series.dtype}: {bad} values are not dates)")
                continue
            series = parsed
        elif kind in ("text", "category") and have == "numeric":
            series = series.astype("str").where(series.notna())
        if kind == "category" and str(series.dtype) != "category":
            series = series.astype("category")
        out[name] = series
    if missing or mistyped:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        if mistyped:
            parts.append(f"mistyped column(s) {'; '.join(mistyped)}")
        raise SignatureError(
            f"{where} does not match the signature of model {mv.name!r} v{mv.version}: {'; '.join(parts)}"
        )
    return pd.DataFrame(out, index=frame.index)


def predict_frame(
    model: Any, features: pd.DataFrame, what: str = "the model", where: str = "input"
) -> pd.DataFrame:
    """Predictions (and the probability of the positive or predicted class when available).

    A model that cannot score the rows (NaNs it does not accept, unseen values it rejects)
    raises :class:`DataError` with the model's own reason on one line.
    """
    import numpy as np
    import pandas as pd

    if not callable(getattr(model, "predict", None)):
        raise UsageError(f"{what} has no predict(): it is a {type(model).__name__}, not an estimator")
    out = pd.DataFrame(index=features.index)
    try:
        predicted = np.asarray(model.predict(features))
        proba = np.asarray(model.predict_proba(features)) if hasattr(model, "predict_proba") else None
    except (ValueError, TypeError, KeyError) as exc:
        reason = " ".join(str(exc).split())[:300]
        raise DataError(f"{where}: {what} cannot score it: {reason}") from exc
    if predicted.ndim != 1:
        raise UsageError(f"{what} returns {predicted.ndim}-d predictions; predict handles one output per row")
    out["prediction"] = predicted
    if proba is not None:
        if proba.ndim == 2 and proba.shape[1] == 2:
            out["probability"] = proba[:, 1]
        elif proba.ndim == 2:
            out["probability"] = proba.max(axis=1)
    return out


def summary(preds: pd.DataFrame) -> dict[str, Any]:
    """Counts per predicted value (top 20) and the mean probability."""
    counts = preds["prediction"].value_counts().head(20)
    out: dict[str, Any] = {
        "rows": len(preds),
        "predictions": {str(k): int(v) for k, v in counts.items()},
    }
    if "probability" in preds:
        out["mean_probability"] = float(preds["probability"].mean()) if len(preds) else None
    return out
