"""Notification deliveries: one row per (event, target), so nothing is sent twice.

A row is claimed with ``INSERT OR IGNORE`` when the notifier first sees its event (the
``UNIQUE (event_seq, target)`` key makes a restart, a retry or a second process harmless)
and taken for sending by a conditional ``UPDATE`` (only one process wins it). States:
``pending`` -> ``sending`` -> ``sent`` | ``retry`` (with ``next_at``) | ``failed`` (gave up)
| ``suppressed`` (rate limit). ``target`` is the rule's URL as written (``$SLACK_URL``
stays a name), so secrets from the environment are never stored.
"""

from __future__ import annotations

from typing import Any

from console.store.db import Database
from console.store.runs import iso

CURSOR = ("*", "notify", "cursor")
STUCK_S = 300.0  # a 'sending' row this old belonged to a process that died mid-send


def cursor(db: Database) -> int | None:
    row = db.query_one("SELECT value FROM triggers_state WHERE pipeline=? AND kind=? AND key=?", CURSOR)
    return int(row[0]) if row is not None and row[0] is not None else None


def set_cursor(db: Database, seq: int) -> None:
    db.execute(
        "INSERT INTO triggers_state (pipeline, kind, key, value) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (pipeline, kind, key) DO UPDATE SET value=max(CAST(value AS INTEGER), excluded.value)",
        (*CURSOR, str(seq)),
    )


def claim(db: Database, items: list[tuple[int, str, str, int | None]], now: float) -> int:
    """Rows ``(event_seq, event, target, run_id)`` as pending; those already there are kept."""
    if not items:
        return 0
    with db.transaction() as conn:
        before = conn.total_changes
        conn.executemany(
            "INSERT OR IGNORE INTO notifications (event_seq, event, target, run_id, status, created_at, next_at)"
            " VALUES (?, ?, ?, ?, 'pending', ?, ?)",
            [(*item, now, now) for item in items],
        )
        return conn.total_changes - before


def due(db: Database, now: float, limit: int = 100) -> list[dict[str, Any]]:
    db.execute(
        "UPDATE notifications SET status='retry' WHERE status='sending' AND next_at < ?", (now - STUCK_S,)
    )
    rows = db.query(
        "SELECT n.*, e.data AS event_data, e.task AS event_task, e.status AS event_status FROM notifications n"
        " LEFT JOIN events e ON e.seq = n.event_seq"
        " WHERE n.status IN ('pending', 'retry') AND n.next_at <= ? ORDER BY n.id LIMIT ?",
        (now, limit),
    )
    return [dict(r) for r in rows]


def take(db: Database, row_id: int, now: float) -> bool:
    """Take a due row for sending; False when another process took it first."""
    cur = db.execute(
        "UPDATE notifications SET status='sending', attempts=attempts+1, next_at=?"
        " WHERE id=? AND status IN ('pending', 'retry')",
        (now, row_id),
    )
    return cur.rowcount == 1


def finish(db: Database, row_id: int, status: str, *, error: str | None, now: float, next_at: float | None = None) -> None:
    db.execute(
        "UPDATE notifications SET status=?, error=?, sent_at=?, next_at=coalesce(?, next_at) WHERE id=?",
        (status, error, now if status == "sent" else None, next_at, row_id),
    )


def sent_recently(db: Database, event: str, since: float) -> int:
    """Deliveries attempted for ``event`` since ``since`` (the rate limit counts these)."""
    row = db.query_one(
        "SELECT count(*) FROM notifications WHERE event=? AND status IN ('sent', 'sending', 'failed', 'retry')"
        " AND attempts > 0 AND next_at >= ?",
        (event, since),
    )
    return int(row[0]) if row else 0


def list_notifications(db: Database, *, limit: int = 50, event: str | None = None) -> list[dict[str, Any]]:
    where, params = ("WHERE event=?", [event]) if event else ("", [])
    rows = db.query(f"SELECT * FROM notifications {where} ORDER BY id DESC LIMIT ?", (*params, limit))
    return [notification_to_json(dict(r)) for r in rows]


def notification_to_json(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": r["id"],
        "event_seq": r["event_seq"],
        "event": r["event"],
        "target": r["target"],
        "run_id": r["run_id"],
        "status": r["status"],
        "attempts": r["attempts"],
        "error": r["error"],
        "created_at": iso(r["created_at"]),
        "sent_at": iso(r["sent_at"]),
        "next_at": iso(r["next_at"]) if r["status"] == "retry" else None,
    }
