"""Consumers kept between batches: reused for the same configuration only, bounded, closed when old."""

from __future__ import annotations

import json
from typing import Any

import pytest

from console.streaming import consumers


class FakeConsumer:
    made = 0

    def __init__(self, fail_unassign: bool = False) -> None:
        FakeConsumer.made += 1
        self.closed = self.unassigned = False
        self.fail_unassign = fail_unassign

    def unassign(self) -> None:
        if self.fail_unassign:
            raise RuntimeError("broker gone")
        self.unassigned = True

    def close(self) -> None:
        self.closed = True


@pytest.fixture(autouse=True)
def empty_pool() -> Any:
    consumers.close_all()
    yield
    consumers.close_all()


def test_a_consumer_is_reused_only_for_the_same_configuration() -> None:
    a, b = {"bootstrap.servers": "h:1", "group.id": "g"}, {"bootstrap.servers": "h:1", "group.id": "other"}
    first = consumers.take(a, FakeConsumer)
    consumers.give_back(a, first)
    assert first.unassigned and not first.closed and consumers.idle_count() == 1
    assert consumers.take(b, FakeConsumer) is not first  # another group: its own consumer
    assert consumers.take(dict(reversed(list(a.items()))), FakeConsumer) is first  # same settings, any order
    assert consumers.idle_count() == 0


def test_the_pool_is_bounded_and_old_or_troubled_consumers_are_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    made = [consumers.take({"n": i}, FakeConsumer) for i in range(consumers.KEEP + 1)]
    for i, consumer in enumerate(made):
        consumers.give_back({"n": i}, consumer)
    assert made[0].closed and consumers.idle_count() == consumers.KEEP  # the oldest went
    troubled = FakeConsumer(fail_unassign=True)
    consumers.give_back({"n": 99}, troubled)
    assert troubled.closed and consumers.idle_count() == consumers.KEEP
    clock = [1000.0]
    monkeypatch.setattr(consumers.time, "monotonic", lambda: clock[0])
    consumers.close_all()
    kept = consumers.take({"n": 1}, FakeConsumer)
    consumers.give_back({"n": 1}, kept)
    clock[0] += consumers.IDLE_S + 1
    fresh = consumers.take({"n": 1}, FakeConsumer)
    assert kept.closed and fresh is not kept  # idle too long: its broker may be gone


def test_an_idle_consumer_is_closed_by_a_timer_without_another_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setattr(consumers, "IDLE_S", 0.2)
    kept = consumers.take({"n": 1}, FakeConsumer)
    consumers.give_back({"n": 1}, kept)
    deadline = time.monotonic() + 5
    while not kept.closed and time.monotonic() < deadline:
        time.sleep(0.05)
    assert kept.closed and consumers.idle_count() == 0


def test_a_forked_process_never_takes_or_closes_the_parents_consumers(monkeypatch: pytest.MonkeyPatch) -> None:
    kept = consumers.take({"n": 1}, FakeConsumer)
    consumers.give_back({"n": 1}, kept)
    monkeypatch.setattr(consumers.os, "getpid", lambda: -1)
    assert consumers.take({"n": 1}, FakeConsumer) is not kept
    consumers.close_all()
    assert not kept.closed  # librdkafka's threads are the parent's: the child leaves it alone


def test_runs_of_a_kafka_pipeline_in_one_process_share_a_consumer_and_land_every_row(
    project: Any, broker: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from kafka_helpers import create_topic, produce, rows

    kafka_module = sys.modules["console.streaming.kafka"]
    make, made = kafka_module._consumer, []
    monkeypatch.setattr(kafka_module, "_consumer", lambda config: made.append(config) or make(config))

    create_topic(broker, "reuse", 3)
    project.write(
        "stream.py",
        "from console import Pipeline\nfrom console.streaming import kafka\n"
        f'p = Pipeline("stream", source=kafka("reuse", brokers="{broker}", group="ops", batch=500, '
        'max_wait="0.5s", table="events"))\n',
    )
    engine = project.engine()
    try:
        produce(broker, "reuse", [json.dumps({"n": i}).encode() for i in range(1200)])
        statuses = [engine.run("stream").final_status for _ in range(4)]  # 500 + 500 + 200 + none
        assert consumers.idle_count() == 1  # the one consumer, back in the pool after each batch
        produce(broker, "reuse", [json.dumps({"n": i}).encode() for i in range(1200, 1300)])
        statuses.append(engine.run("stream").final_status)
    finally:
        engine.close()
    assert statuses == ["succeeded"] * 5 and len(made) == 1
    assert rows(project, "SELECT count(*), count(DISTINCT n), min(n), max(n) FROM events")[0] == (1300, 1300, 0, 1299)
