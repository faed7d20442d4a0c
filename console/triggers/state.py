"""What the trigger service remembers across restarts, in the store's ``triggers_state`` table.

Rows are ``(pipeline, kind, key) -> value``:

- ``(name, "schedule", "last_tick")``: the last tick handled (epoch seconds), so a restart
  applies the catch-up policy to the ticks missed while stopped;
- ``(name, "file", "@pattern")``: the watched pattern (a new pattern starts a new baseline);
- ``(name, "file", <path relative to the project>)``: ``"<size>:<mtime_ns>"`` of the
  version of that file a run was started for;
- ``(monitor name, "monitor", "last_eval")``: when a monitor was last evaluated.

Writes are rare (a tick handled, a file picked up) and go straight to the database, not
through the batching writer, so the state is on disk before the run it describes starts.
"""

from __future__ import annotations

from collections.abc import Iterable

from console.store.db import Database


class TriggerState:
    """Small key-value access to ``triggers_state``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, pipeline: str, kind: str, key: str) -> str | None:
        row = self.db.query_one(
            "SELECT value FROM triggers_state WHERE pipeline=? AND kind=? AND key=?", (pipeline, kind, key)
        )
        return None if row is None else row["value"]

    def get_float(self, pipeline: str, kind: str, key: str) -> float | None:
        value = self.get(pipeline, kind, key)
        try:
            return float(value) if value is not None else None
        except ValueError:
            return None

    def all(self, pipeline: str, kind: str) -> dict[str, str | None]:
        rows = self.db.query(
            "SELECT key, value FROM triggers_state WHERE pipeline=? AND kind=?", (pipeline, kind)
        )
        return {r["key"]: r["value"] for r in rows}

    def set(self, pipeline: str, kind: str, key: str, value: str | float | None) -> None:
        self.set_many(pipeline, kind, [(key, value)])

    def set_many(self, pipeline: str, kind: str, items: Iterable[tuple[str, str | float | None]]) -> None:
        rows = [(pipeline, kind, key, None if v is None else str(v)) for key, v in items]
        if not rows:
            return
        with self.db.transaction() as conn:
            conn.executemany(
                "INSERT INTO triggers_state (pipeline, kind, key, value) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (pipeline, kind, key) DO UPDATE SET value=excluded.value",
                rows,
            )

    def delete(self, pipeline: str, kind: str, keys: Iterable[str]) -> None:
        rows = [(pipeline, kind, key) for key in keys]
        if not rows:
            return
        with self.db.transaction() as conn:
            conn.executemany("DELETE FROM triggers_state WHERE pipeline=? AND kind=? AND key=?", rows)
