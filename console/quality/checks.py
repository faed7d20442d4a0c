"""The check constructors, used in pipeline files as ``from console.quality import checks as qc``.

Every constructor also takes ``severity="error"|"warn"``, ``on_fail="fail"|"quarantine"``
(row-level checks only) and ``name=`` (default: ``between(amount)``...). Value checks ignore
nulls, and ``mostly`` is the fraction of non-null values that must pass. Arguments that
are wrong whatever the data raise :class:`~console.errors.CheckDefinitionError` here.
The checks that relate columns or judge the whole frame live in
:mod:`console.quality.framechecks`; the type, parsing, pattern, order, multi-column, set,
table and distribution checks in their own modules. All are re-exported here, with
``gx_suite(path)`` which loads a Great Expectations suite as checks.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from console.errors import CheckDefinitionError
from console.quality import formats as _formats
from console.quality import rowchecks, uniqueness
from console.quality.check import Check, check_bounds, check_column, collection, row_check
from console.quality.distributions import bootstrapped_ks, chisquare, cramers_phi, kl_divergence, ks_test
from console.quality.framechecks import (
    compare,
    distinct_count,
    expression,
    freshness,
    row_count,
    schema,
    stat,
)
from console.quality.orderchecks import decreasing, increasing, zscore
from console.quality.pairchecks import pair_equal, pair_greater, pair_in, row_sum, unique_within_row
from console.quality.parsechecks import date_format, date_parseable, json_parseable, json_schema
from console.quality.setchecks import (
    distinct_contains,
    distinct_equals,
    distinct_in,
    most_common_in,
    quantiles,
    unique_share,
)
from console.quality.tablechecks import column_count, column_exists, columns_match, same_row_count
from console.quality.textchecks import not_regex, not_regex_list, regex_list
from console.quality.typechecks import in_types, null, of_type

__all__ = [
    "between",
    "bootstrapped_ks",
    "chisquare",
    "column_count",
    "column_exists",
    "columns_match",
    "compare",
    "cramers_phi",
    "date_format",
    "date_parseable",
    "decreasing",
    "distinct_contains",
    "distinct_count",
    "distinct_equals",
    "distinct_in",
    "expression",
    "format",
    "freshness",
    "gx_suite",
    "in_types",
    "increasing",
    "isin",
    "json_parseable",
    "json_schema",
    "kl_divergence",
    "ks_test",
    "most_common_in",
    "not_in",
    "not_null",
    "not_regex",
    "not_regex_list",
    "null",
    "of_type",
    "pair_equal",
    "pair_greater",
    "pair_in",
    "quantiles",
    "referential",
    "regex",
    "regex_list",
    "row_count",
    "row_sum",
    "same_row_count",
    "schema",
    "stat",
    "str_length",
    "unique",
    "unique_share",
    "unique_within_row",
    "zscore",
]


def not_null(
    column: str | None = None,
    mostly: float = 1.0,
    *,
    severity: str = "error",
    on_fail: str = "fail",
    name: str | None = None,
) -> Check:
    """No nulls (NaN, None, NA, NaT) in ``column``, or in any column when it is None."""
    columns = () if column is None else (check_column("not_null", column),)
    label = f"not_null({column})" if column is not None else "not_null()"
    return row_check("not_null", columns, label, rowchecks.eval_not_null, {}, mostly, severity, on_fail, name)


def unique(
    *columns: str,
    mostly: float = 1.0,
    severity: str = "error",
    on_fail: str = "fail",
    name: str | None = None,
) -> Check:
    """Values (or compound keys, given several columns) occur once; every duplicate row fails."""
    if not columns:
        raise CheckDefinitionError("unique: give at least one column")
    cols = tuple(check_column("unique", c) for c in columns)
    if len(set(cols)) != len(cols):
        raise CheckDefinitionError(f"unique: a column is repeated in {cols}")
    label = f"unique({', '.join(cols)})"
    return row_check("unique", cols, label, uniqueness.eval_unique, {}, mostly, severity, on_fail, name)


def between(
    column: str,
    min: Any = None,
    max: Any = None,
    strict_min: bool = False,
    strict_max: bool = False,
    mostly: float = 1.0,
    *,
    severity: str = "error",
    on_fail: str = "fail",
    name: str | None = None,
) -> Check:
    """Values within [min, max] (numbers, dates or text); unparseable values fail."""
    column = check_column("between", column)
    check_bounds("between", min, max)
    params = {"min": min, "max": max, "strict_min": bool(strict_min), "strict_max": bool(strict_max)}
    return row_check(
        "between",
        (column,),
        f"between({column})",
        rowchecks.eval_between,
        params,
        mostly,
        severity,
        on_fail,
        name,
    )


def isin(
    column: str,
    values: Iterable[Any],
    mostly: float = 1.0,
    *,
    severity: str = "error",
    on_fail: str = "fail",
    name: str | None = None,
) -> Check:
    """Values are in the allowed set."""
    column = check_column("isin", column)
    params = {"values": collection("isin", values)}
    return row_check(
        "isin", (column,), f"isin({column})", rowchecks.eval_isin, params, mostly, severity, on_fail, name
    )


def not_in(
    column: str,
    values: Iterable[Any],
    mostly: float = 1.0,
    *,
    severity: str = "error",
    on_fail: str = "fail",
    name: str | None = None,
) -> Check:
    """Values are not in the forbidden set."""
    column = check_column("not_in", column)
    params = {"values": collection("not_in", values)}
    return row_check(
        "not_in",
        (column,),
        f"not_in({column})",
        rowchecks.eval_not_in,
        params,
        mostly,
        severity,
        on_fail,
        name,
    )


def referential(
    column: str, values: Any, *, severity: str = "error", on_fail: str = "fail", name: str | None = None
) -> Check:
    """Every non-null value exists in ``values``: a collection, or ``"task.column"`` naming an
    upstream task's frame column (resolved from ``validate(..., frames=)``)."""
    column = check_column("referential", column)
    if isinstance(values, str):
        task, dot, ref_column = values.partition(".")
        if not (task and dot and ref_column):
            raise CheckDefinitionError(f"referential: {values!r} must look like 'task.column'")
    else:
        values = collection("referential", values)
    return row_check(
        "referential",
        (column,),
        f"referential({column})",
        rowchecks.eval_referential,
        {"values": values},
        1.0,
        severity,
        on_fail,
        name,
    )


def regex(
    column: str,
    pattern: str,
    mostly: float = 1.0,
    *,
    severity: str = "error",
    on_fail: str = "fail",
    name: str | None = None,
) -> Check:
    """The pattern is found in each value (``re.search``; anchor with ``^...$`` for a full
    match). ``pattern="format:email"`` uses a named format from :mod:`console.quality.formats`."""
    column = check_column("regex", column)
    resolved, flags, fmt_name = _formats.resolve(pattern)
    params = {"pattern": resolved, "flags": flags, "format": fmt_name}
    return row_check(
        "regex", (column,), f"regex({column})", rowchecks.eval_regex, params, mostly, severity, on_fail, name
    )


def format(
    column: str,
    name: str,
    mostly: float = 1.0,
    *,
    severity: str = "error",
    on_fail: str = "fail",
    check_name: str | None = None,
) -> Check:
    """Values have the named format: email, url, iso_date, iso_datetime, uuid, phone, e164,
    ipv4, postal_code_us, country_code, currency_code, slug, semver, hex_color.

    ``name`` is the format here (as in :func:`stat`), so the check's own name is ``check_name=``.
    """
    column = check_column("format", column)
    fmt = _formats.get_format(name)
    params = {"pattern": fmt.pattern, "flags": fmt.flags, "format": fmt.name}
    return row_check(
        "format",
        (column,),
        f"format({column}, {fmt.name})",
        rowchecks.eval_regex,
        params,
        mostly,
        severity,
        on_fail,
        check_name,
    )


def str_length(
    column: str,
    min: int | None = None,
    max: int | None = None,
    mostly: float = 1.0,
    *,
    strict_min: bool = False,
    strict_max: bool = False,
    severity: str = "error",
    on_fail: str = "fail",
    name: str | None = None,
) -> Check:
    """Text length of each value within [min, max] (``strict_*`` exclude the bound)."""
    column = check_column("str_length", column)
    check_bounds("str_length", min, max, numeric=True)
    params = {"min": min, "max": max, "strict_min": bool(strict_min), "strict_max": bool(strict_max)}
    return row_check(
        "str_length",
        (column,),
        f"str_length({column})",
        rowchecks.eval_str_length,
        params,
        mostly,
        severity,
        on_fail,
        name,
    )


def gx_suite(path: Any) -> list[Check]:
    """The checks of a Great Expectations suite file (GX 1.x or 0.x JSON), for ``checks=``."""
    from console.quality.gx import load_suite

    return load_suite(path)
