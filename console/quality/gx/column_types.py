"""Builders for GX's column map expectations (one verdict per row) on one column.

Each builder reads the expectation's kwargs through :class:`Args` and returns the native
check with the same semantics; ``TYPES`` maps the GX type name to its builder.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from console.errors import GXSuiteError
from console.quality import checks as qc
from console.quality.check import Check
from console.quality.gx.arguments import Args

Builder = Callable[[Args, dict[str, Any]], Check]


def _column(a: Args) -> str:
    column = a.need("column")
    if not isinstance(column, str):
        raise GXSuiteError(f"{a.where}: column must be a string, not {column!r}")
    return column


def _dates(a: Args) -> bool:
    """0.x's ``parse_strings_as_datetimes``; ``allow_cross_type_comparisons`` only when off."""
    if a.get("allow_cross_type_comparisons"):
        raise GXSuiteError(f"{a.where}: allow_cross_type_comparisons is not supported")
    a.get("output_strftime_format")  # formatting of GX's report only
    return a.flag("parse_strings_as_datetimes")


def _between(a: Args, kw: dict[str, Any]) -> Check:
    dates = _dates(a)
    lo, hi = a.bound("min_value", dates), a.bound("max_value", dates)
    if lo is None and hi is None:
        raise GXSuiteError(f"{a.where}: give min_value, max_value or both")
    return qc.between(_column(a), lo, hi, a.flag("strict_min"), a.flag("strict_max"), a.mostly(), **kw)


def _lengths(a: Args, kw: dict[str, Any]) -> Check:
    lo, hi = a.number("min_value"), a.number("max_value")
    if lo is None and hi is None:
        raise GXSuiteError(f"{a.where}: give min_value, max_value or both")
    return qc.str_length(
        _column(a), lo, hi, a.mostly(), strict_min=a.flag("strict_min"), strict_max=a.flag("strict_max"), **kw
    )


def _length_equal(a: Args, kw: dict[str, Any]) -> Check:
    value = a.number("value", required=True)
    return qc.str_length(_column(a), value, value, a.mostly(), **kw)


def _value_set(a: Args) -> list[Any]:
    values = a.need("value_set")
    if not isinstance(values, list | tuple):
        raise GXSuiteError(f"{a.where}: value_set must be a list, not {values!r}")
    return list(values)


def _monotonic(direction: str) -> Builder:
    def build(a: Args, kw: dict[str, Any]) -> Check:
        fn = qc.increasing if direction == "up" else qc.decreasing
        return fn(_column(a), a.flag("strictly"), a.mostly(), parse_dates=_dates(a), **kw)

    return build


TYPES: dict[str, Builder] = {
    "expect_column_values_to_not_be_null": lambda a, kw: qc.not_null(_column(a), a.mostly(), **kw),
    "expect_column_values_to_be_null": lambda a, kw: qc.null(_column(a), a.mostly(), **kw),
    "expect_column_values_to_be_unique": lambda a, kw: qc.unique(_column(a), mostly=a.mostly(), **kw),
    "expect_column_values_to_be_between": _between,
    "expect_column_values_to_be_in_set": lambda a, kw: qc.isin(_column(a), _value_set(a), a.mostly(), **kw),
    "expect_column_values_to_not_be_in_set": lambda a, kw: qc.not_in(
        _column(a), _value_set(a), a.mostly(), **kw
    ),
    "expect_column_values_to_be_of_type": lambda a, kw: qc.of_type(
        _column(a), a.need("type_"), a.mostly(), **kw
    ),
    "expect_column_values_to_be_in_type_list": lambda a, kw: qc.in_types(
        _column(a), a.strings("type_list"), a.mostly(), **kw
    ),
    "expect_column_values_to_be_increasing": _monotonic("up"),
    "expect_column_values_to_be_decreasing": _monotonic("down"),
    "expect_column_values_to_be_dateutil_parseable": lambda a, kw: qc.date_parseable(
        _column(a), a.mostly(), **kw
    ),
    "expect_column_values_to_be_json_parseable": lambda a, kw: qc.json_parseable(
        _column(a), a.mostly(), **kw
    ),
    "expect_column_values_to_match_json_schema": lambda a, kw: qc.json_schema(
        _column(a), a.need("json_schema"), a.mostly(), **kw
    ),
    "expect_column_values_to_match_strftime_format": lambda a, kw: qc.date_format(
        _column(a), a.need("strftime_format"), a.mostly(), **kw
    ),
    "expect_column_values_to_match_regex": lambda a, kw: qc.regex(
        _column(a), a.need("regex"), a.mostly(), **kw
    ),
    "expect_column_values_to_not_match_regex": lambda a, kw: qc.not_regex(
        _column(a), a.need("regex"), a.mostly(), **kw
    ),
    "expect_column_values_to_match_regex_list": lambda a, kw: qc.regex_list(
        _column(a), a.strings("regex_list"), a.get("match_on", "any"), a.mostly(), **kw
    ),
    "expect_column_values_to_not_match_regex_list": lambda a, kw: qc.not_regex_list(
        _column(a), a.strings("regex_list"), a.mostly(), **kw
    ),
    "expect_column_value_lengths_to_be_between": _lengths,
    "expect_column_value_lengths_to_equal": _length_equal,
    "expect_column_value_z_scores_to_be_less_than": lambda a, kw: qc.zscore(
        _column(a), a.number("threshold", required=True), a.flag("double_sided"), a.mostly(), **kw
    ),
}
