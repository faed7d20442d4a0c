"""Null and type checks: ``null`` (values must be missing), ``of_type`` and ``in_types``.

Type names are read the way Great Expectations reads them on pandas: a numpy dtype name
(``int64``, ``float``, ``str``, ``object``), a pandas class (``Timestamp``,
``CategoricalDtype``) or a Python type name (``int``, ``str``, ``dict``...). A column with a
real dtype is judged as a whole on that dtype; an ``object`` column (mixed values from a
CSV or JSON) is judged value by value with ``isinstance``, nulls ignored. The per-value
test runs once per distinct Python type, not per row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from console.errors import CheckDefinitionError
from console.quality.check import AggOutcome, Check, EvalContext, RowOutcome, check_column, row_check
from console.quality.frameview import FrameView

__all__ = ["in_types", "null", "of_type"]

_NATIVE: dict[str, tuple[type, ...]] = {
    "none": (type(None),),
    "bool": (bool,),
    "int": (int,),
    "long": (int,),
    "float": (float,),
    "bytes": (bytes,),
    "complex": (complex,),
    "str": (str,),
    "string_types": (str,),
    "list": (list,),
    "dict": (dict,),
}
_OBJECT_NAMES = ("object", "object_", "O")


def comparable_types(name: str, *, with_dtypes: bool = False) -> list[Any]:
    """The numpy types, pandas classes and Python types a type name stands for."""
    found: list[Any] = []
    try:
        dtype = np.dtype(name)
        found.append(dtype.type)
        if with_dtypes:
            found.append(dtype)
    except TypeError:
        for namespace in (pd, pd.core.dtypes.dtypes):
            candidate = getattr(namespace, name, None)
            if isinstance(candidate, type):
                found.append(candidate)
                if with_dtypes and issubclass(candidate, pd.api.extensions.ExtensionDtype):
                    try:
                        found.append(candidate())
                    except TypeError:
                        pass
    found.extend(_NATIVE.get(name.lower(), ()))
    return found


def _python_types(names: tuple[str, ...], kind: str) -> tuple[type, ...]:
    types: list[type] = []
    for name in names:
        types.extend(t for t in comparable_types(name) if isinstance(t, type))
    if not types:
        raise CheckDefinitionError(f"{kind}: no known numpy or Python type in {list(names)}")
    return tuple(types)


def _per_value(view: FrameView, column: str, types: tuple[type, ...]) -> RowOutcome:
    s = view.series(column)
    codes, kinds = pd.factorize(s.map(type, na_action="ignore"), use_na_sentinel=True)
    ok = np.array([issubclass(k, types) for k in kinds] + [True], dtype=bool)  # per distinct type
    mask = ~np.take(ok, codes)
    return RowOutcome(mask, view.non_null_count(column))


def eval_types(view: FrameView, check: Check, ctx: EvalContext) -> RowOutcome | AggOutcome:
    """Judge the dtype (or, in an object column, every value) against the allowed types."""
    column = check.columns[0]
    names: tuple[str, ...] = check.params["types"]
    dtype = view.series(column).dtype
    if dtype == np.dtype(object) and not any(n in _OBJECT_NAMES for n in names):
        return _per_value(view, column, _python_types(names, check.kind))
    if check.kind == "of_type":
        ok = dtype.type in comparable_types(names[0])
    else:
        allowed = [t for n in names for t in comparable_types(n, with_dtypes=True)]
        ok = any(_same(dtype, t) for t in allowed)
    shown = getattr(dtype.type, "__name__", str(dtype))
    wanted = names[0] if len(names) == 1 else f"one of {', '.join(names)}"
    return AggOutcome(
        bool(ok), None, f"dtype {dtype} ({shown}), expected {wanted}", details={"dtype": str(dtype)}
    )


def _same(dtype: Any, candidate: Any) -> bool:
    try:
        return bool(dtype == candidate)
    except TypeError:
        return False


def eval_null(view: FrameView, check: Check, ctx: EvalContext) -> RowOutcome:
    """Rows whose value is present (the check wants it missing); every row counts."""
    nulls = view.nulls(check.columns[0])
    mask = np.ones(view.n, dtype=bool) if nulls is None else ~nulls
    return RowOutcome(mask, view.n)


def null(
    column: str,
    mostly: float = 1.0,
    *,
    severity: str = "error",
    on_fail: str = "fail",
    name: str | None = None,
) -> Check:
    """Values are missing (NaN, None, NA, NaT); ``mostly`` is the share of rows that must be."""
    column = check_column("null", column)
    return row_check("null", (column,), f"null({column})", eval_null, {}, mostly, severity, on_fail, name)


def of_type(
    column: str,
    type_: str,
    mostly: float = 1.0,
    *,
    severity: str = "error",
    on_fail: str = "fail",
    name: str | None = None,
) -> Check:
    """The column's dtype is ``type_`` (``int64``, ``str``, ``Timestamp``...); in an object
    column each non-null value must be an instance of it."""
    column = check_column("of_type", column)
    if not isinstance(type_, str) or not comparable_types(type_):
        raise CheckDefinitionError(f"of_type: unknown numpy or Python type {type_!r}")
    params = {"types": (type_,)}
    return row_check(
        "of_type",
        (column,),
        f"of_type({column}, {type_})",
        eval_types,
        params,
        mostly,
        severity,
        on_fail,
        name,
    )


def in_types(
    column: str,
    types: Iterable[str],
    mostly: float = 1.0,
    *,
    severity: str = "error",
    on_fail: str = "fail",
    name: str | None = None,
) -> Check:
    """The column's dtype is one of ``types``; in an object column each non-null value is."""
    column = check_column("in_types", column)
    if isinstance(types, str) or not all(isinstance(t, str) for t in types):
        raise CheckDefinitionError(f"in_types: types must be a list of type names, not {types!r}")
    names = tuple(types)
    if not any(comparable_types(t) for t in names):
        raise CheckDefinitionError(f"in_types: no known numpy or Python type in {list(names)}")
    return row_check(
        "in_types",
        (column,),
        f"in_types({column})",
        eval_types,
        {"types": names},
        mostly,
        severity,
        on_fail,
        name,
    )
