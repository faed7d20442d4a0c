"""Constructors of checks that relate columns or judge the whole frame.

Row-level: ``compare`` and ``expression``. Frame-level (no failing rows, no quarantine;
``observed`` is the statistic): ``schema``, ``row_count``, ``distinct_count``,
``freshness``, ``stat``. Re-exported by :mod:`console.quality.checks`, where pipelines
use them as ``qc.row_count(min=100)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from console.errors import CheckDefinitionError
from console.quality import aggchecks, comparisons, dtypes
from console.quality.check import Check, check_bounds, check_column, frame_check, row_check, short

__all__ = ["compare", "distinct_count", "expression", "freshness", "row_count", "schema", "stat"]


def compare(
    left: str,
    op: str,
    right: Any,
    mostly: float = 1.0,
    *,
    severity: str = "error",
    on_fail: str = "fail",
    name: str | None = None,
) -> Check:
    """``left op right`` holds row by row; ``right`` is a column name or a literal number."""
    left = check_column("compare", left)
    if op not in comparisons.OPERATORS:
        raise CheckDefinitionError(
            f"compare: op must be one of {' '.join(comparisons.OPERATORS)}, not {op!r}"
        )
    if right is None or isinstance(right, bool):
        raise CheckDefinitionError(f"compare: right must be a column name or a value, not {right!r}")
    columns = (left, right) if isinstance(right, str) else (left,)
    label = f"compare({left} {op} {right})"
    params = {"left": left, "op": op, "right": right}
    return row_check(
        "compare", columns, label, comparisons.eval_compare, params, mostly, severity, on_fail, name
    )


def expression(
    expr: str, mostly: float = 1.0, *, severity: str = "error", on_fail: str = "fail", name: str | None = None
) -> Check:
    """A ``DataFrame.eval`` boolean expression holds row by row, e.g. ``"amount >= 0 and age < 130"``."""
    if not isinstance(expr, str) or not expr.strip():
        raise CheckDefinitionError("expression: give a non-empty expression string")
    try:
        compile(re.sub(r"`[^`]*`", "_", expr).strip(), "<expression>", "eval")
    except SyntaxError as exc:
        raise CheckDefinitionError(f"expression {expr!r} is not valid: {exc.msg}") from None
    return row_check(
        "expression",
        (),
        f"expression({short(expr)})",
        comparisons.eval_expression,
        {"expr": expr},
        mostly,
        severity,
        on_fail,
        name,
    )


def schema(
    columns: Mapping[str, str | None] | Iterable[str],
    strict: bool = False,
    *,
    severity: str = "error",
    on_fail: str = "fail",
    name: str | None = None,
) -> Check:
    """Columns present with the given dtypes (None: any); ``strict``: no other columns.

    Dtypes are pandas names (``int64``, ``Int64``, ``datetime64[ns, UTC]``) matched exactly,
    or families: int, float, number, bool, string, datetime, timedelta, category, object.
    """
    if isinstance(columns, str) or not isinstance(columns, Mapping | Iterable):
        raise CheckDefinitionError("schema: columns must be a mapping of name to dtype, or a list of names")
    spec = dict(columns) if isinstance(columns, Mapping) else dict.fromkeys(columns)
    parsed = {check_column("schema", c): dtypes.parse_spec(c, d) for c, d in spec.items()}
    params = {"columns": spec, "parsed": parsed, "strict": bool(strict)}
    return frame_check(
        "schema", tuple(spec), "schema()", aggchecks.eval_schema, params, severity, on_fail, name
    )


def row_count(
    min: int | None = None,
    max: int | None = None,
    anomaly: float | None = None,
    *,
    severity: str = "error",
    on_fail: str = "fail",
    name: str | None = None,
) -> Check:
    """Number of rows within [min, max]; ``anomaly=k`` also bounds it by its history."""
    check_bounds("row_count", min, max, numeric=True, need_one=False)
    return frame_check(
        "row_count",
        (),
        "row_count()",
        aggchecks.eval_row_count,
        {"min": min, "max": max},
        severity,
        on_fail,
        name,
        anomaly,
    )


def distinct_count(
    column: str,
    min: int | None = None,
    max: int | None = None,
    *,
    severity: str = "error",
    on_fail: str = "fail",
    name: str | None = None,
) -> Check:
    """Number of distinct non-null values within [min, max]."""
    column = check_column("distinct_count", column)
    check_bounds("distinct_count", min, max, numeric=True)
    return frame_check(
        "distinct_count",
        (column,),
        f"distinct_count({column})",
        aggchecks.eval_distinct_count,
        {"min": min, "max": max},
        severity,
        on_fail,
        name,
    )


def freshness(
    column: str, max_age: Any, *, severity: str = "error", on_fail: str = "fail", name: str | None = None
) -> Check:
    """The newest timestamp is at most ``max_age`` old (timedelta, or "30m", "24h", "7d").

    tz-aware timestamps are compared with the current instant; naive ones with local time.
    """
    column = check_column("freshness", column)
    params = {"max_age": aggchecks.parse_duration(max_age)}
    return frame_check(
        "freshness",
        (column,),
        f"freshness({column})",
        aggchecks.eval_freshness,
        params,
        severity,
        on_fail,
        name,
    )


def stat(
    column: str,
    name: str,
    min: float | None = None,
    max: float | None = None,
    strict_min: bool = False,
    strict_max: bool = False,
    anomaly: float | None = None,
    *,
    severity: str = "error",
    on_fail: str = "fail",
    check_name: str | None = None,
) -> Check:
    """A statistic (mean, std, min, max, median, sum, or a quantile ``q0.95``) of the
    non-null values within bounds; ``anomaly=k`` also bounds it by its history.

    ``name`` is the statistic here, so the check's own name is ``check_name=``.
    """
    column = check_column("stat", column)
    parsed = aggchecks.parse_stat(name)
    check_bounds("stat", min, max, numeric=True, need_one=False)
    params = {
        "stat": parsed,
        "name": name,
        "min": min,
        "max": max,
        "strict_min": bool(strict_min),
        "strict_max": bool(strict_max),
    }
    return frame_check(
        "stat",
        (column,),
        f"stat({column}, {name})",
        aggchecks.eval_stat,
        params,
        severity,
        on_fail,
        check_name,
        anomaly,
    )
