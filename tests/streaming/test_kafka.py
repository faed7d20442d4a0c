"""Kafka sources against a real broker: batches, poison messages, lag, exactly once under kill -9."""

from __future__ import annotations

import json
import time
from typing import Any

from kafka_helpers import create_topic, drain_exactly_once, kill_runs, produce, rows

STREAM = '''
from console import Pipeline
from console.streaming import kafka, kafka_lag

src = kafka("{topic}", brokers="{brokers}", group="ops", batch={batch}, max_wait="0.5s", table="events")
p = Pipeline("stream", source=src, watch=kafka_lag("{topic}", brokers="{brokers}", group="ops",
                                                  min_messages={min_messages}, every=0.1, table="events"))

@p.task
def total(batch):
    return int(batch["n"].sum()) if len(batch) else 0
'''


def write_stream(project: Any, broker: str, topic: str, batch: int, min_messages: int = 1) -> None:
    project.write("stream.py", STREAM.format(topic=topic, brokers=broker, batch=batch, min_messages=min_messages))


def test_batches_land_once_with_offsets_and_poison_quarantined(project: Any, broker: str) -> None:
    create_topic(broker, "orders", 3)
    values = [json.dumps({"n": i, "name": "[bold]x[/]"}).encode() for i in range(1000)]
    values[10] = b"\xff not json"
    values[500] = b"[1, 2]"
    produce(broker, "orders", values, one_per_batch=True)
    write_stream(project, broker, "orders", batch=400)
    first = project.cli_json("run", "stream")
    assert first["status"] == "succeeded"
    assert rows(project, "SELECT count(*) FROM events")[0][0] + len(rows(project, "SELECT * FROM kafka_quarantine")) == 400
    for _ in range(3):
        project.cli("run", "stream", check=0)
    assert rows(project, "SELECT count(*), count(DISTINCT n), sum(n) FROM events")[0] == (998, 998, sum(range(1000)) - 510)
    bad = rows(project, 'SELECT "offset", error FROM kafka_quarantine ORDER BY error')
    assert len(bad) == 2 and {e.split(":")[0] for _, e in bad} == {"UnicodeDecodeError", "ValueError"}
    assert rows(project, "SELECT sum(next_offset) FROM kafka_offsets")[0][0] == 1000
    lag = project.cli_json("kafka", "lag")
    assert [p["lag"] for p in lag] == [0, 0, 0] and {p["from"] for p in lag} == {"warehouse"}
    empty = project.cli_json("run", "stream")  # nothing waiting: an empty batch, still a success
    assert empty["status"] == "succeeded"
    assert rows(project, "SELECT count(*) FROM events")[0][0] == 998
    text = project.cli("kafka", "lag", check=0).stdout
    assert "orders[0]" in text and "lag 0" in text


def test_the_group_sees_the_committed_offsets(project: Any, broker: str) -> None:
    from confluent_kafka import Consumer, TopicPartition

    create_topic(broker, "clicks", 2)
    produce(broker, "clicks", [json.dumps({"n": i}).encode() for i in range(300)])
    write_stream(project, broker, "clicks", batch=1000)
    project.cli("run", "stream", check=0)
    consumer = Consumer({"bootstrap.servers": broker, "group.id": "ops"})
    try:
        committed = consumer.committed([TopicPartition("clicks", p) for p in (0, 1)], timeout=10)
    finally:
        consumer.close()
    assert sum(tp.offset for tp in committed) == 300


def test_an_unreachable_broker_fails_the_task_in_one_line(project: Any) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    project.write("stream.py", STREAM.format(topic="t", brokers=f"127.0.0.1:{port}", batch=10, min_messages=1))
    run = project.cli_json("run", "stream", check=1)
    batch = next(t for t in run["tasks"] if t["name"] == "batch")
    assert batch["status"] == "failed" and "cannot read topic 't'" in batch["error"]
    assert next(t for t in run["tasks"] if t["name"] == "total")["status"] == "skipped"
    lag = project.cli("kafka", "lag", check=2)
    assert "cannot read topic" in lag.stderr and lag.stderr.count("\n") == 1


def test_a_lag_trigger_starts_a_run(project: Any, broker: str) -> None:
    from console.engine.engine import Engine
    from console.project import load_project
    from console.triggers.service import Service

    create_topic(broker, "lagged", 1)
    write_stream(project, broker, "lagged", batch=1000, min_messages=50)
    engine = Engine(load_project(project.root))
    service = Service(engine)
    try:
        service.tick()
        service.kafka.wait()
        assert not [d for d in service.tick() if d.source == "kafka"]  # nothing waiting yet
        produce(broker, "lagged", [json.dumps({"n": i}).encode() for i in range(60)], one_per_batch=True)
        launched: list[Any] = []
        deadline = time.monotonic() + 20
        while not launched and time.monotonic() < deadline:
            time.sleep(0.15)
            service.kafka.wait()
            launched = [d for d in service.tick() if d.source == "kafka" and d.run_id]
        assert launched and "lag 60 >= 50" in launched[0].message
        assert service.wait_runs(30)
    finally:
        service.stop()
        engine.close()
    assert rows(project, "SELECT count(*) FROM events")[0][0] == 60
    assert project.cli_json("runs")[0]["trigger"] == "kafka"


def test_exactly_once_through_five_kills(project: Any, broker: str) -> None:
    create_topic(broker, "payments", 3)
    total = 100_000
    produce(broker, "payments", [json.dumps({"n": i}).encode() for i in range(total)])
    write_stream(project, broker, "payments", batch=4_000)  # 25 runs: enough left to kill
    kill_runs(project, 5, seed=7, attempts=60)
    drain_exactly_once(project, total, attempts=60)
