"""Kafka micro-batches into the warehouse, exactly once.

    from console import Pipeline
    from console.streaming import kafka, kafka_lag

    p = Pipeline("orders_stream", source=kafka("orders", brokers="127.0.0.1:9092", group="ops"),
                 watch=kafka_lag("orders", brokers="127.0.0.1:9092", group="ops", min_messages=1000))

    @p.task
    def totals(batch):          # the decoded batch, as a DataFrame
        ...

Each run's source task consumes up to ``batch`` messages (or what arrived within ``max_wait``)
and writes them to the warehouse table (``table``, default the topic) together with the next
offset of each partition in ``kafka_offsets``, in one DuckDB transaction. The consumer starts
from those stored offsets (``assign()``, no group rebalance), so a crash between the write and
the commit neither loses nor duplicates a message; the offsets are then committed to the
consumer group as well, so Kafka's own tools show the lag. A message the decoder cannot read
goes to ``kafka_quarantine`` with its partition and offset and never blocks the stream.
``confluent-kafka`` is the optional extra ``ops-console[kafka]``, imported by the task only.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from console.errors import PipelineDefinitionError, StreamingError
from console.streaming import offsets

if TYPE_CHECKING:
    import pandas as pd

    from console.engine.context import Context

_librdkafka = logging.getLogger("console.kafka")
_librdkafka.addHandler(logging.NullHandler())  # outside a task: not Python's last-resort stderr
_TABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


def json_decode(value: bytes) -> dict[str, Any]:
    """The default decoder: one JSON object per message."""
    obj = json.loads(value)
    if not isinstance(obj, dict):
        raise ValueError(f"expected a JSON object, got {type(obj).__name__}")
    return obj


@dataclass(frozen=True)
class KafkaSource:
    """Where a pipeline's batches come from and where they land (see :func:`kafka`)."""

    topic: str
    brokers: str
    group: str
    batch: int = 10_000
    max_wait_s: float = 1.0
    table: str = ""
    task: str = "batch"
    decode: Callable[[bytes], dict[str, Any]] = json_decode
    config: dict[str, Any] = field(default_factory=dict)
    transform: Callable[..., Any] | None = None

    def as_task(self, transform: Callable[..., Any] | None = None) -> Callable[..., Any]:
        """The source task (named ``task``, or for the ``@p.kafka_source`` function it wraps)."""
        source = self if transform is None else replace(self, transform=transform, task=transform.__name__)
        return source_task(source)

    def consumer_config(self) -> dict[str, Any]:
        return {
            "bootstrap.servers": self.brokers,
            "group.id": self.group,
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
            "auto.offset.reset": "earliest",
            # a low session timeout: a consumer that joins a group (lag tools) is not kept 45 s
            "session.timeout.ms": 6000,
            "fetch.wait.max.ms": 50,
            # librdkafka's own lines go to logging (a task's log, never the terminal)
            "logger": _librdkafka,
            **self.config,
        }


def _seconds(value: str | float | int) -> float:
    from console.monitor.monitors import parse_duration

    return parse_duration(value, "max_wait")


def kafka(
    topic: str,
    *,
    brokers: str = "127.0.0.1:9092",
    group: str = "opsconsole",
    batch: int = 10_000,
    max_wait: str | float = "1s",
    table: str | None = None,
    task: str = "batch",
    decode: Callable[[bytes], dict[str, Any]] | None = None,
    config: dict[str, Any] | None = None,
) -> KafkaSource:
    """A Kafka topic as a pipeline's source: ``Pipeline(..., source=kafka("topic", ...))``."""
    name = table or re.sub(r"[^A-Za-z0-9_]", "_", topic)
    if not topic or not isinstance(topic, str):
        raise PipelineDefinitionError("kafka(): a topic name is required")
    if not _TABLE.fullmatch(name):
        raise PipelineDefinitionError(f"kafka({topic!r}): table {name!r} is not a valid table name")
    if not isinstance(batch, int) or batch < 1:
        raise PipelineDefinitionError(f"kafka({topic!r}): batch must be a positive integer, not {batch!r}")
    return KafkaSource(
        topic=topic, brokers=brokers, group=group, batch=batch, max_wait_s=_seconds(max_wait), table=name,
        task=task, decode=decode or json_decode, config=dict(config or {}),
    )  # fmt: skip


def source_task(source: KafkaSource) -> Callable[..., Any]:
    """The task function a pipeline with ``source=`` gets: consume one batch, return it."""

    def consume(ctx: Context) -> pd.DataFrame:
        return consume_batch(source, ctx)

    consume.__name__ = source.task
    consume.__qualname__ = source.task
    return consume


def _consumer(source: KafkaSource) -> Any:
    try:
        from confluent_kafka import Consumer
    except ModuleNotFoundError:
        raise StreamingError("Kafka sources need confluent-kafka: pip install 'ops-console[kafka]'") from None
    return Consumer(source.consumer_config())


def partitions(consumer: Any, source: KafkaSource, timeout: float = 10.0) -> list[int]:
    """The topic's partition ids; an unknown topic or unreachable broker is a StreamingError."""
    try:
        meta = consumer.list_topics(source.topic, timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - librdkafka's KafkaException: name the broker
        raise StreamingError(f"kafka {source.brokers}: cannot read topic {source.topic!r} ({exc})") from None
    topic = meta.topics.get(source.topic)
    if topic is None or topic.error is not None or not topic.partitions:
        why = topic.error if topic is not None and topic.error is not None else "no partitions"
        raise StreamingError(f"kafka {source.brokers}: topic {source.topic!r} is not available ({why})")
    return sorted(topic.partitions)


def consume_batch(source: KafkaSource, ctx: Context) -> pd.DataFrame:
    """Read up to ``source.batch`` messages after the stored offsets; write rows and offsets at once."""
    from confluent_kafka import TopicPartition

    consumer = _consumer(source)
    try:
        parts = partitions(consumer, source)
        with offsets.warehouse(ctx) as con:
            stored = offsets.stored(con, source.topic, source.group)
        starts = _starting_offsets(consumer, source, parts, stored)
        consumer.assign([TopicPartition(source.topic, p, starts[p]) for p in parts])
        messages = _poll(consumer, source)
        frame, bad, nexts = _decode(messages, source, starts)
        if source.transform is not None:
            frame = source.transform(frame)
        ctx.check_cancelled()
        with offsets.warehouse(ctx) as con:
            offsets.write_batch(con, source, frame, bad, nexts, ctx.run_id)
        _commit_to_group(consumer, source, nexts, ctx)
    finally:
        consumer.close()
    ctx.log(
        f"kafka {source.topic}: {len(messages):,} message(s) from {len(parts)} partition(s) -> "
        f"{len(frame):,} row(s) in {source.table}, {len(bad)} quarantined; next offsets "
        + ", ".join(f"{p}:{o}" for p, o in sorted(nexts.items()))
    )
    return frame


def _starting_offsets(consumer: Any, source: KafkaSource, parts: list[int], stored: dict[int, int]) -> dict[int, int]:
    """The warehouse's offsets; else the group's committed ones; else the beginning."""
    from confluent_kafka import TopicPartition

    starts = {p: stored[p] for p in parts if p in stored}
    missing = [p for p in parts if p not in starts]
    if missing:
        committed = consumer.committed([TopicPartition(source.topic, p) for p in missing], timeout=10)
        for tp in committed:
            low, _ = consumer.get_watermark_offsets(TopicPartition(source.topic, tp.partition), timeout=10)
            starts[tp.partition] = tp.offset if tp.offset >= 0 else low
    return starts


def _poll(consumer: Any, source: KafkaSource) -> list[Any]:
    """Messages until the batch is full, the stream goes quiet after some arrived, or max_wait passed."""
    out: list[Any] = []
    deadline = time.monotonic() + source.max_wait_s
    while len(out) < source.batch:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        got = consumer.consume(num_messages=min(source.batch - len(out), 10_000), timeout=min(left, 0.1))
        if not got and out:
            break  # caught up: what had arrived is read; don't sit out max_wait
        out.extend(msg for msg in got if msg.error() is None)
    return out


def _decode(
    messages: list[Any], source: KafkaSource, starts: dict[int, int]
) -> tuple[pd.DataFrame, list[dict[str, Any]], dict[int, int]]:
    import pandas as pd

    rows: list[dict[str, Any]] = []
    parts: list[int] = []
    offs: list[int] = []
    bad: list[dict[str, Any]] = []
    nexts = dict(starts)
    decode = source.decode
    for msg in messages:
        partition, offset, value = msg.partition(), msg.offset(), msg.value()
        nexts[partition] = max(nexts.get(partition, 0), offset + 1)
        try:
            rows.append(decode(value))
        except Exception as exc:  # noqa: BLE001 - a poison message is quarantined, never blocks
            bad.append({"partition": partition, "offset": offset, "value": value, "error": f"{type(exc).__name__}: {exc}"})
            continue
        parts.append(partition)
        offs.append(offset)
    frame = pd.DataFrame.from_records(rows) if rows else pd.DataFrame()
    frame["_kafka_partition"] = pd.Series(parts, dtype="int32")
    frame["_kafka_offset"] = pd.Series(offs, dtype="int64")
    return frame, bad, nexts


def _commit_to_group(consumer: Any, source: KafkaSource, nexts: dict[int, int], ctx: Context) -> None:
    from confluent_kafka import TopicPartition

    try:
        consumer.commit(offsets=[TopicPartition(source.topic, p, o) for p, o in nexts.items()], asynchronous=False)
    except Exception as exc:  # noqa: BLE001 - the warehouse holds the truth; this only feeds lag tools
        ctx.log(f"kafka {source.topic}: offsets not committed to group {source.group!r} ({exc}); lag tools lag")
