"""Runs, tasks and events: the queries every front end shares (CLI, console, watch)."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

from console.errors import NotFoundError, StoreError
from console.store.db import HOST, MY_PID, MY_PID_START, Database
from console.store.vocabulary import TERMINAL_RUN_STATES, TERMINAL_TASK_STATES, RunRow, TaskRow

__all__ = ["TERMINAL_RUN_STATES", "TERMINAL_TASK_STATES"]  # re-exported: callers import them from here
RUN_COLUMNS = (
    "id, pipeline, status, trigger, params, created_at, started_at, ended_at, "
    "parent_run_id, group_key, n_tasks, n_done, error, source_sha256, git_commit, sla_s, late, host, pid"
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


def get_run_row(db: Database, run_id: int) -> RunRow:
    row = db.query_one(f"SELECT {RUN_COLUMNS} FROM runs WHERE id=?", (run_id,))
    if row is None:
        raise NotFoundError(f"unknown run: {run_id}")
    run = cast(RunRow, dict(row))
    attach_task_counts(db, [run])
    return run


def attach_task_counts(db: Database, runs: Sequence[RunRow]) -> None:
    """Give each run ``task_counts`` (status -> number of tasks): one grouped query for all of them.

    ``n_done`` counts finished tasks whatever their end; these say how each one ended.
    """
    if not runs:
        return
    ids = [r["id"] for r in runs]
    marks = ",".join("?" * len(ids))
    rows = db.query(
        f"SELECT run_id, status, count(*) FROM tasks WHERE run_id IN ({marks}) GROUP BY run_id, status", ids
    )
    counts: dict[int, dict[str, int]] = {i: {} for i in ids}
    for run_id, status, n in rows:
        counts[int(run_id)][str(status)] = int(n)
    for r in runs:
        r["task_counts"] = counts[r["id"]]


def get_tasks(db: Database, run_id: int) -> list[TaskRow]:
    rows = db.query(
        "SELECT name, position, status, attempts, started_at, ended_at, duration_s, error,"
        " result_key, reused, log_lines, upstream FROM tasks WHERE run_id=? ORDER BY position",
        (run_id,),
    )
    return [cast(TaskRow, dict(r)) for r in rows]


def failed_tasks(db: Database, run_id: int, limit: int = 50) -> list[dict[str, Any]]:
    """The first ``limit`` failed tasks of a run (name, status, error), in task order."""
    rows = db.query(
        "SELECT name, status, error FROM tasks WHERE run_id=? AND status='failed' ORDER BY position LIMIT ?",
        (run_id, limit),
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
) -> list[RunRow]:
    """Newest first, a window of ``limit`` rows older than ``before_id`` (keyset paging)."""
    where: list[str] = []
    params: list[str | int] = []
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
    runs = [cast(RunRow, dict(r)) for r in rows]
    attach_task_counts(db, runs)
    return runs


def known_pipelines(db: Database) -> list[str]:
    """Every pipeline name that has runs in the store, sorted."""
    return [str(r[0]) for r in db.query("SELECT DISTINCT pipeline FROM runs ORDER BY pipeline")]


def count_runs(db: Database) -> int:
    row = db.query_one("SELECT count(*) FROM runs")
    return int(row[0]) if row else 0


def active_counts(db: Database) -> dict[str, int]:
    rows = db.query(
        "SELECT status, count(*) AS n FROM runs WHERE status IN ('queued','running') GROUP BY status"
    )
    return {r["status"]: r["n"] for r in rows}


MAX_SQL_INT = 2**63 - 1  # SQLite's largest integer: a bigger id cannot name a run


def parse_run_id(text: str) -> int:
    """A run number typed by a user: ASCII digits only (``int()`` also takes ``"١"`` and ``"1_0"``)."""
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_SQL_INT:
        shown = text if len(text) <= 40 else text[:40] + "…"
        raise NotFoundError(f"unknown run: {shown!r} (expected a run number such as 12, or 'last')")
    return int(text)


def count_finished_tasks(db: Database, run_id: int) -> int:
    """How many of a run's tasks reached a terminal state (one indexed count, no rows read out)."""
    marks = ",".join("?" * len(TERMINAL_TASK_STATES))
    row = db.query_one(
        f"SELECT count(*) FROM tasks WHERE run_id=? AND status IN ({marks})", (run_id, *TERMINAL_TASK_STATES)
    )
    return int(row[0]) if row else 0


def resolve_run_id(db: Database, ref: str | int) -> int:
    """A run id from ``42``, ``#42`` or ``last``/``latest``."""
    text = str(ref).lstrip("#").strip()
    if text in ("last", "latest"):
        row = db.query_one("SELECT max(id) FROM runs")
        if row is None or row[0] is None:
            raise NotFoundError("there are no runs yet")
        return int(row[0])
    run_id = ref if isinstance(ref, int) else parse_run_id(text)
    get_run_row(db, run_id)
    return run_id


def run_to_json(run: RunRow, tasks: list[TaskRow] | None = None) -> dict[str, Any]:
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
        "task_counts": run.get("task_counts"),
        "error": run["error"],
        "source_sha256": run["source_sha256"],
        "git_commit": run["git_commit"],
        "group": run["group_key"],
        "sla_s": run.get("sla_s"),
        "late": bool(run.get("late")),
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
                "upstream": _upstream(t["upstream"]),
            }
            for t in tasks
        ]
    return out


def _upstream(text: str | None) -> list[str]:
    # most tasks of a big fan-out have no upstream: skip the parser for them
    return [] if not text or text == "[]" else list(json.loads(text))


# A run's ``tasks`` in the ``--json`` shape (as ``run_to_json(run, tasks)``), built by SQLite as
# one JSON text: a 20,000-task run's report took ~200 ms as rows -> dicts -> json.dumps, ~80 ms
# here (no Python object per task). The sort carries only the columns shown (the whole rows: ~8 ms
# more), and the usual empty upstream is not parsed as JSON (~3 ms).
_TASKS_JSON_SQL = """
SELECT json_group_array(json_object(
    'name', name, 'status', status, 'attempts', attempts, 'duration_s', round(duration_s, 6),
    'error', error, 'reused', json(CASE WHEN reused THEN 'true' ELSE 'false' END),
    'log_lines', log_lines,
    'upstream', CASE WHEN upstream IN ('', '[]') THEN json_array() ELSE json(upstream) END))
FROM (SELECT name, status, attempts, duration_s, error, reused, log_lines, upstream
      FROM tasks WHERE run_id=? ORDER BY position)
"""


def tasks_json_text(db: Database, run_id: int) -> str:
    """A run's tasks as compact JSON text, encoded by SQLite (``run_to_json``'s once parsed)."""
    rows = db.tuples(_TASKS_JSON_SQL, (run_id,))
    return str(rows[0][0]) if rows and rows[0][0] else "[]"


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
        return str(run["status"])
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
