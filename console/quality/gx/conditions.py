"""``row_condition`` (the pandas condition parser) and row filters around any check.

GX evaluates an expectation with a ``row_condition`` on ``df.query(condition)`` only. The
wrapper here does the same: it evaluates the inner check on the rows that satisfy the
condition (and, for ``ignore_row_if`` on compound keys, that have no missing key), then
maps the failing rows back to positions in the whole frame, so failing-row indexes are the
frame's own labels.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from console.errors import GXSuiteError
from console.quality.check import AggOutcome, Check, EvalContext, RowOutcome
from console.quality.frameview import ColumnError, FrameView
from console.quality.gx.simple_query import simple_mask

PARSERS = ("pandas",)
_WHOLE_FRAME = ("expression", "schema", "columns_match", "column_count", "column_exists")


_COMPARE = {"==": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}


def condition_mask(df: pd.DataFrame, condition: Any) -> np.ndarray:
    """Rows of ``df`` where the condition holds: a pandas ``query`` string, or GX's structured
    condition (``pass_through``, ``comparison``, ``nullity``, ``and``, ``or``)."""
    if isinstance(condition, dict):
        return _structured(df, condition)
    fast = simple_mask(df, condition)
    if fast is not None:
        return fast
    try:
        result = df.eval(condition, parser="pandas")
    except Exception as exc:  # any failure of the user's expression is reported, never raised
        raise ColumnError(f"row_condition {condition!r}: {type(exc).__name__}: {exc}") from None
    if not isinstance(result, pd.Series) or not pd.api.types.is_bool_dtype(result.dtype):
        raise ColumnError(f"row_condition {condition!r} is not a true/false condition on rows")
    return np.asarray(result.to_numpy(dtype=bool, na_value=False), dtype=bool)


def _structured(df: pd.DataFrame, c: dict[str, Any]) -> np.ndarray:
    kind = c.get("type")
    if kind == "pass_through":
        return condition_mask(df, c.get("pass_through_filter"))
    if kind in ("and", "or"):
        parts = [_structured(df, part) for part in c.get("conditions") or []]
        if not parts:
            raise ColumnError(f"row_condition {kind!r} has no conditions")
        return np.asarray((np.logical_and if kind == "and" else np.logical_or).reduce(parts), dtype=bool)
    name = (c.get("column") or {}).get("name")
    if name not in df.columns:
        raise ColumnError(f"row_condition: column {name!r} not in frame")
    s = df[name]
    if kind == "nullity":
        return np.asarray((s.isna() if c.get("is_null") else s.notna()).to_numpy(), dtype=bool)
    op, value = c.get("operator"), c.get("parameter")
    if kind == "comparison" and op in _COMPARE:
        result = getattr(s, _COMPARE[op])(value)
    elif kind == "comparison" and op in ("IN", "NOT_IN"):
        found = s.isin(list(value or []))
        result = found if op == "IN" else ~found
    else:
        raise ColumnError(f"row_condition: unknown condition {c!r}")
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
    frame = view.df
    if inner.columns and inner.kind not in _WHOLE_FRAME and frame.columns.is_unique:
        frame = frame[[c for c in inner.columns if c in frame.columns]]  # copy only what the check reads
    sub = FrameView(frame.iloc[positions])
    outcome = inner.evaluator(sub, inner, ctx)
    if isinstance(outcome, AggOutcome):
        return outcome
    mask = np.zeros(view.n, dtype=bool)
    mask[positions] = outcome.mask
    details = dict(outcome.details)
    details["rows_kept"] = int(positions.size)
    if condition:
        details["row_condition"] = (
            condition if isinstance(condition, str) else json.dumps(condition, default=str)
        )
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
    if isinstance(row_condition, dict):
        if row_condition.get("type") not in ("pass_through", "comparison", "nullity", "and", "or"):
            raise GXSuiteError(f"{where}: unknown row_condition type {row_condition.get('type')!r}")
        if row_condition.get("type") == "pass_through" and condition_parser not in PARSERS:
            raise GXSuiteError(f"{where}: a pass_through row_condition needs condition_parser 'pandas'")
    elif row_condition is not None:
        if not isinstance(row_condition, str) or not row_condition.strip():
            raise GXSuiteError(f"{where}: row_condition must be a non-empty string")
        if condition_parser not in PARSERS:
            raise GXSuiteError(
                f"{where}: condition_parser must be 'pandas' for a row_condition on a DataFrame, not {condition_parser!r}"
            )
    params = {"inner": check, "row_condition": row_condition, "drop_missing": drop_missing}
    return replace(check, evaluator=eval_filtered, params=params)
