"""Consumer lag of Kafka sources: how far each partition's stored offset is behind the log end.

``kafka_lag(topic, min_messages=1000, every="10s")`` as a pipeline's ``watch=`` starts a run
(trigger ``kafka``) when the lag reaches ``min_messages``; the headless service polls it every
``every``. ``opsconsole kafka lag`` prints the same numbers per partition.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from console.errors import PipelineDefinitionError
from console.streaming.kafka import KafkaSource, _consumer, kafka, partitions


@dataclass(frozen=True)
class KafkaLag:
    """A trigger: run when ``source``'s lag is at least ``min_messages`` (checked every ``every_s``)."""

    source: KafkaSource
    min_messages: int = 1000
    every_s: float = 10.0

    def __str__(self) -> str:
        return f"kafka_lag({self.source.topic!r}, min_messages={self.min_messages})"


def kafka_lag(
    topic: str,
    *,
    min_messages: int = 1000,
    every: str | float = "10s",
    brokers: str = "127.0.0.1:9092",
    group: str = "opsconsole",
    table: str | None = None,
) -> KafkaLag:
    """``watch=kafka_lag("orders", min_messages=1000, every="10s")``: run when that much is waiting."""
    from console.monitor.monitors import parse_duration

    if not isinstance(min_messages, int) or min_messages < 1:
        raise PipelineDefinitionError(f"kafka_lag({topic!r}): min_messages must be a positive integer")
    return KafkaLag(kafka(topic, brokers=brokers, group=group, table=table), min_messages, parse_duration(every))


def partition_lag(source: KafkaSource, warehouse: Path, timeout: float = 5.0) -> list[dict[str, Any]]:
    """Per partition: the stored next offset (warehouse, else the group's), the log end and the lag."""
    from confluent_kafka import TopicPartition

    from console.streaming import offsets

    stored: dict[int, int] = {}
    if warehouse.exists():
        with offsets.connect(warehouse, read_only=True, wait_s=timeout) as con:
            has = con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'kafka_offsets'"
            ).fetchone()
            if has and has[0]:
                stored = offsets.stored(con, source.topic, source.group)
    consumer = _consumer(source.consumer_config())
    try:
        parts = partitions(consumer, source, timeout)
        committed = {tp.partition: tp.offset for tp in consumer.committed(
            [TopicPartition(source.topic, p) for p in parts], timeout=timeout)}
        out = []
        for p in parts:
            low, high = consumer.get_watermark_offsets(TopicPartition(source.topic, p), timeout=timeout)
            at = stored.get(p, committed.get(p, -1))
            position = at if at is not None and at >= 0 else low
            out.append({"topic": source.topic, "partition": p, "group": source.group, "offset": position,
                        "log_end": high, "lag": max(high - position, 0),
                        "from": "warehouse" if p in stored else "group" if committed.get(p, -1) >= 0 else "start"})
        return out
    finally:
        consumer.close()


def kafka_sources(pipelines: Mapping[str, Any]) -> dict[str, KafkaSource]:
    """Pipeline name -> its Kafka source (``source=kafka(...)``, else a ``kafka_lag`` watch's)."""
    found: dict[str, KafkaSource] = {}
    for name, p in pipelines.items():
        src = p.stream if isinstance(p.stream, KafkaSource) else getattr(p.watch, "source", None)
        if isinstance(src, KafkaSource):
            found[name] = src
    return found
