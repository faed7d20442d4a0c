"""Evaluators relating several columns: ``compare(left, op, right)`` and ``expression(expr)``.

Rows where an operand is null are ignored, like every value check: ``compare("start", "<=",
"end")`` says nothing about a row without an end date, and ``expression("amount >= 0")``
says nothing about a row without an amount.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as pdt

from console.quality.check import Check, EvalContext, RowOutcome
from console.quality.frameview import ColumnError, FrameView, count, is_categorical, is_datetime_like, owned

OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}

_NAME = re.compile(r"`([^`]+)`|\b([A-Za-z_][A-Za-z0-9_]*)\b")


def _or_nulls(view: FrameView, columns: list[str]) -> np.ndarray | None:
    mask: np.ndarray | None = None
    for column in columns:
        nulls = view.nulls(column)
        if nulls is not None:
            mask = nulls.copy() if mask is None else mask | nulls
    return mask


def _operand(s: pd.Series) -> Any:
    if is_categorical(s):
        return s.astype(s.cat.categories.dtype)  # compare values, not categories
    return s


def _holds(result: Any) -> np.ndarray:
    """A comparison result as a numpy mask where NA counts as holding (the row is ignored)."""
    if isinstance(result, pd.Series):
        return owned(result.to_numpy(dtype=bool, na_value=True))
    return owned(result)


def eval_compare(view: FrameView, check: Check, ctx: EvalContext) -> RowOutcome:
    """Rows where ``left op right`` does not hold; ``right`` is a column or a literal."""
    left, op, right = check.params["left"], check.params["op"], check.params["right"]
    fn = OPERATORS[op]
    a = view.series(left)
    right_is_column = isinstance(right, str)
    if right_is_column and right not in view.df.columns:
        raise ColumnError(
            f"column {right!r} not in frame (compare's right side is a column name or a number; "
            f"for a text literal use isin or expression)"
        )
    b = view.series(right) if right_is_column else right
    columns = [left, right] if right_is_column else [left]
    nulls = _or_nulls(view, columns)
    plain = isinstance(a.dtype, np.dtype) and a.dtype.kind in "iufb"
    if right_is_column:
        plain = plain and isinstance(b.dtype, np.dtype) and b.dtype.kind in "iufb"
    else:
        plain = plain and isinstance(b, int | float | np.number)
    bad: np.ndarray | None = None
    if plain:
        holds = _holds(fn(a.to_numpy(), b.to_numpy() if right_is_column else b))
    else:
        try:
            holds = _holds(fn(_operand(a), _operand(b) if right_is_column else b))
        except TypeError as exc:
            what = f"{right!r} ({b.dtype})" if right_is_column else repr(right)
            if is_datetime_like(a.dtype) or (right_is_column and is_datetime_like(b.dtype)):
                raise ColumnError(f"cannot compare {left!r} ({a.dtype}) with {what}: {exc}") from exc
            # Mixed garbage in an object column: compare as numbers, unparseable values fail.
            num_a = view.numeric(left)
            num_b = view.numeric(right) if right_is_column else None
            holds = _holds(fn(num_a.values, num_b.values if num_b is not None else b))
            bad = num_a.bad
            if num_b is not None and num_b.bad is not None:
                bad = num_b.bad if bad is None else bad | num_b.bad
    if bad is not None:
        holds &= ~bad
    mask = ~holds
    if nulls is not None:
        mask &= ~nulls
    return RowOutcome(mask, view.n - count(nulls))


def referenced_columns(expr: str, columns: pd.Index) -> list[str]:
    """Column names that appear in a ``DataFrame.eval`` expression (plain or `back-quoted`)."""
    names = {quoted or plain for quoted, plain in _NAME.findall(expr)}
    return [c for c in columns if isinstance(c, str) and c in names]


def eval_expression(view: FrameView, check: Check, ctx: EvalContext) -> RowOutcome:
    """Rows where the boolean expression is False (rows with a null operand are ignored)."""
    expr = check.params["expr"]
    try:
        result = view.df.eval(expr)
    except (pd.errors.UndefinedVariableError, NameError, KeyError) as exc:
        raise ColumnError(f"expression {expr!r}: {exc}") from exc
    except SyntaxError as exc:
        raise ColumnError(f"expression {expr!r} is not valid: {exc.msg}") from exc
    if not isinstance(result, pd.Series) or len(result) != view.n:
        raise ColumnError(f"expression {expr!r} must give one boolean per row, got {type(result).__name__}")
    if not pdt.is_bool_dtype(result.dtype):
        raise ColumnError(f"expression {expr!r} must give booleans, got {result.dtype}")
    used = referenced_columns(expr, view.df.columns)
    nulls = _or_nulls(view, used)
    mask = ~_holds(result)
    if nulls is not None:
        mask &= ~nulls
    return RowOutcome(mask, view.n - count(nulls), columns=tuple(used))
