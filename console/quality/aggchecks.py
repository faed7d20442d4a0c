"""Evaluators of the aggregate checks: schema, row_count, distinct_count, freshness, stat.

They judge the frame as a whole, so they have no failing rows and cannot quarantine;
``observed`` carries the statistic (rows, distinct values, age in seconds, the stat) so
the store can keep it and ``anomaly=`` can compare it with its history.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as pdt

from console.errors import CheckDefinitionError
from console.quality import dtypes
from console.quality.check import AggOutcome, Check, EvalContext
from console.quality.frameview import ColumnError, FrameView, coerce_datetime

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)", re.IGNORECASE)
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
STAT_NAMES = ("mean", "std", "min", "max", "median", "sum")
_QUANTILE = re.compile(r"^q(0(?:\.\d+)?|1(?:\.0+)?)$")


def parse_duration(value: Any) -> dt.timedelta:
    """A timedelta, a number of seconds, or text such as ``"24h"``, ``"7d"``, ``"1h30m"``."""
    if isinstance(value, dt.timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and value.strip():
        text = value.strip().replace(" ", "")
        parts = _DURATION.findall(text)
        if "".join(n + u for n, u in parts).lower() != text.lower():
            raise CheckDefinitionError(
                f"freshness: cannot read max_age {value!r}; use e.g. '30m', '24h', '7d', '1h30m'"
            )
        seconds = sum(float(n) * _UNIT_SECONDS[u.lower()] for n, u in parts)
    else:
        raise CheckDefinitionError(
            f"freshness: max_age must be a timedelta or text like '24h', not {value!r}"
        )
    if seconds <= 0:
        raise CheckDefinitionError(f"freshness: max_age must be positive, not {value!r}")
    return dt.timedelta(seconds=seconds)


def parse_stat(name: Any) -> float | str:
    """``mean``... as given, or the quantile of ``q0.95`` as a float."""
    if isinstance(name, str):
        if name in STAT_NAMES:
            return name
        match = _QUANTILE.match(name)
        if match:
            return float(match.group(1))
    raise CheckDefinitionError(
        f"stat: unknown statistic {name!r}; use one of {', '.join(STAT_NAMES)} or q0.95"
    )


def fmt(value: float | int | None) -> str:
    """A number for a message: integers with separators, others with 6 significant digits."""
    if value is None:
        return "none"
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:.6g}"


def human_duration(seconds: float) -> str:
    """``90061`` -> ``1d 1h 1m``; at most the two largest units."""
    if seconds < 0:
        return f"-{human_duration(-seconds)}"
    if seconds < 60:
        return f"{seconds:.0f}s" if seconds >= 1 else f"{seconds:.3g}s"
    parts: list[str] = []
    rest = int(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if rest >= size or parts:
            parts.append(f"{rest // size}{unit}")
            rest %= size
    return " ".join(parts[:2])


def within(value: float, lo: Any, hi: Any, strict_lo: bool = False, strict_hi: bool = False) -> bool:
    """``value`` is inside the (optional) bounds."""
    if lo is not None and (value <= lo if strict_lo else value < lo):
        return False
    return not (hi is not None and (value >= hi if strict_hi else value > hi))


def expected(lo: Any, hi: Any, strict_lo: bool = False, strict_hi: bool = False) -> str:
    """``>= 1``, ``<= 5``, ``in [1, 5]`` for messages."""
    if lo is not None and hi is not None:
        return f"in {'(' if strict_lo else '['}{fmt(lo)}, {fmt(hi)}{')' if strict_hi else ']'}"
    if lo is not None:
        return f"{'>' if strict_lo else '>='} {fmt(lo)}"
    return f"{'<' if strict_hi else '<='} {fmt(hi)}"


def eval_schema(view: FrameView, check: Check, ctx: EvalContext) -> AggOutcome:
    """Expected columns present with matching dtypes; with ``strict``, no others."""
    df = view.df
    spec: dict[str, Any] = check.params["parsed"]
    missing = [c for c in spec if c not in df.columns]
    wrong = {
        c: {"expected": str(check.params["columns"][c]), "actual": str(view.series(c).dtype)}
        for c in spec
        if c in df.columns and not dtypes.matches(view.series(c), spec[c])
    }
    extra = [str(c) for c in df.columns if c not in spec] if check.params["strict"] else []
    problems = []
    if missing:
        problems.append("missing " + ", ".join(missing))
    if wrong:
        problems.append(
            "wrong dtype "
            + ", ".join(f"{c} ({w['actual']}, expected {w['expected']})" for c, w in wrong.items())
        )
    if extra:
        problems.append("unexpected " + ", ".join(extra))
    failing = len(missing) + len(wrong) + len(extra)
    message = "; ".join(problems) if problems else f"{len(spec)} columns as expected"
    details = {"missing": missing, "wrong_dtype": wrong, "extra": extra}
    return AggOutcome(failing == 0, None, message, failing, len(spec) + len(extra), details)


def eval_row_count(view: FrameView, check: Check, ctx: EvalContext) -> AggOutcome:
    """Number of rows within bounds."""
    lo, hi = check.params["min"], check.params["max"]
    n = view.n
    ok = within(n, lo, hi)
    bound = "" if lo is None and hi is None else f" (expected {expected(lo, hi)})"
    return AggOutcome(ok, float(n), f"{fmt(n)} rows{bound}")


def eval_distinct_count(view: FrameView, check: Check, ctx: EvalContext) -> AggOutcome:
    """Number of distinct non-null values within bounds."""
    lo, hi = check.params["min"], check.params["max"]
    n = int(view.series(check.columns[0]).nunique(dropna=True))
    return AggOutcome(within(n, lo, hi), float(n), f"{fmt(n)} distinct values (expected {expected(lo, hi)})")


def eval_freshness(view: FrameView, check: Check, ctx: EvalContext) -> AggOutcome:
    """The newest timestamp is at most ``max_age`` old (naive timestamps are local time)."""
    column = check.columns[0]
    s = view.series(column)
    if not pdt.is_datetime64_any_dtype(s.dtype):
        s, _ = coerce_datetime(s)
    newest = s.max()
    max_age: dt.timedelta = check.params["max_age"]
    if pd.isna(newest):
        return AggOutcome(False, None, f"no timestamps in {column!r}")
    now = pd.Timestamp.now(tz=newest.tz) if newest.tzinfo is not None else pd.Timestamp.now()
    age = (now - newest).total_seconds()
    max_s = max_age.total_seconds()
    message = f"newest {newest.isoformat()} is {human_duration(age)} old (max {human_duration(max_s)})"
    details = {"newest": newest.isoformat(), "max_age_s": max_age.total_seconds()}
    return AggOutcome(age <= max_s, age, message, details=details)


def _statistic(values: np.ndarray, stat: float | str) -> float | None:
    if values.size == 0 or (stat == "std" and values.size < 2):
        return None
    if values.dtype.kind == "b":
        values = values.astype(np.float64)
    if isinstance(stat, float):
        return float(np.quantile(values, stat))
    if stat == "sum":
        return float(values.sum(dtype=np.float64))
    if stat == "std":
        return float(values.std(dtype=np.float64, ddof=1))
    if stat == "median":
        return float(np.median(values))
    if stat == "mean":
        return float(values.mean(dtype=np.float64))
    return float(values.min() if stat == "min" else values.max())


def eval_stat(view: FrameView, check: Check, ctx: EvalContext) -> AggOutcome:
    """A statistic of the non-null numeric values within bounds."""
    column = check.columns[0]
    params = check.params
    try:
        num = view.numeric(column)
    except ColumnError as exc:
        raise ColumnError(f"stat needs numbers: {exc}") from None
    values = num.values
    skip = num.nulls if num.bad is None else (num.bad if num.nulls is None else num.nulls | num.bad)
    if skip is not None and skip.any():
        values = values[~skip]
    observed = _statistic(values, params["stat"])
    details: dict[str, Any] = {"values": int(values.size)}
    if num.bad is not None:
        details["unparseable"] = int(np.count_nonzero(num.bad))
    label = params["name"]
    if observed is None or np.isnan(observed):
        return AggOutcome(
            False, None, f"{label} of {column!r} is undefined ({values.size} values)", details=details
        )
    lo, hi, slo, shi = params["min"], params["max"], params["strict_min"], params["strict_max"]
    ok = within(observed, lo, hi, slo, shi)
    bound = "" if lo is None and hi is None else f" (expected {expected(lo, hi, slo, shi)})"
    return AggOutcome(ok, observed, f"{label} = {fmt(observed)}{bound}", details=details)
