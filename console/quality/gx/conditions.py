"""``row_condition`` (the pandas condition parser) and row filters around any check.

GX evaluates an expectation with a ``row_condition`` on ``df.query(condition)`` only. The
wrapper here does the same: it evaluates the inner check on the rows that satisfy the
condition (and, for ``ignore_row_if`` on compound keys, that have no missing key), then
maps the failing rows back to positions in the whole frame, so failing-row indexes are the
frame's own labels.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from console.errors import GXSuiteError
from console.quality.check import AggOutcome, Check, EvalContext, RowOutcome
from console.quality.frameview import ColumnError, FrameView

PARSERS = ("pandas",)


def condition_mask(df: pd.DataFrame, condition: str) -> np.ndarray:
    """Rows of ``df`` where the pandas ``query`` condition holds."""
    try:
        result = df.eval(condition, parser="pandas")
    except Exception as exc:  # any failure of the user's expression is reported, never raised
        raise ColumnError(f"row_condition {condition!r}: {type(exc).__name__}: {exc}") from None
    if not isinstance(result, pd.Series) or not pd.api.types.is_bool_dtype(result.dtype):
        raise ColumnError(f"row_condition {condition!r} is not a true/false condition on rows")
    return np.asarray(result.to_numpy(dtype=bool, na_value=False), dtype=bool)


def eval_filtered(view: FrameView, check: Check, ctx: EvalContext) -> RowOutcome | AggOutcome:
    """Evaluate the inner check on the kept rows; failing rows mapped back to the frame."""
    inner: Check = check.params["inner"]
    keep = np.ones(view.n, dtype=bool)
    condition = check.params["row_condition"]
    if condition:
        keep &= condition_mask(view.df, condition)
    for column in check.params["drop_missing"]:
        nulls = view.nulls(column)
        if nulls is not None:
            keep &= ~nulls
    positions = np.flatnonzero(keep)
    sub = FrameView(view.df.iloc[positions])
    outcome = inner.evaluator(sub, inner, ctx)
    if isinstance(outcome, AggOutcome):
        return outcome
    mask = np.zeros(view.n, dtype=bool)
    mask[positions] = outcome.mask
    details = dict(outcome.details)
    details["rows_kept"] = int(positions.size)
    if condition:
        details["row_condition"] = condition
    return RowOutcome(mask, outcome.total, details, outcome.columns)


def filtered(
    check: Check,
    row_condition: str | None,
    condition_parser: str | None,
    drop_missing: tuple[str, ...],
    where: str,
) -> Check:
    """``check`` restricted to rows meeting ``row_condition`` and with no null in ``drop_missing``."""
    if row_condition is None and not drop_missing:
        return check
    if row_condition is not None:
        if not isinstance(row_condition, str) or not row_condition.strip():
            raise GXSuiteError(f"{where}: row_condition must be a non-empty string")
        if condition_parser not in PARSERS:
            raise GXSuiteError(
                f"{where}: condition_parser must be 'pandas' for a row_condition on a DataFrame, not {condition_parser!r}"
            )
    params = {"inner": check, "row_condition": row_condition, "drop_missing": drop_missing}
    return replace(check, evaluator=eval_filtered, params=params)
