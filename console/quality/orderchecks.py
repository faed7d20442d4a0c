"""Checks on the order and spread of one column: ``increasing``, ``decreasing`` and ``zscore``.

``increasing`` compares each non-null value with the previous non-null one (nulls are
skipped, not treated as breaks); the first value always passes. ``zscore`` flags values
whose z-score, against the column's own mean and sample standard deviation, reaches the
threshold. Numbers and datetimes; text fails with an error result.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from console.errors import CheckDefinitionError
from console.quality.check import Check, EvalContext, RowOutcome, check_column, row_check
from console.quality.frameview import ColumnError, FrameView, coerce_datetime, is_datetime_like

__all__ = ["decreasing", "increasing", "zscore"]


def ordered_values(view: FrameView, column: str, parse_dates: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """The non-null values as float64 or int64 (datetimes as nanoseconds) and their positions
    (None when every value is present)."""
    s = view.series(column)
    nulls = view.nulls(column)
    if parse_dates and not is_datetime_like(s.dtype):
        parsed, bad = coerce_datetime(s)
        if bad.any():
            raise ColumnError(f"column {column!r} holds values that are not dates")
        s, nulls = parsed, np.asarray(parsed.isna().to_numpy(), dtype=bool)
    if nulls is not None and not nulls.any():
        nulls = None
    keep = np.flatnonzero(~nulls) if nulls is not None else None
    if is_datetime_like(s.dtype):
        values = s.to_numpy()
        return np.asarray((values if keep is None else values[keep]).view(np.int64)), keep
    num = view.numeric(column)
    if num.bad is not None:
        raise ColumnError(f"column {column!r} holds values that are not numbers")
    return np.asarray(num.values if keep is None else num.values[keep]), keep


def eval_monotonic(view: FrameView, check: Check, ctx: EvalContext) -> RowOutcome:
    """Rows whose value breaks the order against the previous non-null value."""
    column = check.columns[0]
    values, keep = ordered_values(view, column, check.params["parse_dates"])
    step = np.diff(values) if values.dtype.kind != "b" else np.diff(values.astype(np.int8))
    if check.params["direction"] == "down":
        step = -step
    bad_step = step <= 0 if check.params["strictly"] else step < 0
    mask = np.zeros(view.n, dtype=bool)
    if keep is None:
        mask[1:] = bad_step
    else:
        mask[keep[1:]] = bad_step
    return RowOutcome(mask, int(values.size))


def eval_zscore(view: FrameView, check: Check, ctx: EvalContext) -> RowOutcome:
    """Rows whose z-score is at or over the threshold (NaN z-scores, from sd 0, fail too)."""
    column = check.columns[0]
    s = view.series(column)
    if is_datetime_like(s.dtype):
        raise ColumnError(f"zscore needs numbers; column {column!r} is {s.dtype}")
    num = view.numeric(column)
    if num.bad is not None:
        raise ColumnError(f"zscore needs numbers; column {column!r} holds text")
    nulls = num.nulls
    values = num.values.astype(np.float64, copy=False)
    kept = values if nulls is None else values[~nulls]
    if kept.size == 0:
        return RowOutcome(np.zeros(view.n, dtype=bool), 0)
    mean = kept.mean()
    sd = kept.std(ddof=1) if kept.size > 1 else np.nan
    threshold = check.params["threshold"]
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (values - mean) / sd
        under = np.abs(z) < abs(threshold) if check.params["double_sided"] else z < threshold
    mask = ~under
    if nulls is not None:
        mask &= ~nulls
    details = {"mean": float(mean), "std": None if np.isnan(sd) else float(sd)}
    return RowOutcome(mask, int(kept.size), details)


def _monotonic(
    kind: str,
    column: str,
    strictly: bool,
    parse_dates: bool,
    mostly: float,
    severity: str,
    on_fail: str,
    name: str | None,
) -> Check:
    column = check_column(kind, column)
    params = {
        "strictly": bool(strictly),
        "parse_dates": bool(parse_dates),
        "direction": "up" if kind == "increasing" else "down",
    }
    return row_check(
        kind, (column,), f"{kind}({column})", eval_monotonic, params, mostly, severity, on_fail, name
    )


def increasing(
    column: str,
    strictly: bool = False,
    mostly: float = 1.0,
    *,
    parse_dates: bool = False,
    severity: str = "error",
    on_fail: str = "fail",
    name: str | None = None,
) -> Check:
    """Each non-null value is >= the previous one (> with ``strictly``); ``parse_dates``
    reads text as dates first."""
    return _monotonic("increasing", column, strictly, parse_dates, mostly, severity, on_fail, name)


def decreasing(
    column: str,
    strictly: bool = False,
    mostly: float = 1.0,
    *,
    parse_dates: bool = False,
    severity: str = "error",
    on_fail: str = "fail",
    name: str | None = None,
) -> Check:
    """Each non-null value is <= the previous one (< with ``strictly``)."""
    return _monotonic("decreasing", column, strictly, parse_dates, mostly, severity, on_fail, name)


def zscore(
    column: str,
    threshold: float,
    double_sided: bool = True,
    mostly: float = 1.0,
    *,
    severity: str = "error",
    on_fail: str = "fail",
    name: str | None = None,
) -> Check:
    """Values' z-scores stay under ``threshold`` (in absolute value when ``double_sided``)."""
    column = check_column("zscore", column)
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or pd.isna(threshold):
        raise CheckDefinitionError(f"zscore: threshold must be a number, not {threshold!r}")
    params = {"threshold": float(threshold), "double_sided": bool(double_sided)}
    return row_check(
        "zscore", (column,), f"zscore({column})", eval_zscore, params, mostly, severity, on_fail, name
    )
