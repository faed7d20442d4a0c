"""load_suite: the GX 1.x and 0.x forms, refusal of unknown types and arguments by name,
row conditions, severities, the full catalogue, and suites written from native checks."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from console.errors import GXSuiteError
from console.quality import checks as qc
from console.quality import validate
from console.quality.gx import SUPPORTED, load_suite, read_suite, suite_from_checks
from console.quality.suggestions import suggest_checks

# The expectation types GX's test definitions (tests/test_definitions) exercise on pandas.
GX_PANDAS_TYPES = [
    "expect_column_distinct_values_to_be_in_set",
    "expect_column_distinct_values_to_contain_set",
    "expect_column_distinct_values_to_equal_set",
    "expect_column_max_to_be_between",
    "expect_column_mean_to_be_between",
    "expect_column_median_to_be_between",
    "expect_column_min_to_be_between",
    "expect_column_most_common_value_to_be_in_set",
    "expect_column_pair_cramers_phi_value_to_be_less_than",
    "expect_column_proportion_of_unique_values_to_be_between",
    "expect_column_quantile_values_to_be_between",
    "expect_column_stdev_to_be_between",
    "expect_column_sum_to_be_between",
    "expect_column_unique_value_count_to_be_between",
    "expect_column_chisquare_test_p_value_to_be_greater_than",
    "expect_column_kl_divergence_to_be_less_than",
    "expect_column_parameterized_distribution_ks_test_p_value_to_be_greater_than",
    "expect_column_bootstrapped_ks_test_p_value_to_be_greater_than",
    "expect_column_value_lengths_to_be_between",
    "expect_column_value_lengths_to_equal",
    "expect_column_value_z_scores_to_be_less_than",
    "expect_column_values_to_be_between",
    "expect_column_values_to_be_dateutil_parseable",
    "expect_column_values_to_be_decreasing",
    "expect_column_values_to_be_in_set",
    "expect_column_values_to_be_in_type_list",
    "expect_column_values_to_be_increasing",
    "expect_column_values_to_be_json_parseable",
    "expect_column_values_to_be_null",
    "expect_column_values_to_be_of_type",
    "expect_column_values_to_be_unique",
    "expect_column_values_to_match_json_schema",
    "expect_column_values_to_match_regex",
    "expect_column_values_to_match_regex_list",
    "expect_column_values_to_match_strftime_format",
    "expect_column_values_to_not_be_in_set",
    "expect_column_values_to_not_be_null",
    "expect_column_values_to_not_match_regex",
    "expect_column_values_to_not_match_regex_list",
    "expect_column_pair_values_a_to_be_greater_than_b",
    "expect_column_pair_values_to_be_equal",
    "expect_column_pair_values_to_be_in_set",
    "expect_compound_columns_to_be_unique",
    "expect_multicolumn_sum_to_equal",
    "expect_select_column_values_to_be_unique_within_record",
    "expect_column_to_exist",
    "expect_table_column_count_to_be_between",
    "expect_table_column_count_to_equal",
    "expect_table_columns_to_match_ordered_list",
    "expect_table_columns_to_match_set",
    "expect_table_row_count_to_be_between",
    "expect_table_row_count_to_equal",
]


def suite(*expectations: dict, name: str = "s") -> dict:
    return {"name": name, "expectations": list(expectations)}


def exp(kind: str, **kwargs: object) -> dict:
    return {"type": kind, "kwargs": kwargs, "meta": {}}


def test_the_whole_pandas_catalogue_is_supported() -> None:
    assert len(GX_PANDAS_TYPES) == 52
    assert set(GX_PANDAS_TYPES) <= set(SUPPORTED)


def test_v0_and_v1_forms_give_the_same_results() -> None:
    df = pd.DataFrame({"x": [1, 2, 30, None]})
    v1 = suite(exp("expect_column_values_to_be_between", column="x", min_value=0, max_value=10))
    v0 = {
        "expectation_suite_name": "s",
        "data_asset_type": "Dataset",
        "expectations": [
            {"expectation_type": "expect_column_values_to_be_between", "kwargs": v1["expectations"][0]["kwargs"],
             "meta": {}}
        ],
    }  # fmt: skip
    a, b = (validate(df, load_suite(s)).results[0] for s in (v1, v0))
    assert (a.passed, a.failing, a.total, a.sample_index) == (b.passed, b.failing, b.total, b.sample_index)
    assert (a.failing, a.total, a.sample_index) == (1, 3, [2])
    assert read_suite(v0).name == "s"


def test_unknown_type_is_refused_by_name() -> None:
    bad = suite(exp("expect_column_values_to_be_purple", column="x"), name="orders")
    with pytest.raises(
        GXSuiteError, match=r"suite 'orders' expectation #1 \(expect_column_values_to_be_purple\)"
    ):
        load_suite(bad)
    like = suite(exp("expect_column_values_to_match_like_pattern", column="x", like_pattern="a%"))
    with pytest.raises(GXSuiteError, match="SQL only"):
        load_suite(like)


def test_unknown_or_misplaced_argument_is_refused_by_name() -> None:
    typo = suite(
        exp("expect_column_values_to_not_be_null", column="x"),
        exp("expect_column_values_to_be_unique", colum="x"),
    )
    with pytest.raises(GXSuiteError, match=r"#2 \(expect_column_values_to_be_unique\).*colum"):
        load_suite(typo)
    mostly_on_aggregate = suite(exp("expect_column_mean_to_be_between", column="x", min_value=1, mostly=0.5))
    with pytest.raises(GXSuiteError, match="unknown argument 'mostly'"):
        load_suite(mostly_on_aggregate)
    with pytest.raises(GXSuiteError, match="needs value_set"):
        load_suite(suite(exp("expect_column_values_to_be_in_set", column="x")))
    with pytest.raises(GXSuiteError, match="min_value"):
        load_suite(suite(exp("expect_column_values_to_be_between", column="x")))
    with pytest.raises(GXSuiteError, match="unknown field 'expectation_typo'"):
        load_suite(
            suite({"type": "expect_column_to_exist", "kwargs": {"column": "x"}, "expectation_typo": 1})
        )


def test_unreadable_suites_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(GXSuiteError, match="no such suite file"):
        load_suite(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text('{"name": "x", ')
    with pytest.raises(GXSuiteError, match="not JSON"):
        load_suite(broken)
    with pytest.raises(GXSuiteError, match="'name'"):
        load_suite({"expectations": []})


def test_row_condition_restricts_rows_and_keeps_frame_indexes() -> None:
    df = pd.DataFrame({"kind": ["a", "b", "a", "a"], "x": [5, -1, -2, 3]}, index=[10, 11, 12, 13])
    checks = load_suite(suite(exp(
        "expect_column_values_to_be_between", column="x", min_value=0,
        row_condition='kind == "a"', condition_parser="pandas",
    )))  # fmt: skip
    r = validate(df, checks).results[0]
    assert (r.failing, r.total, r.sample_index) == (1, 3, [12])
    structured = {"type": "comparison", "column": {"name": "kind"}, "operator": "==", "parameter": "b"}
    s = suite(exp("expect_column_values_to_be_between", column="x", min_value=0, row_condition=structured))
    assert validate(df, load_suite(s)).results[0].sample_index == [11]
    with pytest.raises(GXSuiteError, match="condition_parser"):
        load_suite(suite(exp("expect_column_values_to_not_be_null", column="x", row_condition="x > 1")))
    broken = validate(df, load_suite(suite(exp(
        "expect_column_values_to_not_be_null", column="x", row_condition="nope > 1", condition_parser="pandas"
    )))).results[0]  # fmt: skip
    assert not broken.passed and "row_condition" in (broken.error or "")


def test_severity_parse_dates_and_compound_ignore_rules() -> None:
    df = pd.DataFrame({"d": ["2024-01-05", "2023-12-31"], "a": [1, 1], "b": [None, None]})
    s = suite(
        {**exp("expect_column_values_to_be_between", column="d", min_value="2024-01-01",
               parse_strings_as_datetimes=True), "severity": "warning"},
        exp("expect_compound_columns_to_be_unique", column_list=["a", "b"], ignore_row_if="any_value_is_missing"),
        exp("expect_compound_columns_to_be_unique", column_list=["a", "b"]),
    )  # fmt: skip
    between, any_missing, default = validate(df, load_suite(s)).results
    assert between.severity == "warn" and between.sample_index == [1]
    assert any_missing.passed and any_missing.total == 0
    assert not default.passed and default.failing == 2


def test_suites_plug_into_checks_lists(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps(suite(exp("expect_column_values_to_not_be_null", column="x"))))
    df = pd.DataFrame({"x": [1, None]})
    report = validate(df, [qc.gx_suite(path), qc.row_count(min=1)])
    assert [r.kind for r in report.results] == ["not_null", "row_count"]
    assert validate(df, qc.gx_suite(path)).results[0].failing == 1


def test_suggested_checks_round_trip_through_a_suite() -> None:
    rng = np.random.default_rng(5)
    df = pd.DataFrame({
        "order_id": np.arange(200), "amount": rng.gamma(2, 10, 200), "country": rng.choice(["DE", "FR"], 200),
        "tier": pd.Categorical(rng.choice(["a", "b"], 200)), "at": pd.date_range("2024", periods=200, tz="UTC"),
        "n": pd.array(rng.integers(0, 5, 200), dtype="Int64"),
    })  # fmt: skip
    written = json.loads(json.dumps(suite_from_checks(suggest_checks(df), "orders", df)))
    report = validate(df, load_suite(written))
    assert report.passed, str(report)
    kinds = {e["type"] for e in written["expectations"]}
    assert {"expect_column_values_to_be_unique", "expect_column_values_to_be_in_set",
            "expect_column_values_to_be_of_type", "expect_table_row_count_to_be_between"} <= kinds  # fmt: skip
    broken = df.assign(country=["XX", *df["country"][1:]])
    assert not validate(broken, load_suite(written)).passed
    with pytest.raises(GXSuiteError, match="no Great Expectations counterpart"):
        suite_from_checks([qc.freshness("at", "1d")], "x")
