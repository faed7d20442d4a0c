"""Builders for GX's column aggregate, distribution, column pair, multicolumn and table
expectations (see :mod:`console.quality.gx.column_types` for the per-row column ones)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from console.errors import GXSuiteError
from console.quality import checks as qc
from console.quality.check import Check
from console.quality.gx.arguments import Args
from console.quality.gx.column_types import Builder, _column, _dates, _value_set


def _bounds(a: Args) -> tuple[Any, Any, bool, bool]:
    return a.number("min_value"), a.number("max_value"), a.flag("strict_min"), a.flag("strict_max")


def _stat(name: str) -> Builder:
    def build(a: Args, kw: dict[str, Any]) -> Check:
        lo, hi, slo, shi = _bounds(a)
        return qc.stat(_column(a), name, lo, hi, slo, shi, severity=kw["severity"], check_name=kw["name"])

    return build


def _count_bounds(a: Args) -> tuple[int | None, int | None]:
    """Integer bounds for a count, strict bounds moved to the next whole number."""
    lo, hi, slo, shi = _bounds(a)
    lo_i = None if lo is None else (math.floor(lo) + 1 if slo else math.ceil(lo))
    hi_i = None if hi is None else (math.ceil(hi) - 1 if shi else math.floor(hi))
    return lo_i, hi_i


def _distinct_count(a: Args, kw: dict[str, Any]) -> Check:
    lo, hi = _count_bounds(a)
    if lo is None and hi is None:  # GX passes with no bounds; a count >= 0 says the same
        lo = 0
    return qc.distinct_count(_column(a), lo, hi, **kw)


def _row_count(a: Args, kw: dict[str, Any]) -> Check:
    lo, hi = _count_bounds(a)
    return qc.row_count(lo, hi, **kw)


def _quantiles(a: Args, kw: dict[str, Any]) -> Check:
    ranges = a.need("quantile_ranges")
    a.get("allow_relative_error")  # exact quantiles on pandas: any allowance is met
    if not isinstance(ranges, dict) or set(ranges) != {"quantiles", "value_ranges"}:
        raise GXSuiteError(f"{a.where}: quantile_ranges needs 'quantiles' and 'value_ranges'")
    return qc.quantiles(_column(a), ranges["quantiles"], ranges["value_ranges"], **kw)


def _pair(a: Args) -> tuple[str, str]:
    cols = a.need("column_A"), a.need("column_B")
    if not all(isinstance(c, str) for c in cols):
        raise GXSuiteError(f"{a.where}: column_A and column_B must be column names")
    return cols


def _columns(a: Args) -> list[str]:
    return a.strings("column_list")


def _compound_unique(a: Args, kw: dict[str, Any]) -> Check:
    rule = a.get("ignore_row_if", "all_values_are_missing")
    if rule not in ("all_values_are_missing", "any_value_is_missing"):
        raise GXSuiteError(f"{a.where}: ignore_row_if {rule!r} is not supported for compound keys")
    cols = _columns(a)
    check = qc.unique(*cols, mostly=a.mostly(), **kw)
    return check if rule == "all_values_are_missing" else _drop_missing(check, tuple(cols))


def _drop_missing(check: Check, columns: tuple[str, ...]) -> Check:
    from console.quality.gx.conditions import filtered

    return filtered(check, None, None, columns, "")


def _partition(a: Args) -> dict[str, Any]:
    p = a.need("partition_object")
    if not isinstance(p, dict):
        raise GXSuiteError(f"{a.where}: partition_object must be an object")
    return p


def _kl(a: Args, kw: dict[str, Any]) -> Check:
    if not a.flag("bucketize_data", True):
        raise GXSuiteError(f"{a.where}: bucketize_data=false is not supported")
    return qc.kl_divergence(
        _column(a),
        _partition(a),
        a.number("threshold"),
        a.number("internal_weight_holdout", 0.0),
        a.number("tail_weight_holdout", 0.0),
        **kw,
    )


def _table_count(a: Args, kw: dict[str, Any]) -> Check:
    return qc.column_count(a.number("min_value"), a.number("max_value"), **kw)


def _exact_count(fn: Callable[..., Check]) -> Builder:
    def build(a: Args, kw: dict[str, Any]) -> Check:
        value = a.number("value", required=True)
        return fn(value, value, **kw)

    return build


TYPES: dict[str, Builder] = {
    "expect_column_min_to_be_between": _stat("min"),
    "expect_column_max_to_be_between": _stat("max"),
    "expect_column_mean_to_be_between": _stat("mean"),
    "expect_column_median_to_be_between": _stat("median"),
    "expect_column_sum_to_be_between": _stat("sum"),
    "expect_column_stdev_to_be_between": _stat("std"),
    "expect_column_unique_value_count_to_be_between": _distinct_count,
    "expect_column_proportion_of_unique_values_to_be_between": lambda a, kw: qc.unique_share(
        _column(a), *_bounds(a), **kw
    ),
    "expect_column_most_common_value_to_be_in_set": lambda a, kw: qc.most_common_in(
        _column(a), _value_set(a), a.flag("ties_okay"), **kw
    ),
    "expect_column_quantile_values_to_be_between": _quantiles,
    "expect_column_distinct_values_to_be_in_set": lambda a, kw: qc.distinct_in(
        _column(a), _value_set(a), **kw
    ),
    "expect_column_distinct_values_to_contain_set": lambda a, kw: qc.distinct_contains(
        _column(a), _value_set(a), **kw
    ),
    "expect_column_distinct_values_to_equal_set": lambda a, kw: qc.distinct_equals(
        _column(a), _value_set(a), **kw
    ),
    "expect_column_kl_divergence_to_be_less_than": _kl,
    "expect_column_chisquare_test_p_value_to_be_greater_than": lambda a, kw: qc.chisquare(
        _column(a), _partition(a), a.number("p", 0.05), a.number("tail_weight_holdout", 0.0), **kw
    ),
    "expect_column_parameterized_distribution_ks_test_p_value_to_be_greater_than": lambda a, kw: qc.ks_test(
        _column(a), a.need("distribution"), a.get("params"), a.number("p_value", 0.05), **kw
    ),
    "expect_column_bootstrapped_ks_test_p_value_to_be_greater_than": lambda a, kw: qc.bootstrapped_ks(
        _column(a),
        _partition(a),
        a.number("p", 0.05),
        a.number("bootstrap_samples", 1000),
        a.number("bootstrap_sample_size"),
        **kw,
    ),
    "expect_column_pair_cramers_phi_value_to_be_less_than": lambda a, kw: qc.cramers_phi(
        *_pair(a),
        a.number("threshold", 0.1),
        a.get("bins_A"),
        a.get("bins_B"),
        a.number("n_bins_A"),
        a.number("n_bins_B"),
        **kw,
    ),
    "expect_column_pair_values_to_be_equal": lambda a, kw: qc.pair_equal(
        *_pair(a), a.get("ignore_row_if", "both_values_are_missing"), a.mostly(), **kw
    ),
    "expect_column_pair_values_a_to_be_greater_than_b": lambda a, kw: qc.pair_greater(
        *_pair(a),
        a.flag("or_equal"),
        a.get("ignore_row_if", "both_values_are_missing"),
        a.mostly(),
        parse_dates=_dates(a),
        **kw,
    ),
    "expect_column_pair_values_to_be_in_set": lambda a, kw: qc.pair_in(
        *_pair(a),
        a.need("value_pairs_set"),
        a.get("ignore_row_if", "both_values_are_missing"),
        a.mostly(),
        **kw,
    ),
    "expect_multicolumn_sum_to_equal": lambda a, kw: qc.row_sum(
        _columns(a),
        a.number("sum_total", required=True),
        a.get("ignore_row_if", "all_values_are_missing"),
        a.mostly(),
        **kw,
    ),
    "expect_select_column_values_to_be_unique_within_record": lambda a, kw: qc.unique_within_row(
        _columns(a), a.get("ignore_row_if", "all_values_are_missing"), a.mostly(), **kw
    ),
    "expect_multicolumn_values_to_be_unique": lambda a, kw: qc.unique_within_row(
        _columns(a), a.get("ignore_row_if", "all_values_are_missing"), a.mostly(), **kw
    ),
    "expect_compound_columns_to_be_unique": _compound_unique,
    "expect_table_row_count_to_be_between": _row_count,
    "expect_table_row_count_to_equal": _exact_count(qc.row_count),
    "expect_table_row_count_to_equal_other_table": lambda a, kw: qc.same_row_count(
        a.need("other_table_name"), **kw
    ),
    "expect_table_column_count_to_be_between": _table_count,
    "expect_table_column_count_to_equal": _exact_count(qc.column_count),
    "expect_table_columns_to_match_ordered_list": lambda a, kw: qc.columns_match(
        a.strings("column_list"), ordered=True, **kw
    ),
    "expect_table_columns_to_match_set": lambda a, kw: qc.columns_match(
        a.strings("column_set"), exact=a.flag("exact_match", True), **kw
    ),
    "expect_column_to_exist": lambda a, kw: qc.column_exists(_column(a), a.get("column_index"), **kw),
}
