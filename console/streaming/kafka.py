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


QUIET_S = 0.5  # after messages arrived, this long without one ends the batch


def _poll(consumer: Any, source: KafkaSource) -> list[Any]:
    """Messages until the batch is full, the stream has gone quiet after some arrived, or
    ``max_wait`` passed. (Log-end offsets are not used: some Kafka-compatible brokers report
    them per record batch.)"""
    out: list[Any] = []
    now = time.monotonic()
    deadline, last = now + source.max_wait_s, now
    while len(out) < source.batch:
        now = time.monotonic()
        if now >= deadline or (out and now - last > QUIET_S):
            break
        got = consumer.consume(num_messages=min(source.batch - len(out), 10_000), timeout=min(deadline - now, 0.1))
        out.extend(msg for msg in got if msg.error() is None)
        if got:
            last = time.monotonic()
    return out


def _decode(
    messages: list[Any], source: KafkaSource, starts: dict[int, int]
) -> tuple[pd.DataFrame, list[dict[str, Any]], dict[int, int]]:
    """The batch as a frame (plus ``_kafka_partition``/``_kafka_offset``), the poison messages, and
    the next offset per partition. JSON batches are parsed by DuckDB in one pass; a batch it cannot
    read whole (a poison message, mixed shapes) is decoded message by message."""
    nexts = dict(starts)
    for msg in messages:
        nexts[msg.partition()] = max(nexts.get(msg.partition(), 0), msg.offset() + 1)
    if source.decode is json_decode and messages:
        frame = _duckdb_json(messages)
        if frame is not None:
            return frame, [], nexts
    return _decode_each(messages, source, nexts)


def _duckdb_json(messages: list[Any]) -> pd.DataFrame | None:
    import tempfile

    import duckdb
    import numpy as np

    values = [msg.value() for msg in messages]
    if None in values:
        return None  # tombstones: the careful path quarantines them
    text = b"\n".join(values)
    if text.count(b"\n") != len(values) - 1:
        return None  # a value spans lines: not one JSON object per line
    with tempfile.NamedTemporaryFile(suffix=".ndjson") as fh:
        fh.write(text)
        fh.flush()
        con = duckdb.connect()
        try:
            # insertion order is preserved (DuckDB's default), so row i is message i
            frame = con.sql(
                f"SELECT * FROM read_json('{fh.name}', format='newline_delimited', records=true,"
                " sample_size=-1, maximum_object_size=67108864)"
            ).df()
        except duckdb.Error:
            return None
        finally:
            con.close()
    if len(frame) != len(values):
        return None
    n = len(values)
    frame["_kafka_partition"] = np.fromiter((m.partition() for m in messages), dtype=np.int32, count=n)
    frame["_kafka_offset"] = np.fromiter((m.offset() for m in messages), dtype=np.int64, count=n)
    return frame


def _decode_each(
    messages: list[Any], source: KafkaSource, nexts: dict[int, int]
) -> tuple[pd.DataFrame, list[dict[str, Any]], dict[int, int]]:
    import pandas as pd

    rows: list[dict[str, Any]] = []
    parts: list[int] = []
    offs: list[int] = []
    bad: list[dict[str, Any]] = []
    decode = source.decode
    for msg in messages:
        partition, offset, value = msg.partition(), msg.offset(), msg.value()
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
