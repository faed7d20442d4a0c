"""Null, type, parsing, pattern and order checks, with cases written from GX's documented
semantics: value checks ignore nulls, ``mostly`` is a share of non-null values, empty
columns pass vacuously, mixed object columns are judged value by value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from console.errors import CheckDefinitionError
from console.quality import Check, CheckResult, validate
from console.quality import checks as qc


def one(df: pd.DataFrame, check: Check) -> CheckResult:
    return validate(df, [check]).results[0]


def test_null_counts_every_row_and_honours_mostly() -> None:
    df = pd.DataFrame({"x": [None, np.nan, 3.0, None]})
    r = one(df, qc.null("x"))
    assert (r.passed, r.failing, r.total, r.sample_index) == (False, 1, 4, [2])
    assert one(df, qc.null("x", mostly=0.75)).passed
    assert one(pd.DataFrame({"x": pd.Series([], dtype=float)}), qc.null("x")).passed
    assert one(pd.DataFrame({"x": [1, 2]}), qc.null("x")).failing == 2  # ints cannot be null


def test_of_type_judges_the_dtype_or_each_object_value() -> None:
    df = pd.DataFrame({"i": [1, 2], "f": [1.0, np.nan], "o": pd.Series(["a", 1], dtype=object)})
    assert one(df, qc.of_type("i", "int64")).passed
    assert not one(df, qc.of_type("f", "int64")).passed
    mixed = one(df, qc.of_type("o", "str"))
    assert (mixed.passed, mixed.failing, mixed.sample_index) == (False, 1, [1])
    assert one(df, qc.in_types("o", ["int", "str"])).passed
    nulls_ignored = pd.DataFrame({"o": pd.Series(["a", None, "b"], dtype=object)})
    assert one(nulls_ignored, qc.of_type("o", "str")).total == 2
    with pytest.raises(CheckDefinitionError, match="unknown"):
        qc.of_type("i", "no_such_type")


def test_of_type_on_extension_and_datetime_dtypes() -> None:
    df = pd.DataFrame(
        {"n": pd.array([1, None], dtype="Int64"), "t": pd.date_range("2024", periods=2, tz="UTC")}
    )
    assert one(df, qc.in_types("n", ["Int64Dtype"])).passed
    assert one(df, qc.of_type("t", "Timestamp")).passed
    assert not one(df, qc.of_type("t", "datetime64")).passed


def test_parsers_judge_distinct_strings_and_refuse_non_strings() -> None:
    df = pd.DataFrame({"d": ["2024-01-05", "5 Jan 2024", "not a date", None, "2024-02-30"]})
    r = one(df, qc.date_parseable("d"))
    assert (r.failing, r.total, r.sample_index) == (2, 4, [2, 4])
    assert one(df, qc.date_format("d", "%Y-%m-%d")).sample_index == [1, 2, 4]
    numbers = one(pd.DataFrame({"d": pd.Series(["2024-01-01", 5], dtype=object)}), qc.date_parseable("d"))
    assert numbers.error and "needs strings" in numbers.error
    with pytest.raises(CheckDefinitionError):
        qc.date_format("d", "")


def test_json_checks() -> None:
    df = pd.DataFrame({"j": ['{"a": 1}', "[1, 2]", "{bad", None, '{"a": "x"}']})
    assert one(df, qc.json_parseable("j")).sample_index == [2]
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}}
    ok = pd.DataFrame({"j": ['{"a": 1}', '{"a": "x"}', "[1]", None]})
    r = one(ok, qc.json_schema("j", schema))
    assert (r.failing, r.total, r.sample_index) == (2, 3, [1, 2])
    with pytest.raises(CheckDefinitionError, match="invalid schema"):
        qc.json_schema("j", {"type": 12})


def test_regex_lists_and_negations_use_search_semantics() -> None:
    df = pd.DataFrame({"s": ["banana", "apple", "kiwi", None, 42]})
    assert one(df, qc.regex_list("s", ["an", "pp"])).sample_index == [2, 4]
    assert one(df, qc.regex_list("s", ["a", "n"], match_on="all")).sample_index == [1, 2, 4]
    assert one(df, qc.not_regex("s", "an")).sample_index == [0]
    assert one(df, qc.not_regex_list("s", ["an", "^4"])).sample_index == [0, 4]  # 42 judged as "42"
    assert one(df, qc.not_regex("s", "an", mostly=0.75)).passed
    with pytest.raises(CheckDefinitionError):
        qc.regex_list("s", ["("])
    with pytest.raises(CheckDefinitionError):
        qc.regex_list("s", ["a"], match_on="some")


def test_str_length_strict_bounds() -> None:
    df = pd.DataFrame({"s": ["ab", "abc", "abcd", None]})
    assert one(df, qc.str_length("s", 2, 4)).passed
    assert one(df, qc.str_length("s", 2, 4, strict_min=True, strict_max=True)).sample_index == [0, 2]


def test_increasing_skips_nulls_and_strictly_refuses_ties() -> None:
    df = pd.DataFrame({"x": [1.0, np.nan, 2.0, 2.0, 1.5, 3.0]})
    r = one(df, qc.increasing("x"))
    assert (r.failing, r.total, r.sample_index) == (1, 5, [4])
    assert one(df, qc.increasing("x", strictly=True)).sample_index == [3, 4]
    assert one(df, qc.decreasing("x")).sample_index == [2, 5]
    dates = pd.DataFrame({"d": ["2024-01-01", "2024-01-03", "2024-01-02"]})
    assert one(dates, qc.increasing("d", parse_dates=True)).sample_index == [2]
    assert one(pd.DataFrame({"x": pd.Series([], dtype=float)}), qc.increasing("x")).passed
    assert one(pd.DataFrame({"x": ["a", "b"]}), qc.increasing("x")).error


def test_zscore_uses_the_sample_standard_deviation() -> None:
    values = np.array([1.0, 2.0, 3.0, 4.0, 100.0])
    z = (values - values.mean()) / values.std(ddof=1)
    df = pd.DataFrame({"x": np.append(values, np.nan)})
    r = one(df, qc.zscore("x", 1.5))
    assert r.failing == int(np.count_nonzero(np.abs(z) >= 1.5)) == 1 and r.total == 5
    one_sided = one(df, qc.zscore("x", -0.5, double_sided=False))
    assert one_sided.failing == int(np.count_nonzero(z >= -0.5))
    flat = one(pd.DataFrame({"x": [2.0, 2.0]}), qc.zscore("x", 3))
    assert flat.failing == 2  # sd 0: every z-score is undefined, so none is under the threshold
