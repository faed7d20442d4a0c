"""The charts: a series with its rule and alerts, a check with its anomaly band, two distributions."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from textual.app import App, ComposeResult
from ui_helpers import run, screen_text, wait_for

from console.quality.history import check_history
from console.ui.app import OpsConsoleApp
from console.ui.panes.quality_pane import history_chart
from console.ui.widgets.chart_data import ALERT_MARK, CUR_MARK, REF_MARK, THRESHOLD_MARK, ChartData, Threshold
from console.ui.widgets.charts import Chart

BANDED = """
    from console import Pipeline
    from console.quality import checks as qc
    import pandas as pd

    p = Pipeline("banded", params={"n": 100})

    @p.task(checks=[qc.row_count(anomaly=3.0)])
    def rows(n):
        return pd.DataFrame({"x": range(n)})
"""


class ChartApp(App[None]):
    def __init__(self, data: ChartData) -> None:
        super().__init__()
        self.data = data

    def compose(self) -> ComposeResult:
        yield Chart(id="chart")

    def on_mount(self) -> None:
        self.query_one(Chart).show(self.data)


def shown(data: ChartData, size: tuple[int, int] = (80, 12)) -> str:
    async def scenario() -> str:
        app = ChartApp(data)
        async with app.run_test(size=size) as pilot:
            await pilot.pause(0.1)
            return screen_text(app)

    return str(run(scenario()))


def test_a_series_draws_its_rule_threshold_and_alert_points_without_colour(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    xs = [1_790_000_000.0 + 60 * i for i in range(10)]
    ys = [0.95 - 0.01 * i for i in range(10)]
    text = shown(
        ChartData(
            kind="series",
            x=xs,
            y=ys,
            lines=[Threshold("accuracy < 0.9", 0.9)],
            marks=[(xs[-1], ys[-1])],
        )
    )
    assert THRESHOLD_MARK * 20 in text and ALERT_MARK in text and "•" in text
    assert "0.950" in text or "0.95" in text  # a y axis with values


def test_distributions_overlay_with_two_fill_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    text = shown(ChartData(kind="bars", labels=["a", "b", "c"], ref=[0.5, 0.3, 0.2], cur=[0.2, 0.3, 0.5]))
    assert REF_MARK in text and CUR_MARK in text and " a " in text


def test_an_empty_chart_says_why() -> None:
    assert "no points yet" in shown(ChartData(message=" no points yet"))


def test_drift_records_each_columns_distribution_as_shares() -> None:
    from console.monitor import drift

    rng = np.random.default_rng(0)
    ref = pd.DataFrame({"x": rng.normal(0, 1, 2000), "c": rng.choice(list("abcdefghijklmn"), 2000)})
    cur = pd.DataFrame({"x": rng.normal(1, 1, 2000), "c": rng.choice(list("abc"), 2000)})
    report = drift(ref, cur)
    num = report.columns["x"].distribution
    cat = report.columns["c"].distribution
    assert num is not None and cat is not None
    assert len(num["labels"]) == len(num["ref"]) == len(num["cur"]) == 10
    assert abs(sum(num["ref"]) - 1) < 1e-9 and num["cur"][-1] > num["ref"][-1]  # shifted right
    assert cat["labels"][-1] == "other" and len(cat["labels"]) == 11
    assert report.to_dict()["columns"]["c"]["distribution"] == cat


def test_a_checks_history_carries_its_anomaly_band_and_the_quality_tab_draws_it(
    ui_project: Any, session_factory: Any
) -> None:
    ui_project.write("banded.py", BANDED)
    session = session_factory()
    for n in (100, 102, 98, 101, 100, 400):
        session.engine.run("banded", {"n": n})
    points = check_history(session.store.db, "row_count()", "banded", "rows")
    assert [p["band"] is None for p in points] == [True, True, True, False, False, False]
    low, high = points[-1]["band"]
    assert low < 100 < high < 400 and not points[-1]["passed"]
    chart = history_chart("row_count()", points, [p["observed"] for p in points])
    assert chart.band_x == [3.0, 4.0, 5.0] and chart.marks == [(5.0, 400.0)]

    async def scenario() -> None:
        app = OpsConsoleApp(session, live=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("2")
            pane = app.query_one("QualityPane")
            await wait_for(pilot, lambda: pane.rows, what="checks listed")
            await wait_for(pilot, lambda: pane.query_one("ChartSlot").data.kind == "band", what="the chart")
            await pilot.pause(0.2)
            text = screen_text(app)
            assert "anomaly band" in text and "#6" in text

    run(scenario())
