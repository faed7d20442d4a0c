"""Dtype names for ``schema``: exact pandas names and broad families.

A family name matches every dtype of the family, which is what a pipeline usually means:
``"string"`` matches pandas' ``str``/``string`` dtypes and object columns holding only
strings; ``"int"`` matches int8...uint64 and the nullable Int64; ``"datetime"`` matches
naive and tz-aware datetimes of any resolution. Any other name is parsed by pandas
(``"int64"``, ``"Int64"``, ``"float32"``, ``"datetime64[ns, UTC]"``) and must match exactly,
except that datetime and timedelta resolutions (s, ms, us, ns) are not compared: pandas 3
picks one per source, while the time zone is compared.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as pdt

from console.errors import CheckDefinitionError


def _is_string(s: pd.Series) -> bool:
    if isinstance(s.dtype, pd.StringDtype):
        return True
    return pdt.is_object_dtype(s.dtype) and pdt.infer_dtype(s, skipna=True) in ("string", "empty")


def _is_int(s: pd.Series) -> bool:
    return pdt.is_integer_dtype(s.dtype) and not pdt.is_bool_dtype(s.dtype)


def _is_number(s: pd.Series) -> bool:
    return pdt.is_numeric_dtype(s.dtype) and not pdt.is_bool_dtype(s.dtype)


FAMILIES: dict[str, Callable[[pd.Series], bool]] = {
    "int": _is_int,
    "integer": _is_int,
    "float": lambda s: pdt.is_float_dtype(s.dtype),
    "number": _is_number,
    "numeric": _is_number,
    "bool": lambda s: pdt.is_bool_dtype(s.dtype),
    "boolean": lambda s: pdt.is_bool_dtype(s.dtype),
    "string": _is_string,
    "str": _is_string,
    "datetime": lambda s: pdt.is_datetime64_any_dtype(s.dtype),
    "timedelta": lambda s: pdt.is_timedelta64_dtype(s.dtype),
    "category": lambda s: isinstance(s.dtype, pd.CategoricalDtype),
    "object": lambda s: pdt.is_object_dtype(s.dtype),
}


def parse_spec(column: str, spec: Any) -> Any:
    """Validate one ``schema`` entry: None, a family name or a dtype pandas understands."""
    if spec is None or (isinstance(spec, str) and spec in FAMILIES):
        return spec
    try:
        return pdt.pandas_dtype(spec)
    except (TypeError, ValueError):
        families = ", ".join(sorted(FAMILIES))
        raise CheckDefinitionError(
            f"schema: column {column!r} has unknown dtype {spec!r}; use a pandas dtype name "
            f"(int64, Int64, float64, datetime64[ns, UTC]...) or a family ({families})"
        ) from None


def matches(s: pd.Series, spec: Any) -> bool:
    """True when the column's dtype satisfies the (parsed) spec."""
    if spec is None:
        return True
    if isinstance(spec, str):
        return FAMILIES[spec](s)
    if pdt.is_datetime64_any_dtype(spec) and pdt.is_datetime64_any_dtype(s.dtype):
        # pandas 3 picks s/ms/us/ns per source; the unit is noise, the time zone is not.
        return str(getattr(spec, "tz", None)) == str(getattr(s.dtype, "tz", None))
    if pdt.is_timedelta64_dtype(spec):
        return bool(pdt.is_timedelta64_dtype(s.dtype))
    return bool(s.dtype == spec)


def describe(s: pd.Series) -> str:
    """The spec ``suggest`` writes for a column: exact for numbers, a family otherwise."""
    dtype = s.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    if pdt.is_bool_dtype(dtype):
        return "bool"
    if pdt.is_datetime64_any_dtype(dtype):
        return "datetime"  # resolutions differ between readers; the family is what matters
    if pdt.is_timedelta64_dtype(dtype):
        return "timedelta"
    if _is_string(s):
        return "string"
    if isinstance(dtype, np.dtype | pd.api.extensions.ExtensionDtype) and pdt.is_numeric_dtype(dtype):
        return str(dtype)
    return "object" if pdt.is_object_dtype(dtype) else str(dtype)
