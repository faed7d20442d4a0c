"""Every expectation type GX 1.x implements on pandas, run by GX and by ops-console on the
same frames (nulls, mixed object columns, a failing row here and there, and the same frame
emptied): success, unexpected counts and the first failing indexes must agree. Skipped
when GX is not installed (``pip install -e ".[gxtest]"``).

(The four distribution expectations and Cramér's phi raise NotImplementedError in GX 1.x;
their cases are in test_quality_frame_types.py, against scipy.)
"""

from __future__ import annotations

import logging
import os
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest

from console.quality import validate
from console.quality.gx import load_suite

C = "expect_column_"
CASES: list[tuple[str, dict[str, Any]]] = [
    (C + "values_to_not_be_null", {"column": "a", "mostly": 0.95}),
    (C + "values_to_be_null", {"column": "s"}),
    (C + "values_to_be_unique", {"column": "b"}),
    (C + "values_to_be_between", {"column": "a", "min_value": 5, "max_value": 15, "strict_min": True}),
    (C + "values_to_be_between", {"column": "b", "min_value": 2, "row_condition": "a > 10", "condition_parser": "pandas"}),
    (C + "values_to_be_in_set", {"column": "s", "value_set": ["apple", "banana"]}),
    (C + "values_to_not_be_in_set", {"column": "s", "value_set": ["apple"], "mostly": 0.5}),
    (C + "values_to_be_of_type", {"column": "b", "type_": "int64"}),
    (C + "values_to_be_of_type", {"column": "m", "type_": "str"}),
    (C + "values_to_be_in_type_list", {"column": "m", "type_list": ["int", "str"]}),
    (C + "values_to_be_in_type_list", {"column": "a", "type_list": ["float64", "int"]}),
    (C + "values_to_be_increasing", {"column": "inc"}),
    (C + "values_to_be_increasing", {"column": "inc", "strictly": True}),
    (C + "values_to_be_decreasing", {"column": "inc", "mostly": 0.01}),
    (C + "values_to_be_dateutil_parseable", {"column": "d"}),
    (C + "values_to_be_json_parseable", {"column": "j"}),
    (C + "values_to_match_strftime_format", {"column": "d", "strftime_format": "%Y-%m-%d"}),
    (C + "values_to_match_regex", {"column": "s", "regex": "an"}),
    (C + "values_to_not_match_regex", {"column": "s", "regex": "an"}),
    (C + "values_to_match_regex_list", {"column": "s", "regex_list": ["an", "e"], "match_on": "all"}),
    (C + "values_to_match_regex_list", {"column": "s", "regex_list": ["an", "e"]}),
    (C + "values_to_not_match_regex_list", {"column": "s", "regex_list": ["an", "ki"]}),
    (C + "value_lengths_to_be_between", {"column": "s", "min_value": 5, "max_value": 5}),
    (C + "value_lengths_to_equal", {"column": "s", "value": 6}),
    (C + "value_z_scores_to_be_less_than", {"column": "a", "threshold": 1.5, "double_sided": True}),
    (C + "value_z_scores_to_be_less_than", {"column": "a", "threshold": 1.0, "double_sided": False}),
    (C + "min_to_be_between", {"column": "a", "min_value": 0}),
    (C + "max_to_be_between", {"column": "a", "max_value": 15}),
    (C + "mean_to_be_between", {"column": "a", "min_value": 9, "max_value": 11}),
    (C + "median_to_be_between", {"column": "b", "min_value": 9, "max_value": 11}),
    (C + "sum_to_be_between", {"column": "b", "min_value": 100}),
    (C + "stdev_to_be_between", {"column": "a", "max_value": 3.0}),
    (C + "unique_value_count_to_be_between", {"column": "b", "min_value": 19, "strict_min": True}),
    (C + "proportion_of_unique_values_to_be_between", {"column": "b", "max_value": 0.1}),
    (C + "most_common_value_to_be_in_set", {"column": "s", "value_set": ["apple"]}),
    (C + "most_common_value_to_be_in_set", {"column": "p1", "value_set": [0, 1], "ties_okay": True}),
    (C + "quantile_values_to_be_between", {"column": "a", "quantile_ranges": {
        "quantiles": [0.1, 0.5, 0.9], "value_ranges": [[0, 7], [9, 11], [None, 13]]}}),
    (C + "distinct_values_to_be_in_set", {"column": "b", "value_set": list(range(15))}),
    (C + "distinct_values_to_contain_set", {"column": "b", "value_set": [1, 2, 30]}),
    (C + "distinct_values_to_equal_set", {"column": "p1", "value_set": [0, 1, 2]}),
    (C + "pair_values_to_be_equal", {"column_A": "b", "column_B": "c"}),
    (C + "pair_values_to_be_equal", {"column_A": "a", "column_B": "a2", "ignore_row_if": "either_value_is_missing"}),
    (C + "pair_values_a_to_be_greater_than_b", {"column_A": "b", "column_B": "c", "or_equal": True}),
    (C + "pair_values_to_be_in_set", {"column_A": "p1", "column_B": "p2",
                                      "value_pairs_set": [[0, 0], [1, 1], [2, 2], [0, 1]]}),
    ("expect_multicolumn_sum_to_equal", {"column_list": ["p1", "p2"], "sum_total": 2}),
    ("expect_select_column_values_to_be_unique_within_record", {"column_list": ["p1", "p2"]}),
    ("expect_compound_columns_to_be_unique", {"column_list": ["p1", "p2", "b"]}),
    ("expect_table_column_count_to_equal", {"value": 13}),
    ("expect_table_column_count_to_be_between", {"min_value": 14}),
    ("expect_table_columns_to_match_set", {"column_set": ["a", "b"], "exact_match": False}),
    ("expect_table_columns_to_match_set", {"column_set": ["a", "b"]}),
    ("expect_table_row_count_to_equal", {"value": 200}),
    ("expect_table_row_count_to_be_between", {"min_value": 10, "max_value": 100}),
    (C + "to_exist", {"column": "s", "column_index": 2}),
    (C + "to_exist", {"column": "zz"}),
]  # fmt: skip


def frame(n: int = 200) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    a = np.where(rng.random(n) < 0.1, np.nan, rng.normal(10, 3, n))
    df = pd.DataFrame({
        "a": a, "b": rng.integers(0, 20, n),
        "s": rng.choice(np.array(["apple", "banana", "cherry", None, "kiwi1"], dtype=object), n),
        "d": rng.choice(np.array(["2024-01-05", "2024-02-30", "not a date", None, "5 Jan 2024"], dtype=object), n),
        "j": rng.choice(np.array(['{"x": 1}', "[1,2]", "{bad", None], dtype=object), n),
        "inc": np.arange(n).astype(float), "c": rng.integers(0, 20, n),
        "p1": rng.integers(0, 3, n), "p2": rng.integers(0, 3, n),
        "m": pd.Series(rng.choice(np.array(["x", 1, 2.5, None], dtype=object), n), dtype=object),
        "a2": np.where(rng.random(n) < 0.5, a, a + 1),
        "e1": np.nan, "e2": np.nan,
    })  # fmt: skip
    df.loc[5, "inc"], df.loc[7, "inc"], df.loc[3, "c"] = 1.0, np.nan, df.loc[3, "b"]
    return df


def _class(kind: str) -> str:
    return "".join(part.capitalize() for part in kind.split("_"))


@pytest.fixture(scope="module")
def gx_batch() -> Any:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    gx = pytest.importorskip("great_expectations")
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    definition = (
        context.data_sources.add_pandas("t")
        .add_dataframe_asset("f")
        .add_batch_definition_whole_dataframe("a")
    )

    def run(df: pd.DataFrame, kind: str, kwargs: dict[str, Any]) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            batch = definition.get_batch(batch_parameters={"dataframe": df})
            return batch.validate(getattr(gx.expectations, _class(kind))(**kwargs), result_format="COMPLETE")

    return run


def _disagreements(df: pd.DataFrame, run: Any) -> list[Any]:
    suite = {"name": "catalogue", "expectations": [{"type": t, "kwargs": k} for t, k in CASES]}
    checks = load_suite(suite)
    ours = validate(df, checks).results
    out = []
    for (kind, kwargs), check, result in zip(CASES, checks, ours, strict=True):
        theirs = run(df, kind, kwargs)
        raised = bool(theirs.exception_info.get("raised_exception"))
        got = theirs.result
        same = theirs.success == result.passed and (raised == bool(result.error) or not theirs.success)
        if check.row_level and "unexpected_count" in got and not raised:
            same &= got["unexpected_count"] == result.failing
            same &= list(got.get("unexpected_index_list") or [])[:20] == result.sample_index
        if not same:
            out.append(
                (kind, kwargs, theirs.success, got.get("unexpected_count"), result.passed, result.failing)
            )
    return out


def test_every_type_agrees_with_gx(gx_batch: Any) -> None:
    assert _disagreements(frame(), gx_batch) == []


def test_every_type_agrees_with_gx_on_an_empty_frame(gx_batch: Any) -> None:
    assert _disagreements(frame().iloc[:0], gx_batch) == []
