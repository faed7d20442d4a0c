"""JSON batches parsed in pieces while they are fetched: the same rows as the whole batch, or the whole batch."""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
import pytest
from confluent_kafka import Message

from console.streaming.decode import Messages, decode_rows, json_decode, to_frame
from console.streaming.pieces import PIECE, Pieces

FIRST = PIECE  # the first piece is cut like the others

N = FIRST + 2 * PIECE + 1234  # a first piece, two more, and the rest at finish()


def chunks(values: list[bytes | None], size: int = 10_000) -> list[list[Message]]:
    msgs = [Message(topic="t", partition=i % 3, offset=i // 3, value=v) for i, v in enumerate(values)]
    return [msgs[i : i + size] for i in range(0, len(msgs), size)]


def read(values: list[bytes | None]) -> tuple[Any, list[Any], Pieces]:
    pieces = Pieces()
    batch = Messages(pieces)
    for chunk in chunks(values):
        batch.add(chunk)
    rows, bad, _ = decode_rows(batch, json_decode, {0: 0, 1: 0, 2: 0})
    pieces.close()
    return rows, bad, pieces


def whole(values: list[bytes | None]) -> Any:
    batch = Messages()
    for chunk in chunks(values):
        batch.add(chunk)
    return decode_rows(batch, json_decode, {0: 0, 1: 0, 2: 0})[0]


def values(n: int = N) -> list[bytes | None]:
    return [json.dumps({"n": i, "name": f"m{i % 7}", "x": i * 0.5}).encode() for i in range(n)]


def test_pieces_give_the_rows_the_whole_batch_gives() -> None:
    rows, bad, pieces = read(values())
    assert pieces.ok and not bad and isinstance(rows, pa.Table)
    assert rows.equals(whole(values()))
    frame = to_frame(rows)
    assert frame["n"].tolist() == list(range(N)) and frame["_kafka_offset"].iloc[-1] == (N - 1) // 3


def test_pieces_left_at_the_fetchs_end_are_parsed_by_both_threads_in_the_batchs_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading
    import time

    from console.streaming import arrow_json

    parse, by = arrow_json.parse, []

    def slow_worker(text: bytes, rows: int, **kw: Any) -> Any:
        worker = threading.current_thread().name == "kafka-pieces"
        by.append(worker)
        if worker:
            time.sleep(0.2)  # the worker falls behind the fetch: pieces wait for finish()
        return parse(text, rows, **kw)

    monkeypatch.setattr(arrow_json, "parse", slow_worker)
    rows, bad, pieces = read(values())
    assert pieces.ok and not bad and set(by) == {True, False}  # both threads parsed some
    assert rows.equals(whole(values()))  # in order, with every row's partition and offset
    assert to_frame(rows)["n"].tolist() == list(range(N))


@pytest.mark.parametrize("late", [
    {"n": 1, "name": "a", "x": 1.5, "new": "[bold]key[/]"},  # a key the first piece never had
    {"n": 1.5, "name": "a", "x": 1.5},  # a type the first piece's columns cannot hold
    {"n": None, "name": None, "x": None, "deep": {"a": [1]}},
])  # fmt: skip
def test_a_later_piece_unlike_the_first_sends_the_batch_to_a_whole_read(late: dict[str, Any]) -> None:
    vals = values()
    at = FIRST + PIECE + 5  # inside a later piece's own sample
    vals[at] = json.dumps(late).encode()
    rows, bad, pieces = read(vals)
    assert not pieces.ok and not bad and len(rows) == N
    # read whole with every row sampled: the late row as it is, the others unchanged
    assert {k: rows.column(k)[at].as_py() for k in late} == late
    assert rows.column("n")[at + 1].as_py() == at + 1 and rows.column("_kafka_offset")[at].as_py() == at // 3


def test_a_tombstone_or_poison_in_a_later_piece_is_quarantined_by_the_careful_path() -> None:
    vals = values()
    vals[FIRST + 3] = None
    vals[N - 2] = b"\xff"
    rows, bad, pieces = read(vals)
    assert not pieces.ok and [b["offset"] for b in bad] == [(FIRST + 3) // 3, (N - 2) // 3]
    assert len(rows) == N - 2


@pytest.mark.parametrize("use_pieces", [True, False])
@pytest.mark.parametrize(("column", "early", "late"), [
    ("n", 7, 1.5),  # sampled BIGINT: DuckDB would read 1.5 as 2
    ("flag", True, 3),  # sampled BOOLEAN: 3 would be true
    ("maybe", None, 5),  # sampled all-null: 5 would be NULL
])  # fmt: skip
def test_a_value_past_duckdbs_sample_is_read_as_it_is(use_pieces: bool, column: str, early: Any, late: Any) -> None:
    n = 2 * PIECE + 500
    vals: list[bytes | None] = [json.dumps({"id": i, column: early}).encode() for i in range(n)]
    at = PIECE + 300  # past the first 20,480 rows, and 300 rows into a later piece
    vals[at] = json.dumps({"id": at, column: late}).encode()
    rows = read(vals)[0] if use_pieces else whole(vals)
    assert len(rows) == n
    # the value itself, or its JSON text where DuckDB widens the column to VARCHAR (booleans and
    # numbers together): never a different value
    assert rows.column(column)[at].as_py() in (late, json.dumps(late))
    assert rows.column("id")[at].as_py() == at and rows.column(column)[0].as_py() in (early, json.dumps(early))


def test_a_double_too_large_to_be_exact_in_a_later_piece_sends_the_batch_to_duckdb() -> None:
    vals = values()
    at = FIRST + PIECE + 5  # the range of the doubles is checked once, over the whole batch
    vals[at] = json.dumps({"n": at, "name": "a", "x": 2**63 + 1}).encode()  # past BIGINT: a double to pyarrow
    rows, bad, pieces = read(vals)
    assert not pieces.ok and not bad and len(rows) == N
    assert rows.column("n")[at].as_py() == at and rows.column("x")[at + 1].as_py() == (at + 1) * 0.5
