"""Row-level checks: each passing and failing, with nulls, categoricals, nullable dtypes."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from console.quality import checks as qc
from console.quality import validate


def one(df: pd.DataFrame, check, **kwargs):
    report = validate(df, [check], **kwargs)
    assert len(report.results) == 1
    return report.results[0]


# not_null ---------------------------------------------------------------------------------


def test_not_null_counts_every_kind_of_null() -> None:
    df = pd.DataFrame(
        {
            "f": [1.0, np.nan, 3.0, 4.0],
            "o": ["a", None, pd.NA, "d"],
            "i": pd.array([1, None, 3, 4], dtype="Int64"),
            "t": pd.to_datetime(["2024-01-01", None, "2024-01-03", "2024-01-04"]),
        }
    )
    for column, expected in [("f", 1), ("o", 2), ("i", 1), ("t", 1)]:
        r = one(df, qc.not_null(column))
        assert (r.failing, r.total, r.passed) == (expected, 4, False), column
    assert one(df[["f"]].dropna(), qc.not_null("f")).passed


def test_not_null_without_column_flags_rows_with_any_null() -> None:
    df = pd.DataFrame({"a": [1.0, np.nan, 3.0], "b": ["x", "y", None], "c": [1, 2, 3]})
    r = one(df, qc.not_null())
    assert r.failing == 2
    assert r.sample_index == [1, 2]
    assert r.details["null_counts"] == {"a": 1, "b": 1}
    assert r.check == "not_null()"


def test_not_null_mostly_is_a_fraction_of_all_rows() -> None:
    df = pd.DataFrame({"a": [1.0] * 95 + [np.nan] * 5})
    assert one(df, qc.not_null("a", mostly=0.95)).passed
    assert not one(df, qc.not_null("a", mostly=0.96)).passed


# unique -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        [3, 1, 2, 1, 5, 3, 7],  # dense ints: counting path
        [3, 10**15, 2, 10**15, 5, 3, -(10**15)],  # sparse ints: sorting path
        [0.5, 1.5, 2.5, 1.5, 9.0, 0.5, 7.0],  # floats
        ["c", "a", "b", "a", "e", "c", "g"],  # strings: pandas path
    ],
)
def test_unique_flags_every_row_of_a_duplicated_value(values) -> None:
    r = one(pd.DataFrame({"k": values}), qc.unique("k"))
    assert r.failing == 4
    assert r.sample_index == [0, 1, 3, 5]
    assert not r.passed


def test_unique_ignores_nulls_for_a_single_column() -> None:
    df = pd.DataFrame({"k": [1.0, np.nan, np.nan, 2.0], "n": pd.array([1, None, None, 2], dtype="Int64")})
    for column in ("k", "n"):
        r = one(df, qc.unique(column))
        assert (r.passed, r.failing, r.total) == (True, 0, 2)


def test_unique_on_nullable_ints_and_categoricals() -> None:
    df = pd.DataFrame(
        {
            "n": pd.array([1, None, 1, 3], dtype="Int64"),
            "c": pd.Categorical(["x", "y", None, "y"], categories=["x", "y", "z"]),
        }
    )
    assert one(df, qc.unique("n")).sample_index == [0, 2]
    assert one(df, qc.unique("c")).sample_index == [1, 3]


def test_unique_compound_key() -> None:
    df = pd.DataFrame({"a": [1, 1, 2, 2, 1], "b": ["x", "y", "x", "x", "x"]})
    r = one(df, qc.unique("a", "b"))
    assert r.sample_index == [0, 2, 3, 4]
    assert r.check == "unique(a, b)"
    assert one(pd.DataFrame({"a": [1, 1, 2], "b": [5, 6, 5]}), qc.unique("a", "b")).passed
    # dense integer fast path must agree with pandas
    rng = np.random.default_rng(0)
    ints = pd.DataFrame({"a": rng.integers(0, 30, 500), "b": rng.integers(-5, 5, 500)})
    expected = np.flatnonzero(ints.duplicated(keep=False).to_numpy())
    assert np.array_equal(np.flatnonzero(one(ints, qc.unique("a", "b")).failing_mask), expected)


def test_unique_compound_ignores_rows_where_the_whole_key_is_null() -> None:
    df = pd.DataFrame({"a": [np.nan, np.nan, 1.0, 1.0], "b": [None, None, "x", None]})
    r = one(df, qc.unique("a", "b"))
    assert (r.failing, r.total) == (0, 2)


def test_unique_mostly() -> None:
    df = pd.DataFrame({"k": [1, 1, *list(range(2, 100))]})
    assert one(df, qc.unique("k", mostly=0.98)).passed
    assert not one(df, qc.unique("k", mostly=0.99)).passed


def test_unique_matches_pandas_on_random_data() -> None:
    rng = np.random.default_rng(1)
    for values in (
        rng.integers(0, 2000, 3000),
        rng.integers(-(2**62), 2**62, 50).repeat(2),
        rng.integers(0, 50, 200).astype(np.uint16),
        rng.random(300).round(2),
    ):
        mask = one(pd.DataFrame({"k": values}), qc.unique("k")).failing_mask
        assert np.array_equal(mask, pd.Series(values).duplicated(keep=False).to_numpy())


# between ----------------------------------------------------------------------------------


def test_between_numbers_ignores_nan_and_respects_strictness() -> None:
    df = pd.DataFrame({"x": [0.0, 0.5, 1.0, np.nan, -0.1, 1.1]})
    r = one(df, qc.between("x", 0, 1))
    assert (r.failing, r.total, r.sample_index) == (2, 5, [4, 5])
    assert one(df, qc.between("x", 0, 1, strict_min=True)).sample_index == [0, 4, 5]
    assert one(df, qc.between("x", 0, 1, strict_max=True)).sample_index == [2, 4, 5]
    assert one(df, qc.between("x", max=0.5)).sample_index == [2, 5]
    assert one(df.dropna().query("x >= 0 and x <= 1"), qc.between("x", 0, 1)).passed


def test_between_mostly_counts_non_null_values_only() -> None:
    df = pd.DataFrame({"x": [1.0] * 9 + [50.0] + [np.nan] * 10})
    assert one(df, qc.between("x", 0, 10, mostly=0.9)).passed
    assert not one(df, qc.between("x", 0, 10, mostly=0.91)).passed


def test_between_nullable_ints() -> None:
    df = pd.DataFrame({"n": pd.array([1, None, 7, -3], dtype="Int64")})
    r = one(df, qc.between("n", 0, 5))
    assert (r.failing, r.total, r.sample_index) == (2, 3, [2, 3])


def test_between_object_column_with_garbage_fails_the_garbage_rows() -> None:
    df = pd.DataFrame({"x": ["1", "2.5", "abc", None, "1e9", "", 3]}, dtype=object)
    r = one(df, qc.between("x", 0, 10))
    assert r.error is None
    assert r.sample_index == [2, 4, 5]
    assert r.total == 6


def test_between_on_a_categorical_maps_categories() -> None:
    df = pd.DataFrame({"c": pd.Categorical([1, 5, 9, None, 5])})
    assert one(df, qc.between("c", 0, 6)).sample_index == [2]


def test_between_tz_aware_datetimes() -> None:
    ts = pd.DatetimeIndex(
        [pd.Timestamp("2024-01-01 10:00"), pd.Timestamp("2024-03-01"), pd.NaT, pd.Timestamp("2024-06-01")]
    ).tz_localize("Europe/Paris")
    df = pd.DataFrame({"t": ts})
    r = one(df, qc.between("t", "2024-02-01", pd.Timestamp("2024-05-01", tz="UTC")))
    assert (r.failing, r.total, r.sample_index) == (2, 3, [0, 3])
    naive = pd.DataFrame({"t": ts.tz_localize(None)})
    bad = one(naive, qc.between("t", pd.Timestamp("2024-02-01", tz="UTC")))
    assert bad.error and "time zone" in bad.error
    numbers = one(df, qc.between("t", 0, 1))
    assert numbers.error and "date/time bounds" in numbers.error


def test_between_text_bounds_compare_as_text() -> None:
    df = pd.DataFrame({"s": ["apple", "kiwi", "zebra", None]})
    assert one(df, qc.between("s", "b", "y")).sample_index == [0, 2]


# isin / not_in / referential --------------------------------------------------------------


def test_isin_and_not_in_ignore_nulls() -> None:
    df = pd.DataFrame({"s": ["a", "b", None, "z", "a"]})
    r = one(df, qc.isin("s", ["a", "b"]))
    assert (r.failing, r.total, r.sample_index) == (1, 4, [3])
    r = one(df, qc.not_in("s", {"a"}))
    assert r.sample_index == [0, 4]
    assert one(df, qc.isin("s", ["a", "b", "z"])).passed


def test_isin_on_categorical_and_nullable() -> None:
    df = pd.DataFrame(
        {
            "c": pd.Categorical(["DE", "FR", None, "XX", "DE"], categories=["DE", "FR", "XX", "YY"]),
            "n": pd.array([1, 2, None, 9, 1], dtype="Int64"),
        }
    )
    assert one(df, qc.isin("c", ["DE", "FR"])).sample_index == [3]
    assert one(df, qc.not_in("c", ["DE"])).sample_index == [0, 4]
    assert one(df, qc.isin("n", [1, 2])).sample_index == [3]


def test_isin_mostly() -> None:
    df = pd.DataFrame({"s": ["a"] * 9 + ["b"]})
    assert one(df, qc.isin("s", ["a"], mostly=0.9)).passed
    assert not one(df, qc.isin("s", ["a"], mostly=0.95)).passed


def test_referential_with_a_list_and_with_an_upstream_frame() -> None:
    orders = pd.DataFrame({"user_id": [1, 2, 3, None, 9]})
    users = pd.DataFrame({"id": [1, 2, 3, 4]})
    r = one(orders, qc.referential("user_id", [1, 2, 3]))
    assert (r.failing, r.sample_index) == (1, [4])
    r = one(orders, qc.referential("user_id", "users.id"), frames={"users": users})
    assert (r.failing, r.sample_index, r.error) == (1, [4], None)
    assert r.details["reference"] == "users.id"
    assert one(orders.iloc[:3], qc.referential("user_id", users["id"])).passed


def test_referential_missing_upstream_frame_or_column_is_an_error_result() -> None:
    df = pd.DataFrame({"user_id": [1]})
    r = one(df, qc.referential("user_id", "users.id"))
    assert not r.passed and "no upstream frame 'users'" in r.error
    r = one(df, qc.referential("user_id", "users.uid"), frames={"users": pd.DataFrame({"id": [1]})})
    assert "column 'uid' not in frame 'users'" in r.error


# regex / format / str_length --------------------------------------------------------------


def test_regex_uses_search_semantics() -> None:
    df = pd.DataFrame({"s": ["abc123", "xyz", None, "123"]})
    assert one(df, qc.regex("s", r"\d+")).sample_index == [1]
    assert one(df, qc.regex("s", r"^\d+$")).sample_index == [0, 1]


def test_regex_on_numbers_and_categoricals() -> None:
    df = pd.DataFrame({"zip": [12345, 1234, 99999], "c": pd.Categorical(["ab", "x1", "ab"])})
    assert one(df, qc.regex("zip", r"^\d{5}$")).sample_index == [1]
    assert one(df, qc.regex("c", r"^[a-z]+$")).sample_index == [1]


@pytest.mark.parametrize(
    ("fmt", "good", "bad"),
    [
        ("email", ["ana@example.com", "a.b+c@mail.co.uk"], ["ana@", "@x.com", "a b@x.com", "ana@example"]),
        (
            "url",
            ["https://example.com/a?b=1", "http://localhost:8080"],
            ["example.com", "https://", "ftp:/x"],
        ),
        (
            "iso_date",
            ["2024-02-29", "1999-12-31"],
            ["2024-13-01", "2024-1-1", "2024-01-01T00:00", "2024-01-32"],
        ),
        ("uuid", ["123e4567-e89b-42d3-a456-426614174000"], ["123e4567e89b42d3a456426614174000", "xyz"]),
        ("phone", ["+1 415 555 0123", "(030) 1234567"], ["12", "phone", "+1-415-555-0123-999999999"]),
    ],
)
def test_named_formats(fmt: str, good: list[str], bad: list[str]) -> None:
    df = pd.DataFrame({"v": good + bad})
    expected = list(range(len(good), len(good) + len(bad)))
    assert one(df, qc.format("v", fmt)).sample_index == expected
    assert one(df, qc.regex("v", f"format:{fmt}")).sample_index == expected


def test_format_rejects_a_trailing_newline() -> None:
    assert not one(pd.DataFrame({"v": ["ana@example.com\n"]}), qc.format("v", "email")).passed


def test_str_length() -> None:
    df = pd.DataFrame(
        {
            "s": ["ab", "abcd", None, "", "abcdefg"],
            "t": pd.array(["ab", None, "xyz", "a", "q"], dtype="string"),
        }
    )
    assert one(df, qc.str_length("s", 1, 4)).sample_index == [3, 4]
    assert one(df, qc.str_length("t", min=2)).sample_index == [3, 4]


# compare / expression ---------------------------------------------------------------------


def test_compare_columns_ignores_rows_with_a_null_operand() -> None:
    df = pd.DataFrame({"start": [1.0, 5.0, np.nan, 2.0], "end": [2.0, 4.0, 1.0, np.nan]})
    r = one(df, qc.compare("start", "<=", "end"))
    assert (r.failing, r.total, r.sample_index) == (1, 2, [1])
    assert one(df, qc.compare("start", ">", 0)).passed
    assert one(df, qc.compare("start", "!=", 5)).sample_index == [1]


def test_compare_dates_and_mixed_object_columns() -> None:
    df = pd.DataFrame(
        {
            "a": pd.to_datetime(["2024-01-01", "2024-02-01"]),
            "b": pd.to_datetime(["2024-01-05", "2024-01-05"]),
            "x": pd.Series(["1", "oops", "3"][:2], dtype=object),
            "y": [0, 0],
        }
    )
    assert one(df, qc.compare("a", "<", "b")).sample_index == [1]
    r = one(df, qc.compare("x", ">", "y"))
    assert r.error is None and r.sample_index == [1]


def test_expression_ignores_rows_with_nulls_in_used_columns() -> None:
    df = pd.DataFrame({"amount": [1.0, -1.0, np.nan, 3.0], "age": [20, 30, 40, 200]})
    r = one(df, qc.expression("amount >= 0 and age < 130"))
    assert (r.failing, r.total, r.sample_index) == (2, 3, [1, 3])
    assert r.columns == ("amount", "age")


def test_expression_errors_are_results() -> None:
    df = pd.DataFrame({"a": [1, 2]})
    assert "nope" in one(df, qc.expression("nope > 1")).error
    assert "booleans" in one(df, qc.expression("a + 1")).error


def test_checks_on_an_empty_frame_pass_with_total_zero() -> None:
    df = pd.DataFrame({"x": pd.Series([], dtype=float), "s": pd.Series([], dtype=object)})
    for check in [
        qc.not_null("x"),
        qc.unique("x"),
        qc.between("x", 0, 1),
        qc.isin("s", ["a"]),
        qc.regex("s", "a"),
        qc.str_length("s", 1),
        qc.compare("x", "<", 1),
        qc.expression("x > 0"),
    ]:
        r = one(df, check)
        assert (r.passed, r.failing, r.total, r.error) == (True, 0, 0, None), check


def test_between_date_bounds_on_text_dates_count_unparseable() -> None:
    df = pd.DataFrame({"d": ["2024-01-01", "not a date", "2030-01-01", None]})
    r = one(df, qc.between("d", dt.date(2023, 1, 1), dt.date(2025, 1, 1)))
    assert (r.sample_index, r.total) == ([1, 2], 3)
