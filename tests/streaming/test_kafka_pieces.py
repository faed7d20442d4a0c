"""A large batch against a real broker: parsed in pieces and written whole, or nothing on cancel."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from kafka_helpers import create_topic, produce

from console.errors import TaskCancelledError
from console.streaming import kafka, offsets
from console.streaming.kafka import consume_batch
from console.streaming.pieces import PIECE, Pieces

FIRST = PIECE  # the first piece is cut like the others

N = FIRST + 3 * PIECE + 77


class Ctx:
    """What consume_batch uses of a task's context; cancelled once ``cancel`` is set."""

    def __init__(self, root: Any) -> None:
        self.project_root = str(root)
        self.store = None
        self.run_id = 3
        self._cancel = threading.Event()
        self.cancel = threading.Event()
        self.lines: list[str] = []

    def check_cancelled(self) -> None:
        if self.cancel.is_set():
            raise TaskCancelledError("cancelled")

    def event(self, kind: str, data: Any) -> None:
        pass

    def log(self, line: str) -> None:
        self.lines.append(line)

    def save_result_early(self, value: Any) -> None:
        self.early = value


def stored_rows(root: Any) -> tuple[int, dict[int, int]]:
    path = root / ".opsconsole" / "warehouse.duckdb"
    with offsets.connect(path) as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        count = con.execute("SELECT count(*) FROM events").fetchall()[0][0] if "events" in tables else 0
        return int(count), offsets.stored(con, "big", "ops")


def test_a_large_batch_lands_whole_and_a_cancel_mid_batch_leaves_nothing(
    broker: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".opsconsole").mkdir()
    create_topic(broker, "big", 3)
    produce(broker, "big", [json.dumps({"n": i, "s": f"v{i % 9}"}).encode() for i in range(N)])
    source = kafka("big", brokers=broker, group="ops", batch=10 * N, max_wait=30, table="events")
    cancelled = Ctx(tmp_path)
    parse = Pieces._piece

    def parse_then_cancel(self: Pieces, *args: Any) -> None:
        parse(self, *args)
        cancelled.cancel.set()  # a piece is parsed, the batch not written yet

    monkeypatch.setattr(Pieces, "_piece", parse_then_cancel)
    with pytest.raises(TaskCancelledError):
        consume_batch(source, cancelled)  # type: ignore[arg-type]
    assert cancelled.cancel.is_set() and stored_rows(tmp_path) == (0, {})
    monkeypatch.undo()
    ctx = Ctx(tmp_path)
    frame = consume_batch(source, ctx)  # type: ignore[arg-type]
    assert len(frame) == N and sorted(frame["n"].tolist()) == list(range(N))
    count, nexts = stored_rows(tmp_path)
    assert count == N and sum(nexts.values()) == N
