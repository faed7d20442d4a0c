"""Kafka sources on the process and Dask executors: the batch runs in the driver, the rest in workers."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from kafka_helpers import create_topic, drain_exactly_once, kill_runs, produce, rows

STREAM = '''
import os
from console import Pipeline
from console.streaming import kafka

p = Pipeline("stream", executor="{executor}")

@p.kafka_source(kafka("{topic}", brokers="{brokers}", group="ops", batch={batch}, max_wait="5s", table="events"))
def orders(frame):
    frame["pid"] = os.getpid()
    return frame

@p.task
def total(orders):
    return {{"pid": os.getpid(), "rows": len(orders), "sum": int(orders["n"].sum()) if len(orders) else 0}}
'''


@pytest.mark.parametrize("executor", ["process", "dask"])
def test_the_batch_commits_in_the_driver_and_downstream_runs_in_a_worker(
    project: Any, broker: str, executor: str
) -> None:
    from console.engine.engine import Engine
    from console.project import load_project

    if executor == "dask":
        pytest.importorskip("distributed")
    topic = f"orders_{executor}"
    create_topic(broker, topic, 3)
    produce(broker, topic, [json.dumps({"n": i}).encode() for i in range(3000)])
    project.write("stream.py", STREAM.format(topic=topic, brokers=broker, batch=2000, executor=executor))
    engine = Engine(load_project(project.root))
    try:
        first = engine.run("stream")
        assert first.final_status == "succeeded", first.status
        second = engine.run("stream")
        assert second.final_status == "succeeded", second.status
        totals = [r.values["total"] for r in (first, second)]
    finally:
        engine.close()
    assert sum(t["rows"] for t in totals) == 3000 and sum(t["sum"] for t in totals) == sum(range(3000))
    assert {t["pid"] for t in totals} and os.getpid() not in {t["pid"] for t in totals}  # workers
    count, distinct, pids = rows(project, "SELECT count(*), count(DISTINCT n), list(DISTINCT pid) FROM events")[0]
    assert (count, distinct, pids) == (3000, 3000, [os.getpid()])  # the batch ran in this process
    assert rows(project, "SELECT sum(next_offset) FROM kafka_offsets")[0][0] == 3000
    # and from the command line, a second process on the same warehouse: nothing left, nothing twice
    empty = project.cli_json("run", "stream", "--executor", executor)
    assert empty["status"] == "succeeded"
    assert rows(project, "SELECT count(*) FROM events")[0][0] == 3000


KILLED = '''
from console import Pipeline
from console.streaming import kafka

p = Pipeline("stream", executor="process")

@p.kafka_source(kafka("{topic}", brokers="{brokers}", group="ops", batch={batch}, max_wait="0.5s", table="events"))
def orders(frame):
    return frame

@p.task
def total(orders):
    return int(orders["n"].sum()) if len(orders) else 0
'''


def test_exactly_once_through_kills_on_the_process_executor(project: Any, broker: str) -> None:
    create_topic(broker, "killed", 3)
    total = 30_000
    produce(broker, "killed", [json.dumps({"n": i}).encode() for i in range(total)])
    project.write("stream.py", KILLED.format(topic="killed", brokers=broker, batch=2_000))  # 15 runs
    kill_runs(project, 3, seed=11, attempts=40, group=True)  # workers running too
    drain_exactly_once(project, total, attempts=40)
