"""drift(): statistics equal to scipy's, verdicts by the documented thresholds, edge cases."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as ss
from scipy.spatial.distance import jensenshannon

from console.errors import UsageError
from console.monitor import Thresholds, drift
from console.monitor.stats import PSI_EPSILON

TOL = 1e-9


def _frames(n_ref: int, n_cur: int, shift: float = 0.0, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ref = pd.DataFrame({"x": rng.normal(size=n_ref), "k": rng.integers(0, 8, n_ref)})
    cur = pd.DataFrame({"x": rng.normal(shift, size=n_cur), "k": rng.integers(0, 8, n_cur)})
    return ref, cur


def _manual_psi(ref: np.ndarray, cur: np.ndarray) -> float:
    edges = np.unique(np.quantile(ref, np.arange(1, 10) / 10))
    r = np.bincount(np.searchsorted(edges, ref, side="left"), minlength=len(edges) + 1) / len(ref)
    c = np.bincount(np.searchsorted(edges, cur, side="left"), minlength=len(edges) + 1) / len(cur)
    r, c = np.where(r == 0, PSI_EPSILON, r), np.where(c == 0, PSI_EPSILON, c)
    return float(np.sum((c - r) * np.log(c / r)))


@pytest.mark.parametrize(("n_ref", "n_cur"), [(300, 200), (4000, 2500), (30_000, 12_000)])
@pytest.mark.parametrize("shift", [0.0, 0.8])
def test_numeric_statistics_equal_scipy(n_ref: int, n_cur: int, shift: float) -> None:
    ref, cur = _frames(n_ref, n_cur, shift)
    report = drift(ref, cur)
    for col in ("x", "k"):  # k: integers with many ties
        got = report.columns[col]
        ks = ss.ks_2samp(ref[col], cur[col])
        assert got.kind == "numeric"
        assert abs(got.ks_stat - ks.statistic) <= TOL
        assert abs(got.ks_pvalue - ks.pvalue) <= TOL
        assert abs(got.wasserstein - ss.wasserstein_distance(ref[col], cur[col])) <= TOL
        assert abs(got.psi - _manual_psi(ref[col].to_numpy(float), cur[col].to_numpy(float))) <= TOL
        assert got.chi2_stat is None and got.js_distance is None


def test_equal_distributions_do_not_drift_and_shifted_ones_do() -> None:
    same = drift(*_frames(5000, 5000, 0.0, seed=1), columns=["x"])
    assert same.columns["x"].verdict == "ok" and not same.drifted
    assert same.share_drifted == 0.0
    moved = drift(*_frames(5000, 5000, 1.0, seed=1), columns=["x"])
    assert moved.columns["x"].verdict == "alert" and moved.columns["x"].drifted
    assert moved.drifted and moved.share_drifted == 1.0
    assert "PSI" in moved.columns["x"].message


def test_pvalue_decides_only_on_small_samples() -> None:
    # a 0.3 sd shift: PSI stays under 0.1, the KS test is significant at both sizes
    small = drift(*_frames(1000, 1000, 0.3, seed=3), columns=["x"]).columns["x"]
    large = drift(*_frames(20_000, 20_000, 0.15, seed=3), columns=["x"]).columns["x"]
    assert small.psi < 0.25 and small.ks_pvalue < 0.05
    assert small.verdict == "alert" and "p-value" in small.message
    assert large.ks_pvalue < 0.05 and large.psi < 0.1
    assert large.verdict == "ok"


def test_psi_warn_band_and_overridden_thresholds() -> None:
    ref, cur = _frames(20_000, 20_000, 0.4, seed=4)
    col = drift(ref, cur, columns=["x"]).columns["x"]
    assert 0.1 <= col.psi < 0.25 and col.verdict == "warn" and not col.drifted
    strict = drift(ref, cur, columns=["x"], thresholds={"psi_alert": 0.12}).columns["x"]
    assert strict.verdict == "alert"
    lax = drift(ref, cur, columns=["x"], thresholds=Thresholds(psi_warn=0.5, psi_alert=0.9)).columns["x"]
    assert lax.verdict == "ok"


@pytest.mark.parametrize(
    "bad",
    [
        {"psi_warn": 0.5, "psi_alert": 0.2},
        {"p_value": 2.0},
        {"min_rows": 0},
        {"nope": 1},
        {"psi_alert": math.nan},
    ],
)
def test_bad_thresholds_are_usage_errors(bad: dict[str, float]) -> None:
    ref, cur = _frames(100, 100)
    with pytest.raises(UsageError):
        drift(ref, cur, thresholds=bad)


def test_categorical_statistics_equal_scipy_with_unseen_category() -> None:
    rng = np.random.default_rng(5)
    ref = pd.DataFrame({"m": rng.choice(["food", "travel", "tech"], 3000, p=[0.5, 0.3, 0.2])})
    cur = pd.DataFrame({"m": rng.choice(["food", "travel", "tech", "crypto"], 2000, p=[0.4, 0.3, 0.2, 0.1])})
    col = drift(ref, cur).columns["m"]
    cats = ["food", "travel", "tech", "crypto"]
    r = ref["m"].value_counts().reindex(cats, fill_value=0).to_numpy()
    c = cur["m"].value_counts().reindex(cats, fill_value=0).to_numpy()
    chi = ss.chi2_contingency(np.vstack([r, c]))
    assert col.kind == "categorical"
    assert abs(col.chi2_stat - chi.statistic) <= TOL * max(1.0, chi.statistic)
    assert abs(col.chi2_pvalue - chi.pvalue) <= TOL
    assert abs(col.js_distance - jensenshannon(r / r.sum(), c / c.sum())) <= TOL
    p, q = r / r.sum(), c / c.sum()
    p, q = np.where(p == 0, PSI_EPSILON, p), np.where(q == 0, PSI_EPSILON, q)
    assert abs(col.psi - float(np.sum((q - p) * np.log(q / p)))) <= TOL
    assert col.verdict == "alert" and "1 category unseen in reference" in col.message
    assert col.ks_stat is None and col.wasserstein is None


def test_two_category_table_uses_yates_like_scipy() -> None:
    rng = np.random.default_rng(6)
    ref = pd.DataFrame({"b": rng.random(400) < 0.3})
    cur = pd.DataFrame({"b": rng.random(300) < 0.35})
    col = drift(ref, cur).columns["b"]
    table = np.array([[(~ref.b).sum(), ref.b.sum()], [(~cur.b).sum(), cur.b.sum()]])
    chi = ss.chi2_contingency(table)
    assert abs(col.chi2_stat - chi.statistic) <= TOL
    assert abs(col.chi2_pvalue - chi.pvalue) <= TOL


def test_identical_categorical_is_ok() -> None:
    values = np.array(["a", "b", "c"] * 400, dtype=object)
    col = drift({"c": values}, {"c": values.copy()}).columns["c"]
    assert col.psi == 0.0 and col.js_distance == 0.0 and col.verdict == "ok"


def test_constant_columns() -> None:
    same = drift({"c": np.full(500, 3.0)}, {"c": np.full(400, 3.0)}).columns["c"]
    assert same.verdict == "ok" and same.psi == 0.0 and same.ks_stat == 0.0 and same.wasserstein == 0.0
    moved = drift({"c": np.full(500, 3.0)}, {"c": np.full(400, 4.0)}).columns["c"]
    assert moved.verdict == "alert" and moved.ks_stat == 1.0 and moved.wasserstein == pytest.approx(1.0)
    assert math.isfinite(moved.psi) and moved.psi > 0.25


def test_all_nan_and_mostly_nan_columns_are_insufficient_not_a_crash() -> None:
    rng = np.random.default_rng(7)
    ref = pd.DataFrame(
        {"gone": np.full(500, np.nan), "sparse": rng.normal(size=500), "ok": rng.normal(size=500)}
    )
    cur = pd.DataFrame({"gone": np.full(500, np.nan), "sparse": np.nan, "ok": rng.normal(size=500)})
    cur.loc[:9, "sparse"] = 1.0
    report = drift(ref, cur)
    assert report.columns["gone"].verdict == "insufficient"
    assert report.columns["gone"].ref_null_rate == 1.0
    sparse = report.columns["sparse"]
    assert sparse.verdict == "insufficient" and "not enough data" in sparse.message
    assert sparse.n_cur == 10 and sparse.cur_null_rate == pytest.approx(0.98)
    assert report.tested_columns == ["ok"]
    json.dumps(report.to_dict(), allow_nan=False)


def test_nulls_and_infinities_are_dropped_before_statistics() -> None:
    rng = np.random.default_rng(8)
    ref, cur = rng.normal(size=600), rng.normal(0.2, size=500)
    dirty = cur.copy()
    dirty[:50] = np.nan
    dirty[50:55] = np.inf
    col = drift({"x": ref}, {"x": dirty}).columns["x"]
    ks = ss.ks_2samp(ref, cur[55:])
    assert abs(col.ks_stat - ks.statistic) <= TOL and col.n_cur == 445


@pytest.mark.parametrize("n", [0, 1, 5, 29])
def test_tiny_samples_say_not_enough_data(n: int) -> None:
    rng = np.random.default_rng(9)
    report = drift(
        pd.DataFrame({"x": rng.normal(size=n), "c": ["a"] * n}),
        pd.DataFrame({"x": rng.normal(size=200), "c": ["b"] * 200}),
    )
    for col in report.columns.values():
        assert col.verdict == "insufficient" and not col.drifted
        assert col.message.startswith("not enough data")
        assert col.psi is None and col.ks_pvalue is None
    assert not report.drifted and report.share_drifted == 0.0


def test_missing_column_kind_mismatch_and_unsupported_dtype() -> None:
    ref = pd.DataFrame(
        {"a": np.arange(100.0), "b": np.arange(100.0), "t": pd.date_range("2024", periods=100)}
    )
    cur = pd.DataFrame({"b": ["x"] * 100, "t": pd.date_range("2024", periods=100)})
    report = drift(ref, cur)
    assert report.columns["a"].message == "column missing from current data"
    assert "reference is numeric but current is categorical" in report.columns["b"].message
    assert "t" in report.skipped and "t" not in report.columns
    with pytest.raises(UsageError, match="nope"):
        drift(ref, cur, columns=["nope"])


def test_dict_input_threads_and_nullable_dtypes_agree() -> None:
    rng = np.random.default_rng(10)
    ref = {f"c{i}": rng.normal(size=3000) for i in range(4)}
    cur = {f"c{i}": rng.normal(0.1 * i, size=2000) for i in range(4)}
    one = drift(ref, cur, workers=1).to_dict()
    two = drift(ref, cur, workers=2).to_dict()
    assert one == two
    nullable = drift(
        pd.DataFrame({"c0": pd.array(ref["c0"], dtype="Float64")}), pd.DataFrame({"c0": cur["c0"]})
    ).columns["c0"]
    assert abs(nullable.ks_stat - one["columns"]["c0"]["ks_stat"]) <= TOL


def test_report_fields_match_design() -> None:
    report = drift(*_frames(200, 200, 0.5))
    data = report.to_dict()
    assert set(data) >= {"drifted", "share_drifted", "columns"}
    for col in data["columns"].values():
        assert set(col) >= {
            "kind", "psi", "ks_stat", "ks_pvalue", "wasserstein", "chi2_stat", "chi2_pvalue",
            "js_distance", "verdict", "drifted",
        }  # fmt: skip
        assert col["verdict"] in ("ok", "warn", "alert", "insufficient")
    json.dumps(data, allow_nan=False)


def test_large_samples_use_the_limiting_distribution_for_the_pvalue_only() -> None:
    ref, cur = _frames(60_000, 50_000, 0.012, seed=12)
    got = drift(ref, cur, columns=["x"]).columns["x"]
    ks = ss.ks_2samp(ref["x"], cur["x"])
    assert abs(got.ks_stat - ks.statistic) <= TOL  # the statistic stays exact
    assert abs(got.ks_pvalue - ks.pvalue) < 1e-3  # kstwobign instead of kstwo above n_eff 10,000
