"""Aggregate checks: schema, row_count, distinct_count, freshness, stat, and anomaly bounds."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from console.errors import CheckDefinitionError
from console.quality import checks as qc
from console.quality import validate


def one(df: pd.DataFrame, check, **kwargs):
    return validate(df, [check], **kwargs).results[0]


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": np.arange(5, dtype=np.int64),
            "n": pd.array([1, 2, None, 4, 5], dtype="Int64"),
            "x": [1.0, 2.0, 3.0, np.nan, 5.0],
            "s": ["a", "b", None, "d", "e"],
            "c": pd.Categorical(["u", "v", "u", "v", "u"]),
            "t": pd.date_range("2024-01-01", periods=5, tz="UTC"),
            "b": [True, False, True, True, False],
            "o": pd.Series([1, "x", None, 2.5, "y"], dtype=object),
        }
    )


# schema -----------------------------------------------------------------------------------


def test_schema_passes_with_exact_names_and_families(frame: pd.DataFrame) -> None:
    spec = {
        "id": "int64",
        "n": "Int64",
        "x": "float",
        "s": "string",
        "c": "category",
        "t": "datetime",
        "b": "bool",
        "o": "object",
    }
    r = one(frame, qc.schema(spec, strict=True))
    assert (r.passed, r.failing, r.total, r.observed, r.sample) == (True, 0, 8, None, None)
    assert one(
        frame, qc.schema({"id": "int", "n": "integer", "x": "number", "t": "datetime64[ns, UTC]"})
    ).passed
    assert one(frame, qc.schema(["id", "x"])).passed


def test_schema_reports_missing_wrong_and_extra_columns(frame: pd.DataFrame) -> None:
    r = one(frame, qc.schema({"id": "float64", "nope": None, "s": "int", "x": None}, strict=True))
    assert not r.passed
    assert r.details["missing"] == ["nope"]
    assert set(r.details["wrong_dtype"]) == {"id", "s"}
    assert r.details["wrong_dtype"]["id"] == {"expected": "float64", "actual": "int64"}
    assert r.details["extra"] == ["n", "c", "t", "b", "o"]
    assert r.failing == 1 + 2 + 5
    assert "missing nope" in r.message


def test_schema_int64_is_not_nullable_int64(frame: pd.DataFrame) -> None:
    assert not one(frame, qc.schema({"n": "int64"})).passed
    assert not one(frame, qc.schema({"o": "string"})).passed


# row_count / distinct_count ---------------------------------------------------------------


def test_row_count(frame: pd.DataFrame) -> None:
    r = one(frame, qc.row_count(min=5, max=5))
    assert (r.passed, r.observed, r.failing, r.total) == (True, 5.0, 0, 1)
    r = one(frame, qc.row_count(min=6))
    assert (r.passed, r.failing) == (False, 1)
    assert "expected >= 6" in r.message
    assert not one(frame.iloc[0:0], qc.row_count(min=1)).passed
    assert one(frame.iloc[0:0], qc.row_count(max=10)).passed


def test_distinct_count_ignores_nulls(frame: pd.DataFrame) -> None:
    assert one(frame, qc.distinct_count("s", min=4, max=4)).observed == 4.0
    assert one(frame, qc.distinct_count("c", max=2)).passed
    assert not one(frame, qc.distinct_count("c", min=3)).passed


# freshness --------------------------------------------------------------------------------


def test_freshness_tz_aware_and_naive() -> None:
    now_utc = pd.Timestamp.now(tz="UTC")
    aware = pd.DataFrame({"t": [now_utc - pd.Timedelta(hours=30), now_utc - pd.Timedelta(hours=2), pd.NaT]})
    r = one(aware, qc.freshness("t", "3h"))
    assert r.passed and 7000 < r.observed < 7300
    assert not one(aware, qc.freshness("t", "1h")).passed
    assert one(aware.assign(t=aware["t"].dt.tz_convert("Asia/Tokyo")), qc.freshness("t", "3h")).passed
    naive = pd.DataFrame({"t": [pd.Timestamp.now() - pd.Timedelta(days=2)]})
    assert one(naive, qc.freshness("t", dt.timedelta(days=3))).passed
    assert not one(naive, qc.freshness("t", "1d")).passed


def test_freshness_on_text_and_without_timestamps() -> None:
    recent = (pd.Timestamp.now() - pd.Timedelta(minutes=5)).isoformat()
    assert one(pd.DataFrame({"t": ["garbage", recent, None]}), qc.freshness("t", "30m")).passed
    r = one(pd.DataFrame({"t": pd.Series([None, None], dtype="datetime64[ns]")}), qc.freshness("t", "1d"))
    assert not r.passed and r.error is None and "no timestamps" in r.message


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30m", 1800), ("24h", 86400), ("7d", 604800), ("1h30m", 5400), ("2w", 1209600), ("90s", 90)],
)
def test_freshness_durations(text: str, seconds: float) -> None:
    assert qc.freshness("t", text).params["max_age"].total_seconds() == seconds


@pytest.mark.parametrize("bad", ["", "soon", "10 parsecs", "-1h", 0, None, "1h x"])
def test_freshness_bad_durations(bad) -> None:
    with pytest.raises(CheckDefinitionError):
        qc.freshness("t", bad)


# stat -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("mean", 2.75),
        ("min", 1.0),
        ("max", 5.0),
        ("median", 2.5),
        ("sum", 11.0),
        ("std", float(np.std([1, 2, 3, 5], ddof=1))),
        ("q0.5", 2.5),
        ("q0.95", float(np.quantile([1, 2, 3, 5], 0.95))),
    ],
)
def test_stat_values_ignore_nulls(frame: pd.DataFrame, name: str, expected: float) -> None:
    r = one(frame, qc.stat("x", name))
    assert r.passed and r.observed == pytest.approx(expected)


def test_stat_bounds_and_strictness(frame: pd.DataFrame) -> None:
    assert one(frame, qc.stat("x", "mean", min=2, max=3)).passed
    assert not one(frame, qc.stat("x", "max", max=5, strict_max=True)).passed
    assert not one(frame, qc.stat("n", "min", min=1, strict_min=True)).passed
    assert one(frame, qc.stat("n", "sum", min=12, max=12)).passed


def test_stat_on_garbage_and_empty(frame: pd.DataFrame) -> None:
    r = one(frame, qc.stat("o", "sum"))
    assert r.observed == pytest.approx(3.5) and r.details["unparseable"] == 2
    r = one(frame.iloc[0:0], qc.stat("x", "mean", min=0))
    assert not r.passed and r.observed is None and "undefined" in r.message
    r = one(frame, qc.stat("t", "mean"))
    assert r.error and "not numeric" in r.error


# anomaly ----------------------------------------------------------------------------------


def test_anomaly_with_history_mapping_and_callable(frame: pd.DataFrame) -> None:
    check = qc.row_count(anomaly=3.0)
    calm = {"row_count()": [5, 6, 4, 5, 5]}
    r = one(frame, check, history=calm)
    assert r.passed and r.details["anomaly"]["n"] == 5
    spike = {"row_count()": [100, 101, 99, 100]}
    r = one(frame, check, history=spike)
    assert not r.passed and r.details["anomaly"]["z"] > 3
    assert "anomaly" in r.message
    r = one(frame, qc.stat("x", "mean", anomaly=2), history=lambda name: [2.7, 2.8, 2.75])
    assert r.passed


def test_anomaly_needs_three_points(frame: pd.DataFrame) -> None:
    for history in (None, {"row_count()": [100.0, 101.0]}, lambda name: []):
        r = one(frame, qc.row_count(anomaly=1), history=history)
        assert r.passed
        assert r.details["anomaly"].startswith("not enough history")


def test_anomaly_with_constant_history(frame: pd.DataFrame) -> None:
    assert one(frame, qc.row_count(anomaly=3), history={"row_count()": [5, 5, 5]}).passed
    assert not one(frame, qc.row_count(anomaly=3), history={"row_count()": [6, 6, 6]}).passed


def test_anomaly_uses_the_final_check_name(frame: pd.DataFrame) -> None:
    history = {"rows": [100, 100, 101], "rows#2": [5, 5, 5]}
    report = validate(
        frame, [qc.row_count(anomaly=3, name="rows"), qc.row_count(anomaly=3, name="rows")], history=history
    )
    assert [r.check for r in report.results] == ["rows", "rows#2"]
    assert [r.passed for r in report.results] == [False, True]
