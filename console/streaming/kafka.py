"""Kafka micro-batches into the warehouse, exactly once.

    from console import Pipeline
    from console.streaming import kafka, kafka_lag

    p = Pipeline("orders_stream", source=kafka("orders", brokers="127.0.0.1:9092", group="ops"),
                 watch=kafka_lag("orders", brokers="127.0.0.1:9092", group="ops", min_messages=1000))

    @p.task
    def totals(batch):          # the decoded batch, as a DataFrame
        ...

Each run's source task consumes up to ``batch`` messages: what was waiting when it started (it
stops when every partition reaches the log end it had then), or with nothing waiting what
arrives within ``max_wait`` (also the upper bound of any batch), and writes them to the warehouse table (``table``, default the topic) together with the next
offset of each partition in ``kafka_offsets``, in one DuckDB transaction. The consumer starts
from those stored offsets (``assign()``, no group rebalance), so a crash between the write and
the commit neither loses nor duplicates a message; the offsets are then committed to the
consumer group as well, so Kafka's own tools show the lag. A message the decoder cannot read
goes to ``kafka_quarantine`` with its partition and offset and never blocks the stream. The
task always runs in the process that owns the run (``TaskSpec.in_driver``), whatever the executor.
``confluent-kafka`` is the optional extra ``ops-console[kafka]``, imported by the task only.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from console.errors import PipelineDefinitionError, StreamingError
from console.streaming import consumers, offsets
from console.streaming.batch_report import KIND, batch_report
from console.streaming.decode import Messages, decode_rows, json_decode, to_frame
from console.streaming.pieces import Pieces, quick_gil_handoffs

if TYPE_CHECKING:
    import pandas as pd

    from console.engine.context import Context

_librdkafka = logging.getLogger("console.kafka")
_librdkafka.addHandler(logging.NullHandler())  # outside a task: not Python's last-resort stderr
_TABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


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
            # the first broker connection is followed by a second one, after reconnect.backoff.ms
            # (100 ms +-50% by default): the batch's first metadata call waited ~50 ms for it
            "reconnect.backoff.ms": 10,
            **FETCH_CONFIG,
            # librdkafka's own lines go to logging (a task's log, never the terminal)
            "logger": _librdkafka,
            **self.config,
        }


# How a batch reader fetches (the bench's bare loop uses the same). librdkafka postpones a
# partition's fetches by fetch.queue.backoff.ms (1 s by default) whenever its local queue is over
# queued.min.messages: a reader that drains the queue in large steps keeps hitting that pause.
FETCH_CONFIG: dict[str, Any] = {"fetch.wait.max.ms": 50, "fetch.queue.backoff.ms": 10}
# Messages per consume() call. The call holds the GIL while it makes their Python objects (~1 ms
# per 2,500), so the piece thread gets it back soon; 10,000 a call made a 500k batch ~3% slower.
CHUNK = 2_500
POLL_S = 0.1  # longest single wait inside a batch (cancel and max_wait are checked between)


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


def _refused(exc: Exception) -> bool:
    """librdkafka's transport failure: the connection was refused or dropped, not slow."""
    from confluent_kafka import KafkaError

    err = exc.args[0] if exc.args else None
    return isinstance(err, KafkaError) and err.code() == KafkaError._TRANSPORT


def _consumer(config: dict[str, Any]) -> Any:
    """A librdkafka consumer made with ``config`` (a source's ``consumer_config()``)."""
    try:
        from confluent_kafka import Consumer
    except ModuleNotFoundError:
        raise StreamingError("Kafka sources need confluent-kafka: pip install 'ops-console[kafka]'") from None
    return Consumer(config)


REFUSED_S = 2.0  # a broker that refuses every connection this long is not there


def partitions(consumer: Any, source: KafkaSource, timeout: float = 10.0) -> list[int]:
    """The topic's partition ids; an unknown topic or unreachable broker is a StreamingError.

    The metadata request is retried in short steps: a broker that is slow to answer gets the
    whole ``timeout``, one that refuses the connection (nothing listening: a transport failure
    at once) is given up on after ``REFUSED_S``."""
    start = time.monotonic()
    while True:
        left = timeout - (time.monotonic() - start)
        try:
            meta = consumer.list_topics(source.topic, timeout=max(min(left, 0.5), 0.01))
            break
        except Exception as exc:  # noqa: BLE001 - librdkafka's KafkaException: name the broker
            waited = time.monotonic() - start
            if waited < timeout and not (_refused(exc) and waited >= REFUSED_S):
                continue
            raise StreamingError(f"kafka {source.brokers}: cannot read topic {source.topic!r} ({exc})") from None
    topic = meta.topics.get(source.topic)
    if topic is None or topic.error is not None or not topic.partitions:
        why = topic.error if topic is not None and topic.error is not None else "no partitions"
        raise StreamingError(f"kafka {source.brokers}: topic {source.topic!r} is not available ({why})")
    return sorted(topic.partitions)


def consume_batch(source: KafkaSource, ctx: Context) -> pd.DataFrame:
    """Read up to ``source.batch`` messages after the stored offsets; write rows and offsets at once."""
    from confluent_kafka import TopicPartition

    config = source.consumer_config()
    # the last batch's consumer when this process ran one (see consumers.py); a new one connects
    # in the background while the warehouse is read
    consumer = consumers.take(config, lambda: _consumer(config))
    ended_well = False
    pieces = Pieces() if source.decode is json_decode else None
    # the topic's partitions and log ends are asked for while DuckDB opens the warehouse (~17 ms;
    # the first broker request may wait ~13 ms for its connection)
    side = ThreadPoolExecutor(1, thread_name_prefix="kafka-metadata")
    topic = side.submit(_log_ends, consumer, source)
    try:
        # One write connection for the whole batch: opening DuckDB costs ~20 ms (it builds its
        # catalog), and a poll longer than the warehouse's linger would close it in between.
        with offsets.warehouse(ctx) as con:
            stored = offsets.stored(con, source.topic, source.group)
            ends = topic.result()
            parts = sorted(ends)
            starts, origins = _starting_offsets(consumer, source, parts, stored)
            consumer.assign([TopicPartition(source.topic, p, starts[p]) for p in parts])
            with quick_gil_handoffs():
                messages = _poll(consumer, source, starts, ends, ctx, pieces)
                rows, bad, nexts = decode_rows(messages, source.decode, starts)
            frame = to_frame(rows)
            if source.transform is not None:
                rows = frame = source.transform(frame)
            ctx.check_cancelled()
            # the engine stores the returned frame (pickled, hashed, written: 40-90 ms for 500k
            # rows here) while DuckDB inserts the rows, instead of after
            ctx.save_result_early(frame)
            offsets.write_batch(con, source, rows, bad, starts, nexts, ctx.run_id)
        offsets.checkpoint_soon(ctx, len(rows))
        _commit_to_group(consumer, source, nexts, ctx)
        ended_well = True
    finally:
        side.shutdown(wait=True)  # never closes the consumer under the metadata request
        if pieces is not None:
            pieces.close()
        if ended_well:
            consumers.give_back(config, consumer)
        else:
            consumer.close()
    ctx.event(KIND, batch_report(source, starts, origins, ends, nexts, frame, bad))
    ctx.log(
        f"kafka {source.topic}: {len(messages):,} message(s) from {len(parts)} partition(s) -> "
        f"{len(frame):,} row(s) in {source.table}, {len(bad)} quarantined; next offsets "
        + ", ".join(f"{p}:{o}" for p, o in sorted(nexts.items()))
    )
    return frame


def _log_ends(consumer: Any, source: KafkaSource) -> dict[int, int]:
    """Each partition of the topic and its log end now."""
    from confluent_kafka import TopicPartition

    return {p: _log_end(consumer, TopicPartition(source.topic, p)) for p in partitions(consumer, source)}


def _starting_offsets(
    consumer: Any, source: KafkaSource, parts: list[int], stored: dict[int, int]
) -> tuple[dict[int, int], dict[int, str]]:
    """The warehouse's offsets; else the group's committed ones; else the beginning (and which)."""
    from confluent_kafka import TopicPartition

    starts = {p: stored[p] for p in parts if p in stored}
    origins = dict.fromkeys(starts, "warehouse")
    missing = [p for p in parts if p not in starts]
    if missing:
        committed = consumer.committed([TopicPartition(source.topic, p) for p in missing], timeout=10)
        for tp in committed:
            low, _ = consumer.get_watermark_offsets(TopicPartition(source.topic, tp.partition), timeout=10)
            starts[tp.partition] = tp.offset if tp.offset >= 0 else low
            origins[tp.partition] = "group" if tp.offset >= 0 else "start"
    return starts, origins


def _log_end(consumer: Any, tp: Any) -> int:
    _, high = consumer.get_watermark_offsets(tp, timeout=10)
    return int(high)


def _poll(
    consumer: Any,
    source: KafkaSource,
    starts: dict[int, int],
    ends: dict[int, int],
    ctx: Context,
    pieces: Pieces | None = None,
) -> Messages:
    """Messages until every partition reached the log end it had when the batch started, the
    batch is full, or ``max_wait`` passed. With nothing waiting at the start, the first messages
    to arrive within ``max_wait`` are the batch. Reaching the ends, what the client has already
    fetched is taken without waiting (a broker may report a log end short of its last record batch)."""
    from confluent_kafka import TopicPartition

    tps = [TopicPartition(source.topic, p) for p in ends]
    out = Messages(pieces)
    deadline = time.monotonic() + source.max_wait_s
    behind = _behind(consumer, tps, starts, ends)
    while len(out) < source.batch:
        now = time.monotonic()
        if now >= deadline:
            break
        if behind <= 0 and out:
            # all the client holds already, without waiting (more than one call's worth when the
            # broker's log end fell short of its last record batch)
            while len(out) < source.batch:
                got = consumer.consume(num_messages=min(source.batch - len(out), CHUNK), timeout=0)
                if not got:
                    break
                _take(out, got)
            break
        want = min(source.batch - len(out), CHUNK, behind if behind > 0 else CHUNK)
        _take(out, consumer.consume(num_messages=want, timeout=min(deadline - now, POLL_S)))
        ctx.check_cancelled()
        behind = _behind(consumer, tps, starts, ends)
    return out


def _behind(consumer: Any, tps: list[Any], starts: dict[int, int], ends: dict[int, int]) -> int:
    """Messages still to read to reach ``ends``, from the consumer's positions (one call)."""
    total = 0
    for tp in consumer.position(tps):
        at = tp.offset if tp.offset >= 0 else starts[tp.partition]
        total += max(ends[tp.partition] - at, 0)
    return total


def _take(out: Messages, got: list[Any]) -> None:
    """Add the messages of one consume() call; error events (not messages) are dropped."""
    from confluent_kafka import Message

    if any(map(Message.error, got)):
        got = [m for m in got if m.error() is None]
    out.add(got)


def _commit_to_group(consumer: Any, source: KafkaSource, nexts: dict[int, int], ctx: Context) -> None:
    from confluent_kafka import TopicPartition

    try:
        consumer.commit(offsets=[TopicPartition(source.topic, p, o) for p, o in nexts.items()], asynchronous=False)
    except Exception as exc:  # noqa: BLE001 - the warehouse holds the truth; this only feeds lag tools
        ctx.log(f"kafka {source.topic}: offsets not committed to group {source.group!r} ({exc}); lag tools lag")
