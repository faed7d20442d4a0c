"""Duplicate detection for ``unique``: every row of a duplicated key is flagged.

Fast paths, fastest first:

- integers with a dense range (ids): a counting table, ``bincount`` plus one gather;
- categoricals: the same on the codes;
- other numbers (floats, sparse ints, datetimes): one ``np.sort`` to find the duplicated
  values, then membership of each row (a sort is ~10x quicker than pandas' hash table on
  10M rows here);
- anything else: pandas ``duplicated(keep=False)``.

Null keys are never duplicates for a single column; for compound keys a row is ignored
only when every key value is null (Great Expectations' default).
"""

from __future__ import annotations

import numpy as np
from pandas.api import types as pdt

from console.quality.check import Check, EvalContext, RowOutcome
from console.quality.frameview import (
    FrameView,
    category_mask,
    count,
    is_categorical,
    is_masked_numeric,
    owned,
)

# A counting table may be this many times larger than the column (plus a fixed allowance).
_DENSE_FACTOR = 4
_DENSE_SLACK = 1 << 20


def _offsets(values: np.ndarray, rows: int) -> tuple[np.ndarray, int] | None:
    """``values - min`` as intp and the span, when the range is small enough to count."""
    if values.size == 0:
        return np.zeros(0, dtype=np.intp), 1
    lo, hi = int(values.min()), int(values.max())
    span = hi - lo + 1
    if span > _DENSE_FACTOR * rows + _DENSE_SLACK:
        return None
    if values.dtype.kind == "u":
        return (values - np.uint64(lo)).astype(np.intp), span
    if values.dtype.itemsize < 8:
        values = values.astype(np.int64)
    return values - lo, span


def _dup_by_counting(offsets: np.ndarray, span: int) -> np.ndarray:
    counts = np.bincount(offsets, minlength=span)
    dup = counts > 1
    if not dup.any():
        return np.zeros(offsets.size, dtype=bool)
    return np.take(dup, offsets)


def _dup_by_sorting(values: np.ndarray) -> np.ndarray:
    ordered = np.sort(values)
    repeated = ordered[1:][ordered[1:] == ordered[:-1]]
    if repeated.size == 0:
        return np.zeros(values.size, dtype=bool)
    return np.isin(values, np.unique(repeated))


def duplicated_numbers(values: np.ndarray) -> np.ndarray:
    """Mask of every element whose value occurs more than once (no nulls in ``values``)."""
    if values.dtype.kind in "iub":
        dense = _offsets(values if values.dtype.kind != "b" else values.view(np.uint8), values.size)
        if dense is not None:
            return _dup_by_counting(*dense)
    if values.dtype.kind in "mM":
        values = values.view(np.int64)
    return _dup_by_sorting(values)


def _single(view: FrameView, column: str) -> np.ndarray:
    s = view.series(column)
    nulls = view.nulls(column)
    if is_categorical(s):
        codes = s.cat.codes.to_numpy()
        counts = np.bincount(codes[codes >= 0], minlength=len(s.cat.categories))
        return category_mask(s, counts > 1)
    dtype = s.dtype
    values: np.ndarray | None = None
    if isinstance(dtype, np.dtype) and dtype.kind in "iufbmM":
        values = s.to_numpy()
    elif is_masked_numeric(dtype) and not pdt.is_bool_dtype(dtype):
        values = view.numeric(column).values
    if values is None:
        mask = owned(s.duplicated(keep=False).to_numpy())
        if nulls is not None:
            mask &= ~nulls
        return mask
    if nulls is None or not nulls.any():
        return duplicated_numbers(values)
    keep = ~nulls
    mask = np.zeros(values.size, dtype=bool)
    mask[keep] = duplicated_numbers(values[keep])
    return mask


def _compound_dense(view: FrameView, columns: tuple[str, ...]) -> np.ndarray | None:
    """Combine plain integer key columns into one dense integer key, if it stays small."""
    key: np.ndarray | None = None
    total_span = 1
    for column in columns:
        s = view.series(column)
        if not (isinstance(s.dtype, np.dtype) and s.dtype.kind in "iu"):
            return None
        dense = _offsets(s.to_numpy(), view.n)
        if dense is None:
            return None
        offsets, span = dense
        total_span *= span
        if total_span > _DENSE_FACTOR * view.n + _DENSE_SLACK:
            return None
        key = offsets if key is None else key * span + offsets
    assert key is not None
    return _dup_by_counting(key, total_span)


def eval_unique(view: FrameView, check: Check, ctx: EvalContext) -> RowOutcome:
    """Flag every row whose key occurs more than once."""
    columns = check.columns
    if len(columns) == 1:
        mask = _single(view, columns[0])
        return RowOutcome(mask, view.non_null_count(columns[0]))
    all_null: np.ndarray | None = None
    for column in columns:
        nulls = view.nulls(column)
        if nulls is None:
            all_null = None
            break
        all_null = nulls.copy() if all_null is None else all_null & nulls
    dense = _compound_dense(view, columns)
    mask = owned(view.df.duplicated(subset=list(columns), keep=False).to_numpy()) if dense is None else dense
    if all_null is not None:
        mask &= ~all_null
    return RowOutcome(mask, view.n - count(all_null))
