"""A fast path for the simple ``row_condition`` strings most suites use.

``df.eval`` parses and evaluates through pandas' expression machinery, which costs close
to a second on 10M rows even for ``country == "US"``. Conditions made only of
``column <op> literal`` comparisons (``== != < <= > >=``, ``in``/``not in`` a list),
joined with ``and``/``or``/``&``/``|`` and negated with ``not``/``~``, are evaluated here
directly on the columns with the same results; anything else returns None and goes to
``df.eval``.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

_OPS: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_FLIP: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.Gt,
    ast.LtE: ast.GtE,
    ast.Gt: ast.Lt,
    ast.GtE: ast.LtE,
}


class _NotSimple(Exception):
    pass


def _literal(node: ast.expr) -> Any:
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise _NotSimple from None


def _column(df: pd.DataFrame, node: ast.expr) -> pd.Series | None:
    if isinstance(node, ast.Name) and node.id in df.columns and df.columns.is_unique:
        return df[node.id]
    return None


def _mask(df: pd.DataFrame, node: ast.expr) -> np.ndarray:
    if isinstance(node, ast.BoolOp):
        parts = [_mask(df, v) for v in node.values]
        return np.asarray((np.logical_and if isinstance(node.op, ast.And) else np.logical_or).reduce(parts))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitAnd | ast.BitOr):
        a, b = _mask(df, node.left), _mask(df, node.right)
        return np.asarray(a & b if isinstance(node.op, ast.BitAnd) else a | b, dtype=bool)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not | ast.Invert):
        return ~_mask(df, node.operand)
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        op, left, right = type(node.ops[0]), node.left, node.comparators[0]
        s = _column(df, left)
        if s is None and op in _OPS and (s := _column(df, right)) is not None:
            op, right = _FLIP.get(op, op), left
        if s is None or isinstance(right, ast.Name):
            raise _NotSimple
        value = _literal(right)
        if op in (ast.In, ast.NotIn) and isinstance(value, list | tuple | set):
            found = s.isin(list(value))
            result = found if op is ast.In else ~found
        elif op in _OPS and isinstance(value, int | float | str | bool):
            result = _OPS[op](s, value)
        else:
            raise _NotSimple
        return np.asarray(result.to_numpy(dtype=bool, na_value=False), dtype=bool)
    raise _NotSimple


def simple_mask(df: pd.DataFrame, condition: str) -> np.ndarray | None:
    """The condition's row mask if it is a simple one, else None."""
    try:
        tree = ast.parse(condition.strip(), mode="eval")
        return _mask(df, tree.body)
    except (SyntaxError, _NotSimple, TypeError):
        return None
