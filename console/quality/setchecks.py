"""Aggregate checks on one column's values as a set: ``distinct_in``, ``distinct_contains``,
``distinct_equals``, ``most_common_in``, ``unique_share`` and ``quantiles``.

They judge the column as a whole (no failing rows); ``observed`` is the number the check
judged (the share of unique values, the count of unexpected distinct values...). Nulls are
left out of every set and statistic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from console.errors import CheckDefinitionError
from console.quality.aggchecks import expected, fmt, within
from console.quality.check import (
    AggOutcome,
    Check,
    EvalContext,
    check_bounds,
    check_column,
    collection,
    frame_check,
)
from console.quality.frameview import ColumnError, FrameView

__all__ = [
    "distinct_contains",
    "distinct_equals",
    "distinct_in",
    "most_common_in",
    "quantiles",
    "unique_share",
]


def _non_null(view: FrameView, column: str) -> pd.Series:
    s = view.series(column)
    nulls = view.nulls(column)
    s = s if nulls is None or not nulls.any() else s[~nulls]
    return s.astype(s.cat.categories.dtype) if isinstance(s.dtype, pd.CategoricalDtype) else s


def _shown(values: Iterable[Any], limit: int = 8) -> str:
    items = sorted(map(repr, values))
    return ", ".join(items[:limit]) + (", ..." if len(items) > limit else "")


def eval_distinct(view: FrameView, check: Check, ctx: EvalContext) -> AggOutcome:
    """Compare the set of distinct non-null values with the given set."""
    column, mode = check.columns[0], check.params["mode"]
    observed = set(pd.unique(_non_null(view, column)).tolist())
    wanted = set(check.params["values"])
    extra, missing = observed - wanted, wanted - observed
    if mode == "in":
        ok, problems = not extra, extra
    elif mode == "contains":
        ok, problems = not missing, missing
    else:
        ok, problems = not extra and not missing, extra | missing
    details = {
        "distinct": len(observed),
        "unexpected": sorted(map(str, extra)),
        "missing": sorted(map(str, missing)),
    }
    parts = []
    if extra and mode != "contains":
        parts.append(f"unexpected {_shown(extra)}")
    if missing and mode != "in":
        parts.append(f"missing {_shown(missing)}")
    message = "; ".join(parts) or f"{len(observed)} distinct values as expected"
    return AggOutcome(
        ok,
        float(len(problems)),
        message,
        failing=len(problems),
        total=len(observed | wanted),
        details=details,
    )


def eval_most_common(view: FrameView, check: Check, ctx: EvalContext) -> AggOutcome:
    """The most common non-null value (every one, if tied) is in the set."""
    counts = _non_null(view, check.columns[0]).value_counts(sort=False)
    if counts.empty:
        return AggOutcome(False, None, "no values")
    modes = set(counts.index[counts.to_numpy() == counts.max()].tolist())
    hits = len(modes & set(check.params["values"]))
    ok = hits > 0 if check.params["ties_okay"] else len(modes) == 1 and hits == 1
    return AggOutcome(
        ok, None, f"most common: {_shown(modes)}", details={"most_common": sorted(map(str, modes))}
    )


def eval_unique_share(view: FrameView, check: Check, ctx: EvalContext) -> AggOutcome:
    """Distinct non-null values / non-null values within bounds (0 when there are none)."""
    values = _non_null(view, check.columns[0])
    share = values.nunique() / len(values) if len(values) else 0.0
    p = check.params
    ok = within(share, p["min"], p["max"], p["strict_min"], p["strict_max"])
    bounds = expected(p["min"], p["max"], p["strict_min"], p["strict_max"])
    return AggOutcome(ok, float(share), f"unique share {fmt(share)} (expected {bounds})")


def eval_quantiles(view: FrameView, check: Check, ctx: EvalContext) -> AggOutcome:
    """Each quantile (nearest observed value) inside its range; None bounds are open."""
    num = view.numeric(check.columns[0])
    if num.bad is not None:
        raise ColumnError(f"quantiles need numbers; column {check.columns[0]!r} holds text")
    values = num.values if num.nulls is None else num.values[~num.nulls]
    qs: list[float] = check.params["quantiles"]
    ranges: list[tuple[Any, Any]] = check.params["ranges"]
    if values.size == 0:
        return AggOutcome(False, None, "no values")
    observed = np.quantile(values.astype(np.float64), qs, method="nearest")
    ok = [within(float(v), lo, hi) for v, (lo, hi) in zip(observed, ranges, strict=True)]
    bad = [f"q{q:g}={fmt(float(v))}" for q, v, good in zip(qs, observed, ok, strict=True) if not good]
    message = ("outside range: " + ", ".join(bad)) if bad else f"{len(qs)} quantiles in range"
    details = {"quantiles": qs, "values": [float(v) for v in observed], "success": ok}
    return AggOutcome(all(ok), None, message, failing=len(bad), total=len(qs), details=details)


def _set_check(
    kind: str, mode: str, column: str, values: Iterable[Any], severity: str, name: str | None
) -> Check:
    column = check_column(kind, column)
    params = {"mode": mode, "values": list(collection(kind, values))}
    return frame_check(kind, (column,), f"{kind}({column})", eval_distinct, params, severity, "fail", name)


def distinct_in(
    column: str, values: Iterable[Any], *, severity: str = "error", name: str | None = None
) -> Check:
    """Every distinct non-null value is in ``values``."""
    return _set_check("distinct_in", "in", column, values, severity, name)


def distinct_contains(
    column: str, values: Iterable[Any], *, severity: str = "error", name: str | None = None
) -> Check:
    """Every one of ``values`` occurs in the column."""
    return _set_check("distinct_contains", "contains", column, values, severity, name)


def distinct_equals(
    column: str, values: Iterable[Any], *, severity: str = "error", name: str | None = None
) -> Check:
    """The distinct non-null values are exactly ``values``."""
    return _set_check("distinct_equals", "equals", column, values, severity, name)


def most_common_in(
    column: str,
    values: Iterable[Any],
    ties_okay: bool = False,
    *,
    severity: str = "error",
    name: str | None = None,
) -> Check:
    """The most common value is in ``values``; with ties, all of them must be unless ``ties_okay``
    (then one is enough)."""
    column = check_column("most_common_in", column)
    params = {"values": list(collection("most_common_in", values)), "ties_okay": bool(ties_okay)}
    return frame_check(
        "most_common_in",
        (column,),
        f"most_common_in({column})",
        eval_most_common,
        params,
        severity,
        "fail",
        name,
    )


def unique_share(
    column: str,
    min: float | None = None,
    max: float | None = None,
    strict_min: bool = False,
    strict_max: bool = False,
    *,
    severity: str = "error",
    name: str | None = None,
) -> Check:
    """Share of distinct values among the non-null values within [min, max]."""
    column = check_column("unique_share", column)
    check_bounds("unique_share", min, max, numeric=True, need_one=False)
    params = {"min": min, "max": max, "strict_min": bool(strict_min), "strict_max": bool(strict_max)}
    return frame_check(
        "unique_share",
        (column,),
        f"unique_share({column})",
        eval_unique_share,
        params,
        severity,
        "fail",
        name,
    )


def quantiles(
    column: str,
    quantiles: Sequence[float],
    ranges: Sequence[Sequence[float | None]],
    *,
    severity: str = "error",
    name: str | None = None,
) -> Check:
    """Each quantile of the non-null values (the nearest observed value) within its
    ``[min, max]`` range; a None bound is open."""
    column = check_column("quantiles", column)
    qs = list(quantiles)
    pairs = [tuple(r) for r in ranges]
    if not qs or len(qs) != len(pairs) or any(len(r) != 2 for r in pairs):
        raise CheckDefinitionError("quantiles: give as many [min, max] ranges as quantiles")
    if not all(isinstance(q, int | float) and 0 <= q <= 1 for q in qs):
        raise CheckDefinitionError(f"quantiles: each quantile must be in [0, 1], not {qs}")
    for lo, hi in pairs:
        check_bounds("quantiles", lo, hi, numeric=True, need_one=False)
    params = {"quantiles": [float(q) for q in qs], "ranges": pairs}
    return frame_check(
        "quantiles", (column,), f"quantiles({column})", eval_quantiles, params, severity, "fail", name
    )
