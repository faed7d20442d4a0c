"""How a batch is read and decoded, without a broker: a scripted consumer and real Message objects."""

from __future__ import annotations

import json
from typing import Any

import pytest
from confluent_kafka import Message, TopicPartition

from console.errors import StreamingError
from console.streaming import kafka
from console.streaming.decode import Messages, decode_batch, json_decode
from console.streaming.kafka import CHUNK, _poll


class ScriptedConsumer:
    """A consumer over fixed partitions: ``arrive`` says how many consume() calls pass before
    the messages are there; every call is recorded (num_messages, timeout)."""

    def __init__(self, per_partition: dict[int, int], arrive: int = 0) -> None:
        self.queue = [Message(topic="t", partition=p, offset=o, value=json.dumps({"p": p, "o": o}).encode())
                      for o in range(max(per_partition.values())) for p, n in per_partition.items() if o < n]
        self.positions: dict[int, int] = {}
        self.arrive = arrive
        self.calls: list[tuple[int, float]] = []

    def consume(self, num_messages: int, timeout: float) -> list[Message]:
        self.calls.append((num_messages, timeout))
        if len(self.calls) <= self.arrive:
            return []
        got, self.queue = self.queue[:num_messages], self.queue[num_messages:]
        for m in got:
            self.positions[m.partition()] = m.offset() + 1
        return got

    def position(self, tps: list[TopicPartition]) -> list[TopicPartition]:
        return [TopicPartition("t", tp.partition, self.positions.get(tp.partition, -1001)) for tp in tps]


class Ctx:
    def check_cancelled(self) -> None:
        pass


def test_a_batch_ends_at_the_log_ends_it_started_with() -> None:
    consumer = ScriptedConsumer({0: 4000, 1: 4000, 2: 4000})
    got = _poll(consumer, kafka("t", batch=100_000, max_wait=60), {0: 0, 1: 0, 2: 0},
                {0: 4000, 1: 4000, 2: 4000}, Ctx())  # type: ignore[arg-type]
    assert len(got) == 12_000
    # whole consume() chunks, never more than is still behind
    assert [n for n, _ in consumer.calls[:-1]] == [CHUNK] * (12_000 // CHUNK) + [12_000 % CHUNK]
    assert consumer.calls[-1][1] == 0  # at the ends: take what is fetched, wait for nothing


def test_a_log_end_short_of_the_last_record_batch_still_takes_what_was_fetched() -> None:
    consumer = ScriptedConsumer({0: 50})  # the broker said 30, the client holds 50
    got = _poll(consumer, kafka("t", max_wait=60), {0: 0}, {0: 30}, Ctx())  # type: ignore[arg-type]
    assert got.positions()[1].tolist() == list(range(50))


def test_more_fetched_past_a_short_log_end_than_one_call_takes_is_all_taken() -> None:
    consumer = ScriptedConsumer({0: 2 * CHUNK + 10})  # the broker said 10
    got = _poll(consumer, kafka("t", max_wait=60), {0: 0}, {0: 10}, Ctx())  # type: ignore[arg-type]
    assert got.positions()[1].tolist() == list(range(2 * CHUNK + 10))
    assert all(timeout == 0 for _, timeout in consumer.calls[1:])  # none of it waited for


def test_a_full_batch_stops_mid_partition() -> None:
    consumer = ScriptedConsumer({0: 100, 1: 100})
    got = _poll(consumer, kafka("t", batch=70, max_wait=60), {0: 0, 1: 0}, {0: 100, 1: 100}, Ctx())  # type: ignore[arg-type]
    assert len(got) == 70 and consumer.queue


def test_nothing_waiting_takes_the_first_messages_to_arrive() -> None:
    consumer = ScriptedConsumer({0: 5}, arrive=3)
    got = _poll(consumer, kafka("t", max_wait=60), {0: 0}, {0: 0}, Ctx())  # type: ignore[arg-type]
    assert len(got) == 5 and len(consumer.calls) == 5  # three empty waits, the five, the drain
    idle = ScriptedConsumer({0: 5}, arrive=10**9)
    assert len(_poll(idle, kafka("t", max_wait=0.3), {0: 0}, {0: 0}, Ctx())) == 0  # type: ignore[arg-type]


def messages(values: list[bytes | None], partitions: int = 3) -> Messages:
    batch = Messages()
    batch.add([Message(topic="t", partition=i % partitions, offset=100 + i // partitions, value=v)
               for i, v in enumerate(values)])  # fmt: skip
    return batch


def test_a_key_outside_duckdbs_sample_is_read_from_the_whole_batch() -> None:
    values: list[bytes | None] = [json.dumps({"n": i}).encode() for i in range(30_000)]
    values.append(json.dumps({"n": 30_000, "late": "[bold]x[/]"}).encode())
    frame, bad, nexts = decode_batch(messages(values), json_decode, {0: 100, 1: 100, 2: 100, 3: 7})
    assert not bad and len(frame) == 30_001
    assert frame["late"].iloc[-1] == "[bold]x[/]" and frame["late"].iloc[:-1].isna().all()
    assert frame["n"].tolist() == list(range(30_001))
    assert nexts == {0: 100 + 10_001, 1: 100 + 10_000, 2: 100 + 10_000, 3: 7}  # 3 delivered nothing


def test_poison_and_tombstones_are_set_apart_with_their_offsets() -> None:
    values: list[bytes | None] = [b'{"n": 1}', b"\xff", None, b"[1]", b'{"n": 5}']
    frame, bad, nexts = decode_batch(messages(values, 1), json_decode, {0: 100})
    assert frame["n"].tolist() == [1, 5] and frame["_kafka_offset"].tolist() == [100, 104]
    assert [(b["offset"], b["error"].split(":")[0]) for b in bad] == [
        (101, "UnicodeDecodeError"), (102, "TypeError"), (103, "ValueError")]
    assert nexts == {0: 105}


def test_offsets_moved_by_another_run_write_nothing(tmp_path: Any) -> None:
    import duckdb
    import pandas as pd

    from console.streaming import offsets

    source = kafka("orders", table="events", group="ops")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute(offsets.DDL)
    frame = pd.DataFrame({"n": [1, 2], "_kafka_partition": [0, 0], "_kafka_offset": [0, 1]})
    offsets.write_batch(con, source, frame, [], {0: 0}, {0: 2}, run_id=1)  # the other run
    with pytest.raises(StreamingError, match="another run of group 'ops'"):
        offsets.write_batch(con, source, frame, [], {0: 0}, {0: 2}, run_id=2)  # read from 0 too
    assert con.execute("SELECT count(*) FROM events").fetchone() == (2,)
    assert offsets.stored(con, "orders", "ops") == {0: 2}


def test_every_message_keeps_its_own_partition_and_offset_across_runs_and_gaps() -> None:
    # runs of one partition: consecutive offsets (a range), a compacted gap, a partition that
    # comes back, a run of one
    layout = [(0, 100), (0, 101), (0, 102), (1, 7), (1, 9), (1, 10), (0, 103), (2, 0), (1, 11), (1, 12)]
    got = [Message(topic="t", partition=p, offset=o, value=b"{}") for p, o in layout]
    messages = Messages()
    messages.add(got)
    messages.add(got[:1])
    parts, offs = messages.positions()
    assert list(zip(parts.tolist(), offs.tolist(), strict=True)) == [*layout, layout[0]]
