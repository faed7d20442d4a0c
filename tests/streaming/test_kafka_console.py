"""The console against the real broker: a run's batch in its detail, the lag in the Data tab."""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
from typing import Any

from kafka_helpers import create_topic, produce
from ui_helpers import wait_for  # tests/ui is on the path (pyproject: pythonpath)

STREAM = '''
from console import Pipeline
from console.streaming import kafka

p = Pipeline("stream", source=kafka("{topic}", brokers="{brokers}", group="ops", batch=10_000, max_wait="5s",
                                    table="events"))
dead = Pipeline("dead_stream", source=kafka("gone", brokers="127.0.0.1:{dead_port}", group="ops", table="gone"))
'''


def test_the_console_shows_the_batch_and_the_live_lag(project: Any, broker: str) -> None:
    from console.session import Session
    from console.ui.app import OpsConsoleApp

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead_port = sock.getsockname()[1]
    create_topic(broker, "shown", 2)
    produce(broker, "shown", [json.dumps({"n": i}).encode() for i in range(500)], one_per_batch=True)
    project.write("stream.py", STREAM.format(topic="shown", brokers=broker, dead_port=dead_port))
    run = project.cli_json("run", "stream")
    assert run["status"] == "succeeded"
    produce(broker, "shown", [json.dumps({"n": i}).encode() for i in range(40)], one_per_batch=True)
    session = Session(argparse.Namespace(project=str(project.root), read_only=False, executor=None, scheduler=None))
    app = OpsConsoleApp(session, live=False)

    async def scenario() -> None:
        async with app.run_test(size=(140, 40)) as pilot:
            await wait_for(pilot, lambda: app.pipelines, timeout=30, what="pipelines")
            app.open_run(run["id"])
            screen = await wait_for(pilot, lambda: getattr(app.screen, "run_id", None) == run["id"]
                                 and app.screen.query("#kafka-batch") and app.screen, timeout=30, what="run detail")  # fmt: skip
            batch = screen.query_one("#kafka-batch")
            table = batch.query_one("SafeTable")
            await wait_for(pilot, lambda: table.row_count == 2, timeout=30, what="the batch's partitions")
            rows = [[c.plain for c in table.get_row_at(i)] for i in range(2)]
            assert sum(int(r[3].replace(",", "")) for r in rows) == 500  # rows per partition
            assert {r[1] for r in rows} == {"0"} and {r[-1] for r in rows} == {"start"}
            await pilot.press("escape", "5")
            panel = app.query_one("#data-kafka")
            await wait_for(pilot, lambda: panel.rows, timeout=60, what="lag")
            lag = {r["partition"]: r for r in panel.rows if "error" not in r}
            assert sum(r["lag"] for r in lag.values()) == 40 and {r["from"] for r in lag.values()} == {"warehouse"}
            errors = panel.query_one("#kafka-lag-errors").render().plain
            assert errors.startswith(" dead_stream (gone): kafka 127.0.0.1:") and "\n" not in errors

    try:
        asyncio.run(scenario())
    finally:
        session.close()
