"""Evaluators of the single-column value checks: not_null, between, isin/not_in,
referential, regex (and named formats), str_length.

Each returns a :class:`RowOutcome` whose mask is True on failing rows. Value checks ignore
nulls (they are neither failing nor counted in ``total``); ``not_null`` is the null check.
Categorical columns are judged on their categories and mapped to rows through the codes.
String checks judge non-strings (numbers in an object column read from a messy CSV) on
their text form, so ``regex("zip", r"^\\d{5}$")`` works on a column read as integers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as pdt

from console.quality.check import Check, EvalContext, RowOutcome
from console.quality.frameview import (
    ColumnError,
    FrameView,
    category_mask,
    coerce_datetime,
    count,
    is_categorical,
    is_datetime_like,
    owned,
)


def eval_not_null(view: FrameView, check: Check, ctx: EvalContext) -> RowOutcome:
    """Rows with a null in the column (or, with no column, in any column)."""
    if check.columns:
        nulls = view.nulls(check.columns[0])
        mask = np.zeros(view.n, dtype=bool) if nulls is None else nulls.copy()
        return RowOutcome(mask, view.n)
    df = view.df
    if not df.columns.is_unique:
        per_column = df.isna()
        counts = {str(k): int(v) for k, v in per_column.sum().items() if v}
        return RowOutcome(owned(per_column.any(axis=1).to_numpy()), view.n, {"null_counts": counts})
    mask = np.zeros(view.n, dtype=bool)
    counts = {}
    for column in df.columns:
        nulls = view.nulls(column)
        if nulls is not None and (n := count(nulls)):
            counts[str(column)] = n
            mask |= nulls
    return RowOutcome(mask, view.n, {"null_counts": counts})


def is_number(value: Any) -> bool:
    """A real number that is not a bool."""
    return isinstance(value, int | float | np.number) and not isinstance(value, bool | np.bool_)


def is_temporal(value: Any) -> bool:
    """A date, datetime, Timestamp, timedelta or numpy datetime64/timedelta64."""
    return isinstance(value, dt.date | dt.timedelta | np.datetime64 | np.timedelta64)


def bounds_mask(values: Any, lo: Any, hi: Any, strict_lo: bool, strict_hi: bool) -> np.ndarray:
    """Values outside the bounds (nulls compare False, so they never fail)."""
    fail: Any = None
    if lo is not None:
        fail = values <= lo if strict_lo else values < lo
    if hi is not None:
        above = values >= hi if strict_hi else values > hi
        fail = above if fail is None else fail | above
    if isinstance(fail, pd.Series):
        return owned(fail.to_numpy(dtype=bool, na_value=False))
    return owned(fail)


def _temporal_bound(bound: Any, dtype: Any, column: str) -> Any:
    if bound is None:
        return None
    if pdt.is_timedelta64_dtype(dtype):
        return pd.Timedelta(bound)
    ts = pd.Timestamp(bound)
    tz = getattr(dtype, "tz", None)
    if tz is not None and ts.tzinfo is None:
        return ts.tz_localize(tz)  # a naive bound is read in the column's time zone
    if tz is None and ts.tzinfo is not None:
        raise ColumnError(f"column {column!r} has naive datetimes but the bound {bound!r} has a time zone")
    return ts


def between_mask(view: FrameView, column: str, params: dict[str, Any]) -> np.ndarray:
    """Failing rows of ``between`` on one column of ``view``."""
    s = view.series(column)
    lo, hi = params["min"], params["max"]
    strict_lo, strict_hi = params["strict_min"], params["strict_max"]
    if is_categorical(s):
        categories = FrameView(pd.DataFrame({"c": s.cat.categories}))
        return category_mask(s, between_mask(categories, "c", params))
    numeric_bounds = all(b is None or is_number(b) for b in (lo, hi))
    if is_datetime_like(s.dtype):
        if numeric_bounds:
            raise ColumnError(f"column {column!r} is {s.dtype}; give date/time bounds, not numbers")
        lo_t, hi_t = (_temporal_bound(b, s.dtype, column) for b in (lo, hi))
        return bounds_mask(s, lo_t, hi_t, strict_lo, strict_hi)
    if numeric_bounds:
        num = view.numeric(column)
        mask = bounds_mask(num.values, lo, hi, strict_lo, strict_hi)
        if num.values.dtype.kind != "f" and num.nulls is not None:
            mask &= ~num.nulls  # nullable ints/bools were filled with 0/False
        if num.bad is not None:
            mask |= num.bad
        return mask
    if any(is_temporal(b) for b in (lo, hi)):
        parsed, bad = coerce_datetime(s)
        lo_t, hi_t = (_temporal_bound(b, parsed.dtype, column) for b in (lo, hi))
        return np.asarray(bounds_mask(parsed, lo_t, hi_t, strict_lo, strict_hi) | bad, dtype=bool)
    text = s if isinstance(s.dtype, pd.StringDtype) else s.astype("str")
    return bounds_mask(text, lo, hi, strict_lo, strict_hi)


def eval_between(view: FrameView, check: Check, ctx: EvalContext) -> RowOutcome:
    """Non-null values outside [min, max]; unparseable values fail."""
    column = check.columns[0]
    mask = between_mask(view, column, dict(check.params))
    return RowOutcome(mask, view.non_null_count(column))


def membership(view: FrameView, column: str, values: Any, *, inside_fails: bool) -> np.ndarray:
    """Rows whose non-null value is outside ``values`` (or inside, for not_in)."""
    s = view.series(column)
    if is_categorical(s):
        per_category = np.asarray(s.cat.categories.isin(values), dtype=bool)
        return category_mask(s, per_category if inside_fails else ~per_category)
    found = s.isin(values)
    inside = owned(found.to_numpy(dtype=bool, na_value=False))
    mask = inside if inside_fails else ~inside
    nulls = view.nulls(column)
    if nulls is not None:
        mask &= ~nulls
    return mask


def eval_isin(view: FrameView, check: Check, ctx: EvalContext) -> RowOutcome:
    """Non-null values not in the allowed set."""
    column = check.columns[0]
    mask = membership(view, column, check.params["values"], inside_fails=False)
    return RowOutcome(mask, view.non_null_count(column))


def eval_not_in(view: FrameView, check: Check, ctx: EvalContext) -> RowOutcome:
    """Non-null values in the forbidden set."""
    column = check.columns[0]
    mask = membership(view, column, check.params["values"], inside_fails=True)
    return RowOutcome(mask, view.non_null_count(column))


def resolve_reference(reference: str, ctx: EvalContext) -> pd.Series:
    """``"task.column"`` -> that column of the upstream task's frame."""
    task, _, column = reference.partition(".")
    frames = ctx.frames or {}
    if task not in frames:
        known = ", ".join(sorted(map(str, frames))) or "none given"
        raise ColumnError(f"reference {reference!r}: no upstream frame {task!r} (frames: {known})")
    frame = frames[task]
    if isinstance(frame, pd.Series) and not column:
        return frame
    if not isinstance(frame, pd.DataFrame):
        raise ColumnError(f"reference {reference!r}: {task!r} is a {type(frame).__name__}, not a DataFrame")
    if column not in frame.columns:
        raise ColumnError(f"reference {reference!r}: column {column!r} not in frame {task!r}")
    return frame[column]


def eval_referential(view: FrameView, check: Check, ctx: EvalContext) -> RowOutcome:
    """Non-null values absent from the reference values (foreign-key check)."""
    column = check.columns[0]
    values = check.params["values"]
    details: dict[str, Any] = {}
    if isinstance(values, str):
        details["reference"] = values
        values = resolve_reference(values, ctx)
    reference = pd.Index(values)
    details["reference_size"] = len(reference)
    mask = membership(view, column, reference, inside_fails=False)
    return RowOutcome(mask, view.non_null_count(column), details)


def as_text(s: pd.Series) -> pd.Series:
    """The column as strings (nulls stay null) without converting columns that already are."""
    if isinstance(s.dtype, pd.StringDtype):
        return s
    if pdt.is_object_dtype(s.dtype) and pdt.infer_dtype(s, skipna=True) in ("string", "empty"):
        return s
    return s.astype("str")


def per_value(view: FrameView, column: str, judge: Any) -> np.ndarray:
    """Apply ``judge(text_series) -> failing mask`` to the column, or to its categories."""
    s = view.series(column)
    if is_categorical(s):
        categories = pd.Series(s.cat.categories)
        return category_mask(s, judge(as_text(categories)))
    mask: np.ndarray = judge(as_text(s))
    nulls = view.nulls(column)
    if nulls is not None:
        mask &= ~nulls
    return mask


def eval_regex(view: FrameView, check: Check, ctx: EvalContext) -> RowOutcome:
    """Non-null values in which the pattern is not found (``re.search`` semantics)."""
    column = check.columns[0]
    pattern, flags = check.params["pattern"], check.params["flags"]

    def judge(text: pd.Series) -> np.ndarray:
        found = text.str.contains(pattern, regex=True, flags=flags, na=False)
        return ~np.asarray(found.to_numpy(dtype=bool, na_value=False), dtype=bool)  # ~ makes a new array

    mask = per_value(view, column, judge)
    details = {"format": check.params["format"]} if check.params.get("format") else {}
    return RowOutcome(mask, view.non_null_count(column), details)


def eval_str_length(view: FrameView, check: Check, ctx: EvalContext) -> RowOutcome:
    """Non-null values whose length is outside [min, max]."""
    column = check.columns[0]
    lo, hi = check.params["min"], check.params["max"]
    strict_lo, strict_hi = check.params.get("strict_min", False), check.params.get("strict_max", False)

    def judge(text: pd.Series) -> np.ndarray:
        lengths = text.str.len().to_numpy(dtype="float64", na_value=np.nan)
        return bounds_mask(lengths, lo, hi, strict_lo, strict_hi)

    mask = per_value(view, column, judge)
    return RowOutcome(mask, view.non_null_count(column))
