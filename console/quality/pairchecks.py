"""Checks across two or more columns, row by row: ``pair_equal``, ``pair_in``,
``pair_greater``, ``row_sum`` and ``unique_within_row``.

Which rows are judged is ``ignore_row_if`` (Great Expectations' rule): for pairs
``"both_values_are_missing"`` (default), ``"either_value_is_missing"`` or ``"neither"``;
for several columns ``"all_values_are_missing"`` (default), ``"any_value_is_missing"`` or
``"never"``. A row that is judged with a missing value compares as unequal (so it fails a
pair check); ``total`` is the number of rows judged.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from console.errors import CheckDefinitionError
from console.quality.check import Check, EvalContext, RowOutcome, check_column, row_check
from console.quality.frameview import FrameView, owned

__all__ = ["pair_equal", "pair_greater", "pair_in", "row_sum", "unique_within_row"]

PAIR_RULES = ("both_values_are_missing", "either_value_is_missing", "neither")
MULTI_RULES = ("all_values_are_missing", "any_value_is_missing", "never")


def ignored_rows(view: FrameView, columns: tuple[str, ...], rule: str) -> np.ndarray:
    """Rows left out by ``ignore_row_if``."""
    if rule in ("neither", "never"):
        return np.zeros(view.n, dtype=bool)
    masks = []
    for column in columns:
        nulls = view.nulls(column)
        masks.append(np.zeros(view.n, dtype=bool) if nulls is None else nulls)
    if rule in ("both_values_are_missing", "all_values_are_missing"):
        return np.asarray(np.logical_and.reduce(masks), dtype=bool)
    return np.asarray(np.logical_or.reduce(masks), dtype=bool)


def _outcome(view: FrameView, check: Check, holds: np.ndarray) -> RowOutcome:
    ignored = ignored_rows(view, check.columns, check.params["ignore_row_if"])
    mask = ~holds & ~ignored
    return RowOutcome(mask, view.n - int(np.count_nonzero(ignored)))


def _bool(result: Any) -> np.ndarray:
    if isinstance(result, pd.Series):
        return owned(result.to_numpy(dtype=bool, na_value=False))
    return owned(result)


def _values(view: FrameView, column: str) -> pd.Series:
    s = view.series(column)
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.astype(s.cat.categories.dtype)
    return s


def eval_pair(view: FrameView, check: Check, ctx: EvalContext) -> RowOutcome:
    """Rows where the pair relation does not hold."""
    a, b = (_values(view, c) for c in check.columns)
    op = check.params["op"]
    if check.params.get("parse_dates"):
        a, b = (pd.to_datetime(x, errors="coerce", format="mixed") for x in (a, b))
    if op == "==":
        holds = _bool(a.eq(b))
    elif op == ">":
        holds = _bool(a.gt(b))
    elif op == ">=":
        holds = _bool(a.ge(b))
    else:  # "in": the (a, b) pair is one of the allowed pairs
        allowed = pd.MultiIndex.from_tuples([tuple(p) for p in check.params["pairs"]])
        holds = owned(pd.MultiIndex.from_arrays([a, b]).isin(allowed))
    return _outcome(view, check, holds)


def eval_row_sum(view: FrameView, check: Check, ctx: EvalContext) -> RowOutcome:
    """Rows whose values (nulls count as 0, like ``DataFrame.sum``) do not add up to the total."""
    total = np.zeros(view.n, dtype=np.float64)
    for column in check.columns:
        num = view.numeric(column)
        values = num.values.astype(np.float64, copy=False)
        if num.nulls is not None:
            values = np.where(num.nulls, 0.0, values)
        total += values
    return _outcome(view, check, total == check.params["total"])


def eval_unique_within_row(view: FrameView, check: Check, ctx: EvalContext) -> RowOutcome:
    """Rows where two of the columns hold the same value (two nulls count as the same)."""
    series = [_values(view, c) for c in check.columns]
    nulls = [np.asarray(s.isna().to_numpy(), dtype=bool) for s in series]
    repeated = np.zeros(view.n, dtype=bool)
    for i in range(len(series)):  # a loop over column pairs, never over rows
        for j in range(i + 1, len(series)):
            same = _bool(series[i].eq(series[j])) | (nulls[i] & nulls[j])
            repeated |= same
    return _outcome(view, check, ~repeated)


def _rule(kind: str, rule: Any, allowed: tuple[str, ...]) -> str:
    if rule not in allowed:
        raise CheckDefinitionError(f"{kind}: ignore_row_if must be one of {', '.join(allowed)}, not {rule!r}")
    return str(rule)


def _pair(
    kind: str,
    a: str,
    b: str,
    params: dict[str, Any],
    mostly: float,
    severity: str,
    on_fail: str,
    name: str | None,
) -> Check:
    cols = (check_column(kind, a), check_column(kind, b))
    params["ignore_row_if"] = _rule(kind, params["ignore_row_if"], PAIR_RULES)
    return row_check(
        kind, cols, f"{kind}({cols[0]}, {cols[1]})", eval_pair, params, mostly, severity, on_fail, name
    )


def pair_equal(
    a: str,
    b: str,
    ignore_row_if: str = "both_values_are_missing",
    mostly: float = 1.0,
    *,
    severity: str = "error",
    on_fail: str = "fail",
    name: str | None = None,
) -> Check:
    """Columns ``a`` and ``b`` hold equal values in each row."""
    params = {"op": "==", "ignore_row_if": ignore_row_if}
    return _pair("pair_equal", a, b, params, mostly, severity, on_fail, name)


def pair_greater(
    a: str,
    b: str,
    or_equal: bool = False,
    ignore_row_if: str = "both_values_are_missing",
    mostly: float = 1.0,
    *,
    parse_dates: bool = False,
    severity: str = "error",
    on_fail: str = "fail",
    name: str | None = None,
) -> Check:
    """``a > b`` in each row (``a >= b`` with ``or_equal``); ``parse_dates`` reads text as dates."""
    params = {
        "op": ">=" if or_equal else ">",
        "ignore_row_if": ignore_row_if,
        "parse_dates": bool(parse_dates),
    }
    return _pair("pair_greater", a, b, params, mostly, severity, on_fail, name)


def pair_in(
    a: str,
    b: str,
    pairs: Iterable[Iterable[Any]],
    ignore_row_if: str = "both_values_are_missing",
    mostly: float = 1.0,
    *,
    severity: str = "error",
    on_fail: str = "fail",
    name: str | None = None,
) -> Check:
    """Each row's ``(a, b)`` is one of the allowed pairs."""
    if isinstance(pairs, str) or not isinstance(pairs, Iterable):
        raise CheckDefinitionError("pair_in: pairs must be a list of (a, b) pairs")
    listed = [tuple(p) for p in pairs]
    if not listed or any(len(p) != 2 for p in listed):
        raise CheckDefinitionError("pair_in: give at least one pair, each of two values")
    params = {"op": "in", "pairs": listed, "ignore_row_if": ignore_row_if}
    return _pair("pair_in", a, b, params, mostly, severity, on_fail, name)


def _multi(kind: str, columns: Iterable[str]) -> tuple[str, ...]:
    if isinstance(columns, str) or not isinstance(columns, Iterable):
        raise CheckDefinitionError(f"{kind}: columns must be a list of column names")
    cols = tuple(check_column(kind, c) for c in columns)
    if len(cols) < 2 or len(set(cols)) != len(cols):
        raise CheckDefinitionError(f"{kind}: give two or more distinct columns, not {list(cols)}")
    return cols


def row_sum(
    columns: Iterable[str],
    total: float,
    ignore_row_if: str = "all_values_are_missing",
    mostly: float = 1.0,
    *,
    severity: str = "error",
    on_fail: str = "fail",
    name: str | None = None,
) -> Check:
    """The columns add up to ``total`` in each row (exact comparison; nulls add 0)."""
    cols = _multi("row_sum", columns)
    if isinstance(total, bool) or not isinstance(total, int | float):
        raise CheckDefinitionError(f"row_sum: total must be a number, not {total!r}")
    params = {"total": float(total), "ignore_row_if": _rule("row_sum", ignore_row_if, MULTI_RULES)}
    label = f"row_sum({', '.join(cols)})"
    return row_check("row_sum", cols, label, eval_row_sum, params, mostly, severity, on_fail, name)


def unique_within_row(
    columns: Iterable[str],
    ignore_row_if: str = "all_values_are_missing",
    mostly: float = 1.0,
    *,
    severity: str = "error",
    on_fail: str = "fail",
    name: str | None = None,
) -> Check:
    """No two of the columns hold the same value in a row."""
    cols = _multi("unique_within_row", columns)
    params = {"ignore_row_if": _rule("unique_within_row", ignore_row_if, MULTI_RULES)}
    label = f"unique_within_row({', '.join(cols)})"
    return row_check(
        "unique_within_row", cols, label, eval_unique_within_row, params, mostly, severity, on_fail, name
    )
