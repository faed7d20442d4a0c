"""Kafka test helpers: create a topic and produce to it (the broker fixture is in conftest.py)."""

from __future__ import annotations

from typing import Any


def create_topic(brokers: str, topic: str, partitions: int = 3) -> None:
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({"bootstrap.servers": brokers})
    for future in admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)]).values():
        future.result(15)


def produce(brokers: str, topic: str, values: list[bytes], *, one_per_batch: bool = False) -> None:
    """Produce ``values`` keyed by index. Tansu reports a partition's log end as its last record
    batch's base offset + 1, so tests that read lag send one record per batch."""
    from confluent_kafka import Producer

    config = {"bootstrap.servers": brokers, "linger.ms": 0 if one_per_batch else 5}
    if one_per_batch:
        config["batch.num.messages"] = 1
    producer = Producer(config)
    for i, value in enumerate(values):
        while True:
            try:
                producer.produce(topic, value, key=str(i).encode())
                break
            except BufferError:
                producer.poll(0.05)
        if i % 5000 == 0:
            producer.poll(0)
    assert producer.flush(30) == 0


def rows(project: Any, query: str) -> list[tuple[Any, ...]]:
    """``query`` on the project's warehouse, read-only."""
    import duckdb

    con = duckdb.connect(str(project.root / ".opsconsole" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()
