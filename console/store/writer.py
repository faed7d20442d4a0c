"""One writer thread per process: it batches every state change into few transactions.

Callers never wait on SQLite. They put small tuples on a queue; the writer drains it,
groups consecutive operations of one kind into ``executemany`` calls, coalesces repeated
updates of one task row, and commits once per batch. ``flush()`` waits until everything
submitted before it is committed.
"""

from __future__ import annotations

import json
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from console.errors import StoreError
from console.store.db import connect, rollback, translate

EVENT_SQL = "INSERT INTO events (at, run_id, task, kind, status, data) VALUES (?, ?, ?, ?, ?, ?)"
MAX_BATCH = 20_000

# Operation tags: ("E", event tuple) | ("T", run_id, task, fields) | ("S", sql, params)
# | ("C", run_id, task, fields, event tuple): a task's state change, row and event at once
# | ("F", threading.Event): a flush marker | ("X",): stop
# | ("M", sql, rows) | ("F", threading.Event)
Op = tuple[Any, ...]


class Writer:
    """Batches writes for one database file on a daemon thread."""

    def __init__(self, path: Path, *, on_error: Callable[[BaseException], None] | None = None) -> None:
        self.path = path
        self._q: queue.SimpleQueue[Op] = queue.SimpleQueue()
        self._error: BaseException | None = None
        self._on_error = on_error
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name="opsconsole-writer", daemon=True)
        self._conn: sqlite3.Connection | None = None
        self._thread.start()

    # -- producers -------------------------------------------------------------------
    def event(
        self,
        run_id: int | None,
        task: str | None,
        kind: str,
        status: str | None = None,
        data: dict[str, Any] | None = None,
        at: float | None = None,
    ) -> None:
        self._check()
        # the dict is encoded on the writer thread, off the caller's path
        self._q.put(("E", (at or time.time(), run_id, task, kind, status, data or None)))

    def change(self, run_id: int, task: str, fields: dict[str, Any], event: tuple[Any, ...]) -> None:
        """A task's state change: its row update and its event row, as one operation."""
        self._check()
        self._q.put(("C", run_id, task, fields, event))

    def task(self, run_id: int, task: str, **fields: Any) -> None:
        """Update columns of one task row (coalesced with other updates in the batch)."""
        self._check()
        self._q.put(("T", run_id, task, fields))

    def sql(self, sql: str, params: Any = ()) -> None:
        self._check()
        self._q.put(("S", sql, params))

    def many(self, sql: str, rows: list[Any]) -> None:
        self._check()
        self._q.put(("M", sql, rows))

    def flush(self, timeout: float | None = 60.0) -> None:
        """Block until everything submitted so far is committed (or raise the writer's error)."""
        self._check()
        done = threading.Event()
        self._q.put(("F", done))
        while not done.wait(0.05):
            self._check()
            if timeout is not None:
                timeout -= 0.05
                if timeout <= 0:
                    raise StoreError(f"{self.path}: the writer did not commit in time")
        self._check()

    def close(self) -> None:
        if self._closed:
            return
        if self._error is not None:  # already reported; nothing more can be committed
            self._closed = True
            self._q.put(("X",))
            return
        try:
            self.flush()
        finally:
            self._closed = True
            self._q.put(("X",))
            self._thread.join(timeout=10)

    @property
    def error(self) -> BaseException | None:
        return self._error

    def _check(self) -> None:
        if self._error is not None:
            err = self._error
            if isinstance(err, StoreError):
                raise err
            raise translate(err, self.path)

    # -- the thread -------------------------------------------------------------------
    def _loop(self) -> None:
        try:
            self._conn = connect(self.path)
        except BaseException as exc:  # noqa: BLE001 - reported through _check()
            self._fail(exc)
            return
        while True:
            ops = [self._q.get()]
            try:
                while len(ops) < MAX_BATCH:
                    ops.append(self._q.get_nowait())
            except queue.Empty:
                pass
            flushes = [op[1] for op in ops if op[0] == "F"]
            stop = any(op[0] == "X" for op in ops)
            try:
                self._commit(ops)
            except BaseException as exc:  # noqa: BLE001
                self._fail(exc)
                for ev in flushes:
                    ev.set()
                return
            for ev in flushes:
                ev.set()
            if stop:
                self._conn.close()
                return

    def _fail(self, exc: BaseException) -> None:
        self._error = exc
        if self._on_error is not None:
            try:
                self._on_error(exc)
            except Exception:  # noqa: BLE001 - a listener never breaks the writer
                pass
        # Release anyone waiting on a flush later: drain and set.
        threading.Thread(target=self._drain_after_failure, daemon=True).start()

    def _drain_after_failure(self) -> None:
        while True:
            op = self._q.get()
            if op[0] == "F":
                op[1].set()
            if op[0] == "X":
                return

    def _commit(self, ops: list[Op]) -> None:
        conn = self._conn
        assert conn is not None
        work = [op for op in ops if op[0] in "ETSMC"]
        if not work:
            return
        for attempt in range(50):
            try:
                conn.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                time.sleep(0.05 * (attempt + 1))
        else:
            raise StoreError(f"{self.path}: the database stayed locked too long")
        try:
            self._apply(conn, work)
            conn.execute("COMMIT")
        except BaseException:
            rollback(conn)  # never in place of the real error (a full disk rolls back itself)
            raise

    @staticmethod
    def _apply(conn: sqlite3.Connection, work: list[Op]) -> None:
        """Apply one batch: statements in order, then coalesced task updates, then events.

        Task-row updates and event inserts commute with each other and with the run-level
        statements the engine sends, so grouping them keeps one ``executemany`` per shape.
        """
        events: list[tuple[Any, ...]] = []
        merged: dict[tuple[int, str], dict[str, Any]] = {}
        for op in work:
            tag = op[0]
            if tag == "E":
                events.append(op[1])
            elif tag == "C":
                key = (op[1], op[2])
                if key in merged:
                    merged[key].update(op[3])
                else:
                    merged[key] = op[3]
                events.append(op[4])
            elif tag == "T":
                key = (op[1], op[2])
                if key in merged:
                    merged[key].update(op[3])
                else:
                    merged[key] = dict(op[3])
            elif tag == "S":
                conn.execute(op[1], op[2])
            elif tag == "M":
                conn.executemany(op[1], op[2])
        if merged:
            by_shape: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
            for (run_id, name), fields in merged.items():
                cols = tuple(fields)
                by_shape.setdefault(cols, []).append((*fields.values(), run_id, name))
            for cols, rows in by_shape.items():
                sets = ", ".join(f"{c}=?" for c in cols)
                conn.executemany(f"UPDATE tasks SET {sets} WHERE run_id=? AND name=?", rows)
        if events:
            conn.executemany(
                EVENT_SQL,
                [
                    ev
                    if ev[5] is None or isinstance(ev[5], str)
                    else (*ev[:5], json.dumps(ev[5], default=str))
                    for ev in events
                ],
            )
