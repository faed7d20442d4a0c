"""validate() and Report: severity, quarantine, names, samples, errors, JSON, construction."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from console.errors import CheckDefinitionError
from console.quality import CheckResult, Report, validate
from console.quality import checks as qc


@pytest.fixture
def orders() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "amount": [10.0, -5.0, 20.0, np.nan, -1.0, 30.0],
            "country": pd.Categorical(["DE", "FR", "XX", "DE", None, "FR"]),
            "when": pd.date_range("2024-01-01", periods=6, tz="UTC"),
        },
        index=pd.Index(["a", "b", "c", "d", "e", "f"], name="order"),
    )


def test_error_fails_the_report_and_warn_does_not(orders: pd.DataFrame) -> None:
    warn = validate(orders, [qc.between("amount", min=0, severity="warn"), qc.row_count(min=1)])
    assert warn.passed
    assert [r.check for r in warn.warnings] == ["between(amount)"]
    assert warn.errors == []
    error = validate(orders, [qc.between("amount", min=0), qc.row_count(min=1)])
    assert not error.passed
    assert [r.check for r in error.errors] == ["between(amount)"]


def test_quarantine_sets_rows_aside_without_failing(orders: pd.DataFrame) -> None:
    report = validate(
        orders,
        [
            qc.between("amount", min=0, on_fail="quarantine"),
            qc.isin("country", ["DE", "FR"], on_fail="quarantine"),
            qc.not_null("amount", severity="warn"),
        ],
    )
    assert report.passed
    quarantined = report.quarantined
    assert [r.check for r in quarantined] == ["between(amount)", "isin(country)"]
    assert all(r.quarantined and not r.passed for r in quarantined)
    kept, aside = report.split_quarantine(orders)
    assert list(aside.index) == ["b", "c", "e"]
    assert list(kept.index) == ["a", "d", "f"]
    assert report.to_dict()["summary"]["quarantined_rows"] == 3
    with pytest.raises(ValueError, match="6 rows"):
        report.split_quarantine(orders.iloc[:2])


def test_split_without_quarantine_checks_keeps_everything(orders: pd.DataFrame) -> None:
    kept, aside = validate(orders, [qc.between("amount", min=0)]).split_quarantine(orders)
    assert len(kept) == 6 and aside.empty and list(aside.columns) == list(orders.columns)


def test_a_quarantine_check_that_cannot_run_fails_the_report(orders: pd.DataFrame) -> None:
    report = validate(orders, [qc.between("nope", min=0, on_fail="quarantine")])
    assert not report.passed
    assert not report.results[0].quarantined


def test_unknown_column_is_a_failed_result_with_a_message(orders: pd.DataFrame) -> None:
    report = validate(orders, [qc.between("amout", 0, 1), qc.unique("nope", "amount"), qc.row_count(min=1)])
    first, second, third = report.results
    assert not first.passed and "column 'amout' not in frame" in first.error
    assert "amount, country, when" in first.error
    assert "'nope'" in second.error
    assert third.passed and third.error is None
    assert not report.passed


def test_duplicated_column_in_frame_is_an_error_result() -> None:
    df = pd.DataFrame([[1, 2]], columns=["a", "a"])
    r = validate(df, [qc.between("a", 0, 5)]).results[0]
    assert "more than once" in r.error
    assert validate(df, [qc.not_null()]).passed


def test_not_a_frame_gives_error_results() -> None:
    report = validate(None, [qc.row_count(min=1)])  # type: ignore[arg-type]
    assert not report.passed and "DataFrame, got NoneType" in report.results[0].error
    series = validate(pd.Series([1, 2, None], name="v"), [qc.not_null("v")])
    assert series.results[0].failing == 1


def test_sample_has_at_most_20_rows_with_their_index() -> None:
    df = pd.DataFrame({"x": np.arange(1000.0)}, index=np.arange(1000) * 10)
    r = validate(df, [qc.between("x", max=899.5)]).results[0]
    assert r.failing == 100
    assert r.sample_index == list(range(9000, 9200, 10))
    assert list(r.sample.index) == r.sample_index
    assert list(r.sample["x"]) == [float(v) for v in range(900, 920)]
    assert r.failing_mask.dtype == bool and r.failing_mask.sum() == 100


def test_sample_scans_past_the_first_chunk() -> None:
    x = np.zeros(200_000)
    x[[150_000, 199_999]] = 5
    r = validate(pd.DataFrame({"x": x}), [qc.between("x", max=1)]).results[0]
    assert r.sample_index == [150_000, 199_999]


def test_names_are_made_unique(orders: pd.DataFrame) -> None:
    report = validate(
        orders,
        [
            qc.between("amount", 0),
            qc.between("amount", max=100),
            qc.row_count(name="rows"),
            qc.row_count(name="rows"),
        ],
    )
    assert [r.check for r in report.results] == ["between(amount)", "between(amount)#2", "rows", "rows#2"]


def test_to_dict_is_json_serialisable(orders: pd.DataFrame) -> None:
    odd = orders.assign(
        n=pd.array([1, None, 3, 4, 5, 6], dtype="Int64"),
        big=[np.inf, -np.inf, 1.0, 2.0, 3.0, 4.0],
        delta=pd.to_timedelta([1, 2, 3, 4, 5, 6], unit="s"),
        stamp=pd.to_datetime(["2024-01-01", None, "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-06"]),
    )
    report = validate(
        odd,
        [
            qc.between("amount", 0),
            qc.not_null(),
            qc.stat("amount", "mean"),
            qc.schema({"amount": "int"}),
            qc.freshness("when", "1d"),
            qc.between("zz", 0),
        ],
    )
    text = json.dumps(report.to_dict(), allow_nan=False)
    data = json.loads(text)
    assert data["passed"] is False and data["rows"] == 6
    first = data["results"][0]
    assert "failing_mask" not in first
    assert first["sample_index"] == ["b", "e"]
    row = first["sample"][0]
    assert row["index"] == "b"
    assert row["row"]["when"] == "2024-01-02T00:00:00+00:00"
    assert row["row"]["n"] is None and row["row"]["big"] == "-inf" and row["row"]["delta"] == 2.0
    assert row["row"]["stamp"] is None and row["row"]["country"] == "FR"
    assert data["results"][2]["sample"] is None
    assert data["results"][5]["error"].startswith("column 'zz'")


def test_report_and_result_shapes(orders: pd.DataFrame) -> None:
    report = validate(orders, qc.row_count(min=1))
    assert isinstance(report, Report) and isinstance(report.results[0], CheckResult)
    r = report.results[0]
    assert r.kind == "row_count" and r.columns == () and r.duration_s >= 0
    assert "PASSED" in str(report)


def test_validate_rejects_things_that_are_not_checks(orders: pd.DataFrame) -> None:
    with pytest.raises(CheckDefinitionError, match=r"checks\[1\] is a str"):
        validate(orders, [qc.row_count(), "not_null"])  # type: ignore[list-item]


def test_checks_are_reusable_across_frames(orders: pd.DataFrame) -> None:
    check = qc.between("amount", min=0)
    assert not validate(orders, [check]).passed
    assert validate(orders[orders["amount"] >= 0], [check]).passed


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: qc.between("x", 0, 1, severity="fatal"), "severity"),
        (lambda: qc.between("x", 0, 1, on_fail="drop"), "on_fail"),
        (lambda: qc.between("x", 5, 1), "greater than max"),
        (lambda: qc.between("x"), "give min, max or both"),
        (lambda: qc.between("x", float("nan")), "NaN"),
        (lambda: qc.between("x", 0, mostly=1.5), "mostly"),
        (lambda: qc.between("", 0), "column"),
        (lambda: qc.compare("a", "=<", "b"), "op must be one of"),
        (lambda: qc.stat("x", "mode"), "unknown statistic"),
        (lambda: qc.stat("x", "q1.5"), "unknown statistic"),
        (lambda: qc.row_count(min=-1.0, max=-5), "greater than max"),
        (lambda: qc.row_count(on_fail="quarantine"), "row-level"),
        (lambda: qc.row_count(anomaly=0), "anomaly"),
        (lambda: qc.isin("x", "abc"), "values must be"),
        (lambda: qc.regex("x", "(unclosed"), "invalid regular expression"),
        (lambda: qc.regex("x", "format:nope"), "unknown format"),
        (lambda: qc.format("x", "nope"), "known formats: "),
        (lambda: qc.schema({"a": "integre"}), "unknown dtype"),
        (lambda: qc.expression("amount >="), "not valid"),
        (lambda: qc.referential("x", "no_dot"), "task.column"),
        (lambda: qc.unique(), "at least one column"),
        (lambda: qc.unique("a", "a"), "repeated"),
        (lambda: qc.str_length("x", "1"), "must be a number"),
        (lambda: qc.not_null("x", name=""), "name"),
    ],
)
def test_bad_construction_arguments_raise(build, message: str) -> None:
    with pytest.raises(CheckDefinitionError, match=message):
        build()


def test_default_labels() -> None:
    assert [
        c.display_name
        for c in [
            qc.not_null(),
            qc.not_null("a"),
            qc.unique("a", "b"),
            qc.compare("a", "<", "b"),
            qc.stat("a", "q0.9"),
            qc.format("e", "email"),
            qc.expression("a > 0 and b < 1"),
        ]
    ] == [
        "not_null()",
        "not_null(a)",
        "unique(a, b)",
        "compare(a < b)",
        "stat(a, q0.9)",
        "format(e, email)",
        "expression(a > 0 and b < 1)",
    ]
    assert qc.stat("a", "mean", check_name="avg").display_name == "avg"


def test_checks_pickle_for_process_executors(orders: pd.DataFrame) -> None:
    import pickle

    built = [
        qc.not_null(),
        qc.unique("amount"),
        qc.between("amount", 0),
        qc.isin("country", ["DE"]),
        qc.regex("country", "^D"),
        qc.format("country", "country_code"),
        qc.schema({"amount": "float"}),
        qc.row_count(min=1, anomaly=3),
        qc.freshness("when", "1d"),
        qc.compare("amount", ">", 0),
        qc.expression("amount > 0"),
        qc.referential("country", "users.country"),
        qc.stat("amount", "q0.9"),
    ]
    copies = pickle.loads(pickle.dumps(built))
    before = validate(orders, built, frames={"users": pd.DataFrame({"country": ["DE"]})})
    after = validate(orders, copies, frames={"users": pd.DataFrame({"country": ["DE"]})})
    assert [(r.check, r.passed, r.failing) for r in before.results] == [
        (r.check, r.passed, r.failing) for r in after.results
    ]


def test_compare_with_a_text_literal_explains_itself(orders: pd.DataFrame) -> None:
    r = validate(orders, [qc.compare("country", "==", "DE")]).results[0]
    assert "column 'DE' not in frame" in r.error and "isin or expression" in r.error


def test_expression_with_back_quoted_names() -> None:
    df = pd.DataFrame({"unit price": [1.0, -2.0, np.nan], "qty": [1, 2, 3]})
    r = validate(df, [qc.expression("`unit price` * qty > 0")]).results[0]
    assert (r.failing, r.total, r.columns) == (1, 2, ("unit price", "qty"))
