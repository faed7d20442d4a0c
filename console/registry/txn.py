"""Registry writes: short, durable ``BEGIN IMMEDIATE`` transactions that also emit events.

Registry changes are rare and must be visible to other processes at once, so they do not
go through the batching writer. Each transaction inserts its event rows itself, exactly as
the writer does (``events.seq`` is assigned by SQLite under the write lock), so an open
console tailing ``events`` sees a promotion live. ``synchronous=FULL`` for the duration
makes the commit survive a power loss, not only a crashed process.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from console.errors import ReadOnlyError
from console.store.db import translate
from console.store.writer import EVENT_SQL

if TYPE_CHECKING:
    from console.store.state import Store


class Tx:
    """The open transaction: run statements, queue events to insert before commit."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.events: list[tuple[Any, ...]] = []

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def one(self, sql: str, params: Any = ()) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.conn.execute(sql, params).fetchone()
        return row

    def event(
        self, kind: str, data: dict[str, Any], *, run_id: int | None = None, task: str | None = None
    ) -> None:
        self.events.append((time.time(), run_id, task, kind, None, json.dumps(data, default=str)))


@contextmanager
def write(store: Store) -> Iterator[Tx]:
    """One durable registry transaction on ``store``'s database."""
    if store.readonly:
        raise ReadOnlyError(f"{store.db_path}: the store is open read-only; registry changes refused")
    conn = store.db.conn()
    try:
        conn.execute("PRAGMA synchronous=FULL")
        with store.db.transaction() as c:
            tx = Tx(c)
            yield tx
            if tx.events:
                c.executemany(EVENT_SQL, tx.events)
    except sqlite3.DatabaseError as exc:
        raise translate(exc, store.db_path) from exc
    finally:
        try:
            conn.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.Error:
            pass
