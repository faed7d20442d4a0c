"""Ending runs whose process is gone: proven on this host, or forced (audited) for another.

A run is ``running`` while its process lives. On this host the process is provably gone
when its pid no longer exists or belongs to a later process (the kernel's start time,
``pid_start``, differs); ``recover_interrupted`` in ``db.py`` marks such runs at every
start. A run recorded by another host (a container re-created with a new hostname, a
machine that is gone) cannot be proven dead from here: ``recover`` ends it only with
``force``, and writes who did it, when, from where and why into ``run_recoveries``.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

from console.errors import UsageError
from console.store.db import HOST, Database, process_alive
from console.store.vocabulary import ACTIVE_RUN_STATES


@dataclass(frozen=True, slots=True)
class Recovery:
    """One audited recovery of a run."""

    run_id: int
    at: float
    user: str
    host: str
    run_host: str | None
    run_pid: int | None
    from_status: str
    forced: bool
    reason: str | None

    def to_json(self) -> dict[str, Any]:
        from console.store.runs import iso

        return asdict(self) | {"at": iso(self.at)}


def owner_state(row: dict[str, Any]) -> str:
    """``alive``, ``gone`` (provably, this host) or ``unknown`` (another host)."""
    if (row.get("host") or HOST) != HOST:
        return "unknown"
    return "alive" if process_alive(row.get("pid"), row.get("pid_start")) else "gone"


def recover(db: Database, run_id: int, *, user: str, force: bool, reason: str | None) -> Recovery:
    """Mark an active run ``interrupted`` when its process is gone (or, forced, unknowable)."""
    row = db.query_one("SELECT id, status, pid, pid_start, host FROM runs WHERE id=?", (run_id,))
    if row is None:
        from console.errors import NotFoundError

        raise NotFoundError(f"unknown run: {run_id}")
    run = dict(row)
    if run["status"] not in ACTIVE_RUN_STATES:
        raise UsageError(f"run {run_id} already ended ({run['status']}): nothing to recover")
    state = owner_state(run)
    if state == "alive":
        raise UsageError(
            f"run {run_id} is still running (pid {run['pid']} on {HOST}); cancel it with `opsconsole cancel {run_id}`"
        )
    if state == "unknown" and not force:
        raise UsageError(
            f"run {run_id} belongs to host {run['host']!r}, which this host ({HOST}) cannot check; "
            f"if that host is gone: opsconsole recover {run_id} --force --reason WHY"
        )
    now = time.time()
    rec = Recovery(
        run_id, now, user, HOST, run["host"], run["pid"], run["status"], state == "unknown", reason
    )
    why = f"recovered by {user} on {HOST}"  # the reason stays in the audit row
    with db.transaction() as conn:
        cur = conn.execute(
            "UPDATE runs SET status='interrupted', ended_at=?, error=? WHERE id=? AND status IN ('queued', 'running')",
            (now, f"the process running it is gone ({why})", run_id),
        )
        if not cur.rowcount:
            raise UsageError(f"run {run_id} ended meanwhile: nothing to recover")
        conn.execute(
            "UPDATE tasks SET status='interrupted', ended_at=? "
            "WHERE run_id=? AND status IN ('queued', 'running', 'retrying')",
            (now, run_id),
        )
        conn.execute(
            "INSERT INTO run_recoveries (run_id, at, user, host, run_host, run_pid, from_status, forced, reason)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (run_id, now, user, HOST, run["host"], run["pid"], run["status"], int(rec.forced), reason),
        )
        conn.execute(
            "INSERT INTO events (at, run_id, kind, status) VALUES (?, ?, 'run.finished', 'interrupted')",
            (now, run_id),
        )
    return rec


def recoveries(db: Database, run_id: int) -> list[Recovery]:
    """The audit rows of a run's recoveries, oldest first."""
    rows = db.query(
        "SELECT run_id, at, user, host, run_host, run_pid, from_status, forced, reason"
        " FROM run_recoveries WHERE run_id=? ORDER BY id",
        (run_id,),
    )
    return [Recovery(**{**dict(r), "forced": bool(r["forced"])}) for r in rows]
