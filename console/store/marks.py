"""Marking a task or a run by hand (``opsconsole mark``): the state change and its audit row.

A mark changes the stored state only; the engine is not involved. A failed task marked
``succeeded`` gets the stored ``None`` result when it has none, so ``rerun --from-failed``
reuses it like any succeeded task and runs what lies downstream of it. Every mark is a row
in ``marks`` (who, when, from, to, why) and a ``task.marked`` / ``run.marked`` event, so an
open console sees it live.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import pickle
import time
from typing import Any

from console.errors import NotFoundError, UsageError
from console.store.db import Database
from console.store.runs import get_run_row, iso

TASK_MARK_STATES = ("succeeded", "failed", "skipped")
RUN_MARK_STATES = ("succeeded", "failed")
ACTIVE = ("queued", "running", "retrying")
_NONE_BLOB = pickle.dumps(None, protocol=5)
_NONE_KEY = hashlib.sha256(_NONE_BLOB).hexdigest()


def current_user() -> str:
    """The OS user for the audit row (getpass fails in containers without a passwd entry)."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - KeyError/OSError depending on the platform
        return os.environ.get("USER") or os.environ.get("LOGNAME") or f"uid:{os.getuid()}"


def mark(
    db: Database,
    run_id: int,
    task: str | None,
    state: str,
    *,
    reason: str | None = None,
    user: str | None = None,
) -> dict[str, Any]:
    """Set ``task`` of ``run_id`` (or the run itself when ``task`` is None) to ``state``.

    Refuses an unknown run, task or state and anything still queued or running (exit 2).
    Returns the audit row as in ``show --json``'s ``marks``.
    """
    run = get_run_row(db, run_id)
    allowed = TASK_MARK_STATES if task else RUN_MARK_STATES
    if state not in allowed:
        what = "a task" if task else "a run"
        raise UsageError(f"cannot mark {what} {state!r}: use one of {', '.join(allowed)}")
    if run["status"] in ("queued", "running") and task is None:
        raise UsageError(f"run {run_id} is still {run['status']}: cancel it or wait before marking it")
    if run["status"] in ("queued", "running"):
        # the run's driver owns its task rows until it ends; a mark would be overwritten
        row = db.query_one("SELECT status FROM tasks WHERE run_id=? AND name=?", (run_id, task))
        if row is not None:
            raise UsageError(
                f"task {task!r} of run {run_id} cannot be marked while the run is {run['status']}"
                f" (task is {row['status']}): wait for it to end or cancel the run"
            )
    who = user or current_user()
    now = time.time()
    with db.transaction() as conn:
        if task is None:
            before = run["status"]
            conn.execute("UPDATE runs SET status=?, error=? WHERE id=?", (state, _error(state, reason), run_id))
            kind = "run.marked"
        else:
            row = conn.execute(
                "SELECT status, result_key FROM tasks WHERE run_id=? AND name=?", (run_id, task)
            ).fetchone()
            if row is None:
                names = [r[0] for r in conn.execute("SELECT name FROM tasks WHERE run_id=? ORDER BY position", (run_id,))]
                raise NotFoundError(f"run {run_id} has no task {task!r} (tasks: {', '.join(names)})")
            before = row["status"]
            if before in ACTIVE:
                raise UsageError(f"task {task!r} of run {run_id} is {before}: wait for it to end or cancel the run")
            key = row["result_key"]
            if state == "succeeded" and not key:
                # downstream tasks of a rerun receive None from a task marked done by hand
                conn.execute(
                    "INSERT OR IGNORE INTO results (key, size, inline, at) VALUES (?, ?, ?, ?)",
                    (_NONE_KEY, len(_NONE_BLOB), _NONE_BLOB, now),
                )
                key = _NONE_KEY
            conn.execute(
                "UPDATE tasks SET status=?, result_key=?, error=? WHERE run_id=? AND name=?",
                (state, key if state == "succeeded" else row["result_key"], _error(state, reason), run_id, task),
            )
            kind = "task.marked"
        conn.execute(
            "INSERT INTO marks (run_id, task, from_state, to_state, reason, user, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (run_id, task, before, state, reason, who, now),
        )
        what = f"task {task}" if task else "the run"
        summary = f"{what} marked {before} -> {state} by {who}" + (f": {reason}" if reason else "")
        data = {"from": before, "to": state, "reason": reason, "user": who, "pipeline": run["pipeline"],
                "summary": summary}
        conn.execute(
            "INSERT INTO events (at, run_id, task, kind, status, data) VALUES (?, ?, ?, ?, ?, ?)",
            (now, run_id, task, kind, state, json.dumps(data)),
        )
    return {"task": task, "from": before, "to": state, "reason": reason, "user": who, "at": iso(now)}


def _error(state: str, reason: str | None) -> str | None:
    if state == "succeeded":
        return None
    return f"marked {state} by hand" + (f": {reason}" if reason else "")


def marks_of(db: Database, run_id: int) -> list[dict[str, Any]]:
    """The audit rows of a run, oldest first (``show --json``'s ``marks``)."""
    rows = db.query(
        "SELECT task, from_state, to_state, reason, user, at FROM marks WHERE run_id=? ORDER BY id", (run_id,)
    )
    return [
        {"task": r["task"], "from": r["from_state"], "to": r["to_state"], "reason": r["reason"],
         "user": r["user"], "at": iso(r["at"])}
        for r in rows
    ]
