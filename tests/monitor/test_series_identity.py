"""A series is (metric, pipeline or monitor and model, origin): trends never mix two of them."""

from __future__ import annotations

import json
import sqlite3

PIPELINES = """
from console import Pipeline

iris = Pipeline("iris_train", params={"acc": 0.95})

@iris.task
def fit(acc, ctx):
    ctx.log_metric("accuracy", acc)
    ctx.log_metric("auc", acc)

fraud = Pipeline("fraud_detection", params={"acc": 0.80})

@fraud.task
def fit(acc, ctx):
    ctx.log_metric("accuracy", acc)
    ctx.log_metric("auc", acc)
"""


def _live_auc(project, values: list[float]) -> None:
    """Points a monitor appended (as monitors/evaluation.py writes them) for the fraud model."""
    db = sqlite3.connect(project.root / ".opsconsole" / "state.db")
    for i, value in enumerate(values):
        cur = db.execute(
            "INSERT INTO monitor_evals (monitor, at, model, version, metrics, evidence) VALUES"
            " ('fraud', ?, 'fraud', 1, ?, '{}')",
            (1e9 + i, json.dumps({"auc": value})),
        )
        db.execute(
            "INSERT INTO metrics (name, value, step, at, model, version, source) VALUES"
            " ('auc', ?, ?, ?, 'fraud', 1, 'monitor')",
            (value, cur.lastrowid, 1e9 + i),
        )
    db.commit()
    db.close()


def test_metric_trends_compare_like_with_like(project) -> None:
    project.write("both.py", PIPELINES)
    for acc in ("0.95", "0.96", "0.97"):
        project.cli("run", "iris_train", "--param", f"acc={acc}", check=0)
    project.cli("run", "fraud_detection", "--param", "acc=0.80", check=0)
    project.cli("run", "fraud_detection", "--param", "acc=0.81", check=0)
    _live_auc(project, [0.70, 0.60])

    latest = project.cli_json("metrics")
    by_series = {r["series"]: r for r in latest}
    fraud = by_series["accuracy · fraud_detection (training)"]
    # fraud went up from 0.80 to 0.81: against iris's 0.95-0.97 it would read as a fall
    assert fraud["trend"]["direction"] == "up" and fraud["trend"]["previous"] == 0.80
    assert by_series["accuracy · iris_train (training)"]["trend"]["previous"] == 0.955
    live = by_series["auc · monitor fraud (live)"]
    assert live["origin"] == "monitor" and live["trend"]["previous"] == 0.70
    assert by_series["auc · fraud_detection (training)"]["trend"]["previous"] == 0.80

    one = project.cli_json("metrics", "auc")
    labels = [s["label"] for s in one["series"]]
    assert labels == [
        "auc · monitor fraud (live)",
        "auc · fraud_detection (training)",
        "auc · iris_train (training)",
    ]
    assert [p["value"] for p in one["series"][0]["points"]] == [0.70, 0.60]
    assert len(one["points"]) == 7  # the old field still lists every point

    text = project.cli("metrics", "accuracy").stdout
    assert "accuracy · fraud_detection (training): 2 point(s)" in text
    assert "trend: ↑ 0.81 vs mean 0.8 of the 1 before in this series" in text
    table = project.cli("metrics").stdout.splitlines()
    assert any(line.split("\t")[4:6] == ["monitor fraud", "live"] for line in table), table


def test_the_monitoring_tab_lists_each_series_labelled(project) -> None:
    from console.monitor.series_identity import grouped
    from console.store.state import Store
    from console.ui.panes.monitoring_pane import load_monitoring, series_cell

    project.write("both.py", PIPELINES)
    project.cli("run", "iris_train", check=0)
    project.cli("run", "fraud_detection", check=0)
    _live_auc(project, [0.7])
    store = Store(project.root / ".opsconsole")
    try:
        data = load_monitoring(store.db, [])
        assert set(data.series) == {key.label for key, _ in grouped(store.db)}
        assert "accuracy · iris_train (training)" in data.series
        assert all(p["pipeline"] == "iris_train" for p in data.series["accuracy · iris_train (training)"])
        cells = {series_cell(points[-1]).plain for points in data.series.values()}
        assert {"accuracy iris_train (training)", "auc fraud (live)"} <= cells
    finally:
        store.close()
