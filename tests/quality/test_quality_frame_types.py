"""Multi-column, set, quantile, table-shape and distribution checks: ``ignore_row_if``
decides which rows count, aggregates ignore nulls, distribution tests follow scipy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from console.errors import CheckDefinitionError
from console.quality import Check, CheckResult, validate
from console.quality import checks as qc


def one(df: pd.DataFrame, check: Check) -> CheckResult:
    return validate(df, [check]).results[0]


@pytest.fixture
def pairs() -> pd.DataFrame:
    return pd.DataFrame({"a": [1.0, 2.0, np.nan, np.nan, 5.0], "b": [1.0, 3.0, 4.0, np.nan, 4.0]})


def test_pair_equal_and_ignore_row_if(pairs: pd.DataFrame) -> None:
    r = one(pairs, qc.pair_equal("a", "b"))  # both missing: ignored; one missing: unequal
    assert (r.failing, r.total, r.sample_index) == (3, 4, [1, 2, 4])
    r = one(pairs, qc.pair_equal("a", "b", ignore_row_if="either_value_is_missing"))
    assert (r.failing, r.total) == (2, 3)
    assert one(pairs, qc.pair_equal("a", "b", ignore_row_if="neither")).total == 5
    with pytest.raises(CheckDefinitionError):
        qc.pair_equal("a", "b", ignore_row_if="all_values_are_missing")


def test_pair_greater_and_pair_in(pairs: pd.DataFrame) -> None:
    assert one(pairs, qc.pair_greater("a", "b")).sample_index == [0, 1, 2]
    assert one(pairs, qc.pair_greater("a", "b", or_equal=True)).sample_index == [1, 2]
    df = pd.DataFrame({"x": ["a", "b", "c", None], "y": [1, 2, 3, None]})
    r = one(df, qc.pair_in("x", "y", [("a", 1), ("b", 2)]))
    assert (r.failing, r.total, r.sample_index) == (1, 3, [2])
    dates = pd.DataFrame({"end": ["2024-02-01", "2024-01-01"], "start": ["2024-01-01", "2024-01-05"]})
    assert one(dates, qc.pair_greater("end", "start", parse_dates=True)).sample_index == [1]


def test_row_sum_and_unique_within_row() -> None:
    df = pd.DataFrame({"a": [1, 2, np.nan, np.nan], "b": [1, 0, 2, np.nan], "c": [0, 0, 0, np.nan]})
    r = one(df, qc.row_sum(["a", "b", "c"], 2))  # nulls add 0; the all-missing row is ignored
    assert (r.failing, r.total) == (0, 3)
    assert one(df, qc.row_sum(["a", "b", "c"], 2, ignore_row_if="never")).sample_index == [3]
    u = one(df, qc.unique_within_row(["a", "b", "c"]))
    assert u.sample_index == [0, 1]
    assert one(df, qc.unique_within_row(["a", "b", "c"], ignore_row_if="never")).sample_index == [0, 1, 3]
    with pytest.raises(CheckDefinitionError):
        qc.row_sum(["a"], 1)


def test_distinct_sets() -> None:
    df = pd.DataFrame({"s": ["a", "b", "b", None]})
    assert one(df, qc.distinct_in("s", ["a", "b", "c"])).passed
    r = one(df, qc.distinct_in("s", ["a"]))
    assert not r.passed and r.details["unexpected"] == ["b"]
    assert not one(df, qc.distinct_contains("s", ["a", "c"])).passed
    assert one(df, qc.distinct_equals("s", ["b", "a"])).passed
    assert one(pd.DataFrame({"s": pd.Categorical(["a", None])}), qc.distinct_equals("s", ["a"])).passed


def test_most_common_unique_share_and_quantiles() -> None:
    df = pd.DataFrame({"s": ["a", "a", "b", "b", "c", None]})
    assert not one(df, qc.most_common_in("s", ["a"])).passed  # a tie, and b is not allowed
    assert one(df, qc.most_common_in("s", ["a"], ties_okay=True)).passed
    share = one(df, qc.unique_share("s", max=0.6))
    assert share.observed == pytest.approx(3 / 5) and share.passed
    assert not one(df, qc.unique_share("s", max=0.6, strict_max=True)).passed
    assert one(pd.DataFrame({"s": [None, None]}), qc.unique_share("s", max=0)).observed == 0
    x = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, np.nan]})
    q = one(x, qc.quantiles("x", [0.0, 0.5, 1.0], [[1, 1], [2, 3], [None, 4]]))
    assert q.passed and q.details["values"] == [1.0, 3.0, 4.0]  # nearest observed value
    assert not one(x, qc.quantiles("x", [0.5], [[None, 2]])).passed
    with pytest.raises(CheckDefinitionError):
        qc.quantiles("x", [0.5], [])


def test_table_shape_checks() -> None:
    df = pd.DataFrame({"a": [1], "b": [2], "c": [3]})
    assert one(df, qc.column_count(3, 3)).passed and not one(df, qc.column_count(min=4)).passed
    assert one(df, qc.columns_match(["a", "b", "c"], ordered=True)).passed
    assert not one(df, qc.columns_match(["b", "a", "c"], ordered=True)).passed
    assert one(df, qc.columns_match(["c", "a", "b"])).passed
    assert not one(df, qc.columns_match(["a", "b"])).passed
    assert one(df, qc.columns_match(["a", "b"], exact=False)).passed
    assert one(df, qc.column_exists("b", index=1)).passed
    assert not one(df, qc.column_exists("b", index=0)).passed
    assert not one(df, qc.column_exists("z")).passed


def test_kl_divergence_categorical_and_continuous() -> None:
    df = pd.DataFrame({"c": ["A"] * 54 + ["B"] * 32 + ["C"] * 14 + [None]})
    same = one(df, qc.kl_divergence("c", {"values": ["A", "B", "C"], "weights": [0.54, 0.32, 0.14]}, 0.1))
    assert same.passed and same.observed == pytest.approx(0.0)
    flat = {"values": ["A", "B", "C"], "weights": [1 / 3] * 3}
    expected = stats.entropy([0.54, 0.32, 0.14], [1 / 3] * 3)
    assert one(df, qc.kl_divergence("c", flat, 0.1)).observed == pytest.approx(expected)
    unknown = one(df, qc.kl_divergence("c", {"values": ["A", "B"], "weights": [0.6, 0.4]}, 0.5))
    assert not unknown.passed and unknown.observed is None  # C was not expected: infinite
    held = qc.kl_divergence("c", {"values": ["A", "B"], "weights": [0.6, 0.4]}, 0.5, tail_weight_holdout=0.1)
    assert one(df, held).observed is not None
    x = pd.DataFrame({"x": np.linspace(0, 10, 1000)})
    part = {"bins": [0, 5, 10], "weights": [0.5, 0.5]}
    assert one(x, qc.kl_divergence("x", part, 0.01)).passed
    with pytest.raises(CheckDefinitionError):
        qc.kl_divergence("x", {"bins": [0, 1], "weights": [0.5]}, 0.1)


def test_chisquare_ks_bootstrap_and_cramers_phi() -> None:
    df = pd.DataFrame({"c": ["A"] * 50 + ["B"] * 50})
    fair = one(df, qc.chisquare("c", {"values": ["A", "B"], "weights": [0.5, 0.5]}))
    assert fair.passed and fair.observed == pytest.approx(1.0)
    assert not one(df, qc.chisquare("c", {"values": ["A", "B"], "weights": [0.9, 0.1]})).passed
    rng = np.random.default_rng(0)
    normal = pd.DataFrame({"x": rng.normal(0, 1, 2000)})
    ks = one(normal, qc.ks_test("x", "norm", {"mean": 0, "std_dev": 1}))
    assert ks.passed and ks.observed == pytest.approx(stats.kstest(normal["x"], "norm", args=(0, 1))[1])
    assert not one(normal, qc.ks_test("x", "norm", {"mean": 1, "std_dev": 1})).passed
    with pytest.raises(CheckDefinitionError):
        qc.ks_test("x", "norm", {"alpha": 1})
    uniform = pd.DataFrame({"x": rng.uniform(0, 1, 1000)})
    part = {"bins": [0.0, 0.5, 1.0], "weights": [0.5, 0.5]}
    boot = qc.bootstrapped_ks("x", part, samples=200)
    first, second = one(uniform, boot), one(uniform, boot)
    assert first.passed and first.observed == second.observed  # seeded: reproducible
    a = rng.integers(0, 3, 500)
    dependent = pd.DataFrame({"a": a, "b": a})
    assert not one(dependent, qc.cramers_phi("a", "b")).passed
    independent = pd.DataFrame({"a": a, "b": rng.integers(0, 3, 500)})
    assert one(independent, qc.cramers_phi("a", "b", threshold=0.2)).passed


def test_same_row_count_compares_with_an_upstream_frame() -> None:
    from console.quality.gx import load_suite

    df = pd.DataFrame({"a": [1, 2, 3]})
    check = load_suite({"name": "s", "expectations": [
        {"type": "expect_table_row_count_to_equal_other_table", "kwargs": {"other_table_name": "raw"}}
    ]})[0]  # fmt: skip
    assert validate(df, [check], frames={"raw": df.head(3)}).results[0].passed
    assert not validate(df, [check], frames={"raw": df.head(2)}).results[0].passed
    missing = validate(df, [check]).results[0]
    assert not missing.passed and "no frame 'raw'" in (missing.error or "")
