"""``suggest(df)``: a starting set of checks, as Python source to paste into a pipeline.

From a reference frame it proposes the schema, ``not_null`` (with ``mostly`` where a few
values are missing), ``between`` with the observed range rounded outwards to two
significant figures, ``isin`` for low-cardinality text and categories, ``unique`` for
columns that look like ids, and a ``row_count`` range around the observed count. Every
proposed check passes on the reference frame; tighten them by hand.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as pdt

from console.errors import CheckDefinitionError
from console.quality import dtypes
from console.quality.check import Check

MAX_ISIN = 20
MAX_NULL_SHARE = 0.1  # more missing than this and not_null(mostly=) is not worth proposing
_ID_NAME = re.compile(r"(?i)(^|[_\s-])(id|key|uuid|guid)$|^id[_\s-]|(?<=[a-z])(Id|ID|Key|Uuid)$")


def literal(value: Any) -> str:
    """Python source for a plain value (text in double quotes, like ruff format writes it)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool | np.bool_):
        return repr(bool(value))
    if isinstance(value, int | np.integer):
        return repr(int(value))
    if isinstance(value, float | np.floating):
        return repr(float(value))
    raise TypeError(f"no literal for {type(value).__name__}")


def _nice_step(lo: float, hi: float) -> float:
    span = hi - lo if hi > lo else max(abs(lo), abs(hi), 1.0)
    return 10.0 ** (math.floor(math.log10(span)) - 1)


def nice_bounds(lo: float, hi: float, integer: bool) -> tuple[Any, Any]:
    """Round the observed range outwards to two significant figures of its span."""
    step = _nice_step(lo, hi)
    if integer and step < 1:
        return int(lo), int(hi)
    digits = max(0, -math.floor(math.log10(step)))
    # round(..., 9) first: 3e-05 / 1e-06 is 30.000000000000004, which must not ceil to 31
    nice_lo = round(math.floor(round(lo / step, 9)) * step, digits)
    nice_hi = round(math.ceil(round(hi / step, 9)) * step, digits)
    # Rounding to `digits` must never cut the range.
    nice_lo = nice_lo if nice_lo <= lo else lo
    nice_hi = nice_hi if nice_hi >= hi else hi
    if integer or (float(nice_lo).is_integer() and float(nice_hi).is_integer() and step >= 1):
        return int(nice_lo), int(nice_hi)
    return nice_lo, nice_hi


def _nice_count(n: float, up: bool) -> int:
    if n < 10:
        return math.ceil(n) if up else math.floor(n)
    step = 10 ** (math.floor(math.log10(n)) - 1)
    return int((math.ceil(n / step) if up else math.floor(n / step)) * step)


def _looks_like_id(name: str, s: pd.Series) -> bool:
    if not (pdt.is_integer_dtype(s.dtype) or dtypes.describe(s) == "string"):
        return False
    return bool(_ID_NAME.search(name))


Proposal = tuple[str, tuple[Any, ...], dict[str, Any]]  # constructor name, args, keywords


def _column_checks(name: str, s: pd.Series, rows: int) -> list[Proposal]:
    out: list[Proposal] = []
    nulls = int(s.isna().sum())
    if nulls == 0 and rows:
        out.append(("not_null", (name,), {}))
    elif rows and nulls / rows <= MAX_NULL_SHARE:
        mostly = math.floor((1 - nulls / rows) * 100) / 100
        out.append(("not_null", (name,), {"mostly": mostly}))
    values = s.dropna()
    if values.empty:
        return out
    kind = dtypes.describe(s)
    if _looks_like_id(name, s) and values.is_unique:
        out.append(("unique", (name,), {}))
    elif kind in ("string", "category"):
        distinct = pd.unique(values.astype(object) if kind == "category" else values)
        plain = all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in distinct)
        if plain and len(distinct) <= MAX_ISIN and (kind == "category" or len(distinct) * 2 <= len(values)):
            out.append(("isin", (name, sorted(distinct, key=str)), {}))
    if kind != "bool" and pdt.is_numeric_dtype(s.dtype) and not isinstance(s.dtype, pd.CategoricalDtype):
        numbers = values.to_numpy(dtype="float64")
        lo, hi = float(numbers.min()), float(numbers.max())
        if math.isfinite(lo) and math.isfinite(hi):
            nice_lo, nice_hi = nice_bounds(lo, hi, pdt.is_integer_dtype(s.dtype))
            out.append(("between", (name, nice_lo, nice_hi), {}))
    return out


def _render(proposal: Proposal) -> str:
    func, args, kwargs = proposal
    if func == "schema":
        return listing("qc.schema(", [f"{literal(c)}: {literal(d)}" for c, d in args[0].items()], "{}")
    if func == "isin":
        return listing(f"qc.isin({literal(args[0])}, ", [literal(v) for v in args[1]], "[]")
    parts = [literal(a) for a in args] + [f"{k}={literal(v)}" for k, v in kwargs.items()]
    return f"qc.{func}({', '.join(parts)})"


def listing(head: str, items: list[str], brackets: str, tail: str = ")", width: int = 96) -> str:
    """``head[a, b])`` on one line, or one item per line when that would be too long."""
    opener, closer = brackets[0], brackets[1]
    line = f"{head}{opener}{', '.join(items)}{closer}{tail}"
    if len(line) <= width:
        return line
    inner = "".join(f"        {item},\n" for item in items)
    return f"{head}{opener}\n{inner}    {closer}{tail}"


def proposals(df: pd.DataFrame) -> list[Proposal]:
    """The proposed checks for ``df`` as (constructor, args, keywords)."""
    if not isinstance(df, pd.DataFrame):
        raise CheckDefinitionError(f"suggest: needs a pandas DataFrame, got {type(df).__name__}")
    if not df.columns.is_unique or not all(isinstance(c, str) for c in df.columns):
        raise CheckDefinitionError("suggest: column names must be unique strings")
    rows = len(df)
    out: list[Proposal] = [("schema", ({c: dtypes.describe(df[c]) for c in df.columns},), {})]
    for column in df.columns:
        out.extend(_column_checks(column, df[column], rows))
    if rows:
        bounds = {"min": _nice_count(rows / 2, up=False), "max": _nice_count(rows * 2, up=True)}
        out.append(("row_count", (), bounds))
    else:
        out.append(("row_count", (), {"max": 0}))
    return out


def suggest_checks(df: pd.DataFrame) -> list[Check]:
    """The proposed checks for ``df`` as check objects (what :func:`suggest`'s code builds)."""
    from console.quality import checks as qc

    return [getattr(qc, func)(*args, **kwargs) for func, args, kwargs in proposals(df)]


def suggest(df: pd.DataFrame, *, name: str = "checks") -> str:
    """Python source proposing checks that pass on ``df``, to paste into a pipeline file."""
    if not isinstance(name, str) or not name.isidentifier():
        raise CheckDefinitionError(f"suggest: name must be a Python identifier, not {name!r}")
    calls = [_render(p) for p in proposals(df)]
    rows = len(df)
    if not rows:
        calls[-1] += "  # the reference frame was empty"
    lines = [
        "from console.quality import checks as qc",
        "",
        f"# Suggested from a reference frame of {rows:,} rows and {df.shape[1]} columns; tighten by hand.",
        f"{name} = [",
    ]
    for call in calls:
        code, _, comment = call.partition("  # ")
        lines.append(f"    {code},{'  # ' + comment if comment else ''}")
    lines.append("]")
    return "\n".join(lines) + "\n"
