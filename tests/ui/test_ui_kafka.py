"""Kafka in the console: a run's batch per partition (run detail) and the sources' lag (Data tab).

Stored events and a fake lag reader keep the pictures fixed; tests/streaming/test_kafka_console.py
does the same against the real broker.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from demo_store import NOW_OFFSET, T0, fill
from test_ui_snapshots import settle
from ui_helpers import run, wait_for

from console.store.runs import create_run
from console.ui.app import OpsConsoleApp

HOSTILE = "[/] [bold]x \x1b[31mred\r\x00end"
STREAM = '''
from console import Pipeline
from console.streaming import kafka

p = Pipeline("orders_stream", source=kafka("orders", brokers="127.0.0.1:9", group="ops", table="orders_rows"))

@p.task
def total(batch):
    return len(batch)
'''
BATCH = {
    "topic": "orders" + HOSTILE, "group": "ops", "table": "orders_rows", "rows": 2_990, "quarantined": 2,
    "partitions": [
        {"partition": 0, "origin": "warehouse", "from_offset": 1_000, "to_offset": 2_000, "rows": 999,
         "quarantined": 1, "log_end": 2_400, "lag": 400},
        {"partition": 1, "origin": "group", "from_offset": 0, "to_offset": 1_000, "rows": 1_000,
         "quarantined": 0, "log_end": 1_000, "lag": 0},
        {"partition": 2, "origin": "start", "from_offset": 0, "to_offset": 992, "rows": 991,
         "quarantined": 1, "log_end": 992, "lag": 0},
    ],
}  # fmt: skip


def fake_lag(sources: dict[str, Any], warehouse: Path) -> list[dict[str, Any]]:
    assert list(sources) == ["orders_stream"] and sources["orders_stream"].table == "orders_rows"
    parts = [{"pipeline": "orders_stream", "table": "orders_rows", "topic": "orders", "partition": p,
              "group": "ops", "offset": o, "log_end": 2_000, "lag": 2_000 - o, "from": "warehouse"}
             for p, o in ((0, 2_000), (1, 1_250), (2, 0))]  # fmt: skip
    broken = {"pipeline": "clicks" + HOSTILE, "table": "clicks",
              "error": "kafka 127.0.0.1:9: cannot read topic 'clicks' (" + HOSTILE + ")"}  # fmt: skip
    return [*parts, broken]


@pytest.fixture
def kafka_app(
    ui_project: Any, session_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[OpsConsoleApp]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.setattr("console.ui.widgets.kafka_panels.read_lag", fake_lag)
    ui_project.write("orders_stream.py", STREAM)
    session = session_factory()
    fill(session)
    db = session.store.db
    run_id = create_run(db, "orders_stream", trigger="kafka", params={}, tasks=[("batch", []), ("total", ["batch"])])
    assert run_id == 6
    db.execute("UPDATE runs SET status='succeeded', created_at=?, started_at=?, ended_at=?, n_done=2 WHERE id=6",
               (T0 + 580, T0 + 580, T0 + 582))  # fmt: skip
    db.execute("UPDATE tasks SET status='succeeded', attempts=1, started_at=?, duration_s=1.5 WHERE run_id=6",
               (T0 + 580,))  # fmt: skip
    db.execute("INSERT INTO events (at, run_id, task, kind, status, data) VALUES (?, 6, 'batch', 'kafka.batch', "
               "NULL, ?)", (T0 + 581, json.dumps(BATCH)))  # fmt: skip
    yield OpsConsoleApp(session, clock=lambda: T0 + NOW_OFFSET, live=False)
    monkeypatch.delenv("TZ")
    time.tzset()


def shown_run(app: OpsConsoleApp, run_id: int) -> Any:
    screen = app.screen
    return getattr(screen, "run_id", None) == run_id and screen.query("#kafka-batch") and screen


async def open_batch_run(pilot: Any, app: OpsConsoleApp) -> Any:
    await wait_for(pilot, lambda: app.pipelines and app.runs_pane.table.row_count == 6, what="runs")
    app.open_run(6)
    detail = await wait_for(pilot, lambda: shown_run(app, 6), what="detail")
    panel = detail.query_one("#kafka-batch")
    await wait_for(pilot, lambda: panel.display and panel.query_one("SafeTable").row_count == 3, what="batch")
    return panel


async def open_data_lag(pilot: Any, app: OpsConsoleApp) -> Any:
    await wait_for(pilot, lambda: app.pipelines, what="pipelines")
    await pilot.press("5")
    panel = app.query_one("#data-kafka")
    await wait_for(pilot, lambda: panel.rows, what="lag")
    return panel


def test_the_run_detail_shows_what_the_batch_read(kafka_app: OpsConsoleApp) -> None:
    async def scenario() -> None:
        async with kafka_app.run_test(size=(140, 40)) as pilot:
            panel = await open_batch_run(pilot, kafka_app)
            table = panel.query_one("SafeTable")
            cells = [[c.plain for c in table.get_row(str(p))] for p in range(3)]
            assert cells[0] == ["0", "1,000", "2,000", "999", "1", "2,400", "400", "warehouse"]
            assert cells[2][-1] == "start"
            title = panel.query_one("#kafka-batch-title").render().plain
            assert title.startswith(" KAFKA BATCH  2,990 rows, 2 quarantined   orders[/] [bold]x")
            assert "\x1b" not in title and "\x00" not in title and "\r" not in title
            await pilot.press("escape")
            kafka_app.open_run(1)  # a run without a batch: no panel
            detail = await wait_for(pilot, lambda: shown_run(kafka_app, 1), what="run 1")
            await pilot.app.workers.wait_for_complete()
            assert not detail.query_one("#kafka-batch").display

    run(scenario())


def test_the_data_tab_shows_lag_per_partition_and_a_dead_broker_in_one_line(kafka_app: OpsConsoleApp) -> None:
    async def scenario() -> None:
        async with kafka_app.run_test(size=(140, 40)) as pilot:
            panel = await open_data_lag(pilot, kafka_app)
            table = panel.query_one("#kafka-lag-table")
            assert table.row_count == 3
            assert [c.plain for c in table.get_row_at(1)] == [
                "orders_stream", "orders_rows", "orders[1]", "ops", "1,250", "warehouse", "2,000", "750"]
            errors = panel.query_one("#kafka-lag-errors").render().plain
            assert errors.count("\n") == 0 and "cannot read topic 'clicks'" in errors
            assert "[/] [bold]x" in errors and "\x1b" not in errors and "\x00" not in errors
            before = panel.read_at
            await pilot.press("r")  # reload asks again
            await pilot.app.workers.wait_for_complete()
            assert panel.read_at == before and table.row_count == 3  # the fixed clock; rows rebuilt

    run(scenario())


def test_a_reader_that_hangs_never_holds_the_screen(kafka_app: OpsConsoleApp, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    release = threading.Event()

    def hang(sources: dict[str, Any], warehouse: Path) -> list[dict[str, Any]]:
        release.wait(20)
        raise RuntimeError("broker gone")

    monkeypatch.setattr("console.ui.widgets.kafka_panels.read_lag", hang)

    async def scenario() -> None:
        async with kafka_app.run_test(size=(140, 40)) as pilot:
            await wait_for(pilot, lambda: kafka_app.pipelines, what="pipelines")
            await pilot.press("5")
            panel = kafka_app.query_one("#data-kafka")
            await wait_for(pilot, lambda: panel._busy, what="a read in flight")
            await pilot.press("1")  # the console still answers keys while the broker hangs
            await wait_for(pilot, lambda: kafka_app.current_view() == "runs", what="runs tab")
            await pilot.press("5", "r")  # a second ask while the first is out: not queued behind it
            assert panel._busy
            release.set()
            await wait_for(pilot, lambda: not panel._busy and panel.rows, what="the failure shown")
            assert "broker gone" in panel.query_one("#kafka-lag-errors").render().plain

    run(scenario())


def test_run_detail_kafka_snapshot(kafka_app: OpsConsoleApp, snap_compare: Any) -> None:
    async def ready(pilot: Any) -> None:
        await open_batch_run(pilot, kafka_app)
        await settle(pilot)

    assert snap_compare(kafka_app, terminal_size=(120, 34), run_before=ready)


def test_data_tab_kafka_snapshot(kafka_app: OpsConsoleApp, snap_compare: Any) -> None:
    async def ready(pilot: Any) -> None:
        await open_data_lag(pilot, kafka_app)
        await settle(pilot)

    assert snap_compare(kafka_app, terminal_size=(120, 34), run_before=ready)


def test_the_console_does_not_import_confluent_kafka_to_start() -> None:
    code = ("import sys, console.ui.app, console.ui.screens.run_detail, console.ui.panes.data_pane\n"
            "assert 'confluent_kafka' not in sys.modules, 'confluent_kafka imported at start-up'\n")  # fmt: skip
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_a_running_run_shows_its_batch_when_the_source_task_succeeds(kafka_app: OpsConsoleApp) -> None:
    from console.store.runs import get_tasks

    db = kafka_app.session.store.db
    db.execute("DELETE FROM events WHERE run_id=6 AND kind='kafka.batch'")
    db.execute("UPDATE runs SET status='running' WHERE id=6")
    db.execute("UPDATE tasks SET status='running' WHERE run_id=6")

    async def scenario() -> None:
        async with kafka_app.run_test(size=(140, 40)) as pilot:
            await wait_for(pilot, lambda: kafka_app.pipelines and kafka_app.runs_pane.table.row_count == 6)
            kafka_app.open_run(6)
            detail = await wait_for(pilot, lambda: shown_run(kafka_app, 6), what="detail")
            await wait_for(pilot, lambda: detail.tasks.get("batch"), what="tasks")
            await pilot.app.workers.wait_for_complete()
            panel = detail.query_one("#kafka-batch")
            assert not panel.display
            db.execute("INSERT INTO events (at, run_id, task, kind, data) VALUES (?, 6, 'batch', 'kafka.batch', ?)",
                       (T0 + 581, json.dumps(BATCH)))  # fmt: skip
            db.execute("UPDATE tasks SET status='succeeded' WHERE run_id=6 AND name='batch'")
            detail.apply(None, get_tasks(db, 6))  # what the store tail hands the screen
            await wait_for(pilot, lambda: panel.display and panel.query_one("SafeTable").row_count == 3)

    run(scenario())


@pytest.mark.parametrize("width", [60, 80, 100, 140])
def test_kafka_panels_never_cut_numbers_or_scroll_sideways(kafka_app: OpsConsoleApp, width: int) -> None:
    from console.ui.widgets.kafka_panels import KafkaBatchPanel, KafkaLagPanel

    async def scenario() -> None:
        async with kafka_app.run_test(size=(width, 40)) as pilot:
            panel = await open_batch_run(pilot, kafka_app)
            assert isinstance(panel, KafkaBatchPanel)
            await pilot.pause(0.2)
            check(panel, "kafka-batch-table", "2,000")
            await pilot.press("escape")
            lag = await open_data_lag(pilot, kafka_app)
            assert isinstance(lag, KafkaLagPanel)
            await pilot.pause(0.2)
            check(lag, "kafka-lag-table", "1,250")

    def check(panel: Any, table_id: str, number: str | None) -> None:
        table = panel.query_one(f"#{table_id}")
        assert table.max_scroll_x == 0, (width, table_id, table.virtual_size, table.region)
        widths = dict(panel._layout[table_id])
        for row in panel.cells:
            for key, w in widths.items():
                flex = any(c.flex for c in panel.table_columns()[table_id] if c.key == key)
                if not flex:  # fixed columns are as wide as their widest value
                    assert row[key].cell_len <= w, (width, key, str(row[key]), w)
        if number is not None:
            assert number in " ".join(str(c) for r in panel.cells for c in r.values())

    run(scenario())
