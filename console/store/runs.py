"""Runs, tasks and events: the queries every front end shares (CLI, console, watch)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from console.errors import NotFoundError, StoreError
from console.store.db import HOST, MY_PID, MY_PID_START, Database

TERMINAL_RUN_STATES = ("succeeded", "failed", "cancelled", "interrupted")
TERMINAL_TASK_STATES = ("succeeded", "failed", "skipped", "cancelled", "interrupted")
RUN_COLUMNS = (
    "id, pipeline, status, trigger, params, created_at, started_at, ended_at, "
    "parent_run_id, group_key, n_tasks, n_done, error, source_sha256, git_commit, host, pid"
)


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, tz=UTC).isoformat(timespec="milliseconds")


def create_run(
    db: Database,
    pipeline: str,
    *,
    trigger: str,
    params: dict[str, Any],
    tasks: list[tuple[str, list[str]]],
    source_sha256: str | None = None,
    git_commit: str | None = None,
    parent_run_id: int | None = None,
    group_key: str | None = None,
) -> int:
    """Insert a queued run and its tasks in one transaction and return its id."""
    now = time.time()
    with db.transaction() as conn:
        cur = conn.execute(
            "INSERT INTO runs (pipeline, status, trigger, params, created_at, pid, pid_start, host,"
            " source_sha256, git_commit, parent_run_id, group_key, n_tasks)"
            " VALUES (?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                pipeline,
                trigger,
                json.dumps(params, sort_keys=True, default=str),
                now,
                MY_PID,
                MY_PID_START,
                HOST,
                source_sha256,
                git_commit,
                parent_run_id,
                group_key,
                len(tasks),
            ),
        )
        run_id = int(cur.lastrowid or 0)
        conn.executemany(
            "INSERT INTO tasks (run_id, name, position, status, upstream) VALUES (?, ?, ?, 'queued', ?)",
            [(run_id, name, i, json.dumps(up) if up else "[]") for i, (name, up) in enumerate(tasks)],
        )
        conn.execute(
            "INSERT INTO events (at, run_id, kind, status, data) VALUES (?, ?, 'run.created', 'queued', ?)",
            (now, run_id, json.dumps({"pipeline": pipeline, "trigger": trigger})),
        )
    return run_id


def get_run_row(db: Database, run_id: int) -> dict[str, Any]:
    row = db.query_one(f"SELECT {RUN_COLUMNS} FROM runs WHERE id=?", (run_id,))
    if row is None:
        raise NotFoundError(f"unknown run: {run_id}")
    return dict(row)


def get_tasks(db: Database, run_id: int) -> list[dict[str, Any]]:
    rows = db.query(
        "SELECT name, position, status, attempts, started_at, ended_at, duration_s, error,"
        " result_key, reused, log_lines, upstream FROM tasks WHERE run_id=? ORDER BY position",
        (run_id,),
    )
    return [dict(r) for r in rows]


def list_runs(
    db: Database,
    *,
    pipeline: str | None = None,
    status: str | None = None,
    limit: int = 50,
    before_id: int | None = None,
    search: str | None = None,
) -> list[dict[str, Any]]:
    """Newest first, a window of ``limit`` rows older than ``before_id`` (keyset paging)."""
    where, params = [], []  # type: ignore[var-annotated]
    if pipeline:
        where.append("pipeline = ?")
        params.append(pipeline)
    if status:
        where.append("status = ?")
        params.append(status)
    if before_id is not None:
        where.append("id < ?")
        params.append(before_id)
    if search:
        where.append("(pipeline LIKE ? OR status LIKE ? OR trigger LIKE ? OR CAST(id AS TEXT) = ?)")
        like = f"%{search}%"
        params.extend([like, like, like, search])
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    rows = db.query(f"SELECT {RUN_COLUMNS} FROM runs {clause} ORDER BY id DESC LIMIT ?", (*params, limit))
    return [dict(r) for r in rows]


def count_runs(db: Database) -> int:
    row = db.query_one("SELECT count(*) FROM runs")
    return int(row[0]) if row else 0


def active_counts(db: Database) -> dict[str, int]:
    rows = db.query(
        "SELECT status, count(*) AS n FROM runs WHERE status IN ('queued','running') GROUP BY status"
    )
    return {r["status"]: r["n"] for r in rows}


def resolve_run_id(db: Database, ref: str | int) -> int:
    """A run id from ``42``, ``#42`` or ``last``/``latest``."""
    text = str(ref).lstrip("#").strip()
    if text in ("last", "latest"):
        row = db.query_one("SELECT max(id) FROM runs")
        if row is None or row[0] is None:
            raise NotFoundError("there are no runs yet")
        return int(row[0])
    try:
        run_id = int(text)
    except ValueError as exc:
        raise NotFoundError(f"unknown run: {ref!r} (expected a run number such as 12, or 'last')") from exc
    get_run_row(db, run_id)
    return run_id


def run_to_json(run: dict[str, Any], tasks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The documented ``--json`` shape of a run (add fields, never rename)."""
    out: dict[str, Any] = {
        "id": run["id"],
        "pipeline": run["pipeline"],
        "status": run["status"],
        "trigger": run["trigger"],
        "params": json.loads(run["params"] or "{}"),
        "started_at": iso(run["started_at"]),
        "ended_at": iso(run["ended_at"]),
        "created_at": iso(run["created_at"]),
        "duration_s": (
            round(run["ended_at"] - run["started_at"], 6) if run["ended_at"] and run["started_at"] else None
        ),
        "parent_run_id": run["parent_run_id"],
        "n_tasks": run["n_tasks"],
        "n_done": run["n_done"],
        "error": run["error"],
        "source_sha256": run["source_sha256"],
        "git_commit": run["git_commit"],
        "group": run["group_key"],
        "host": run.get("host"),
    }
    if tasks is not None:
        out["tasks"] = [
            {
                "name": t["name"],
                "status": t["status"],
                "attempts": t["attempts"],
                "duration_s": round(t["duration_s"], 6) if t["duration_s"] is not None else None,
                "error": t["error"],
                "reused": bool(t["reused"]),
                "log_lines": t["log_lines"],
                "upstream": json.loads(t["upstream"] or "[]"),
            }
            for t in tasks
        ]
    return out


def events_after(db: Database, seq: int, limit: int = 5000) -> list[dict[str, Any]]:
    rows = db.query(
        "SELECT seq, at, run_id, task, kind, status, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
        (seq, limit),
    )
    return [dict(r) for r in rows]


def last_seq(db: Database) -> int:
    row = db.query_one("SELECT max(seq) FROM events")
    return int(row[0]) if row and row[0] is not None else 0


def request_cancel(db: Database, run_id: int) -> str:
    """Ask the owning process to cancel; cancel directly when nobody owns the run any more."""
    run = get_run_row(db, run_id)
    if run["status"] in TERMINAL_RUN_STATES:
        return run["status"]
    db.execute("UPDATE runs SET cancel_requested=1 WHERE id=?", (run_id,))
    return "cancelling"


def cancel_requested(db: Database, run_ids: list[int]) -> set[int]:
    if not run_ids:
        return set()
    marks = ",".join("?" * len(run_ids))
    rows = db.query(f"SELECT id FROM runs WHERE cancel_requested=1 AND id IN ({marks})", run_ids)
    return {r[0] for r in rows}


def record_failure(db: Database, run_id: int, error: str) -> bool:
    """Mark a run and its unfinished tasks failed, bypassing the (broken) writer.

    Used when the writer thread died (a full disk): its last batch is lost, but this one
    small transaction on a fresh connection often still fits, so the run does not read
    ``interrupted`` later when it in fact failed. Returns False if it could not be written.
    """
    now = time.time()
    try:
        with db.transaction() as conn:
            cur = conn.execute(
                "UPDATE runs SET status='failed', ended_at=?, error=? WHERE id=? AND status IN ('queued', 'running')",
                (now, error, run_id),
            )
            if cur.rowcount:
                conn.execute(
                    "UPDATE tasks SET status='failed', ended_at=?, error=coalesce(error, ?) "
                    "WHERE run_id=? AND status IN ('queued', 'running', 'retrying')",
                    (now, error, run_id),
                )
                conn.execute(
                    "INSERT INTO events (at, run_id, kind, status, data) VALUES (?, ?, 'run.finished', 'failed', ?)",
                    (now, run_id, json.dumps({"error": error})),
                )
    except StoreError:
        return False
    return True
