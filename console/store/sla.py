"""Deadlines: a run (``Pipeline(sla="30m")``) or task (``@p.task(sla=...)``) that runs past its SLA.

A run records its deadlines when it starts (``runs.sla_s``, ``runs.task_slas``). A miss is
an alert like a monitor's (stored in ``alerts`` under the monitor name ``sla:<pipeline>``,
listed by ``opsconsole alerts``, acknowledged the same way), an ``sla.missed`` event (for
notifications and an open console) and ``runs.late = 1`` (the runs table's late marker).
Checked by the trigger service every tick for running runs, and by the engine when a run
ends; each deadline raises at most one alert per run.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from typing import Any

from console.store.db import Database

log = logging.getLogger("opsconsole.sla")
MONITOR_PREFIX = "sla:"


def check_deadlines(db: Database, *, run_ids: Sequence[int] | None = None, now: float | None = None) -> list[dict[str, Any]]:
    """Raise the alerts of missed deadlines: of ``run_ids``, else of every active run. Never raises."""
    try:
        return _check(db, run_ids, time.time() if now is None else now)
    except Exception:  # noqa: BLE001 - a deadline check must never fail a run or the service
        log.exception("deadline check failed")
        return []


def _check(db: Database, run_ids: Sequence[int] | None, now: float) -> list[dict[str, Any]]:
    base = (
        "SELECT id, pipeline, status, started_at, ended_at, sla_s, task_slas FROM runs"
        " WHERE (sla_s IS NOT NULL OR task_slas IS NOT NULL) AND started_at IS NOT NULL"
    )
    if run_ids is not None:
        if not run_ids:
            return []
        rows = db.query(f"{base} AND id IN ({','.join('?' * len(run_ids))})", list(run_ids))
    else:
        rows = db.query(f"{base} AND status IN ('queued', 'running')")
    missed: list[dict[str, Any]] = []
    for run in rows:
        end = run["ended_at"] or now
        if run["sla_s"] is not None and end - run["started_at"] > run["sla_s"]:
            missed.append(_miss(run, None, run["sla_s"], end - run["started_at"]))
        slas: dict[str, float] = json.loads(run["task_slas"] or "{}")
        if slas:
            tasks = db.query(
                "SELECT name, started_at, ended_at FROM tasks WHERE run_id=? AND started_at IS NOT NULL",
                (run["id"],),
            )
            for t in tasks:
                limit = slas.get(t["name"])
                took = (t["ended_at"] or now) - t["started_at"]
                if limit is not None and took > limit:
                    missed.append(_miss(run, t["name"], limit, took))
    return [alert for m in missed if (alert := _raise(db, m, now)) is not None]


def _miss(run: Any, task: str | None, limit: float, took: float) -> dict[str, Any]:
    return {"run_id": run["id"], "pipeline": run["pipeline"], "task": task, "sla_s": limit,
            "elapsed_s": round(took, 3), "finished": run["ended_at"] is not None}


def _raise(db: Database, miss: dict[str, Any], now: float) -> dict[str, Any] | None:
    monitor = MONITOR_PREFIX + miss["pipeline"]
    rule = f"task {miss['task']} sla" if miss["task"] else "run sla"
    what = f"task {miss['task']!r} of run {miss['run_id']}" if miss["task"] else f"run {miss['run_id']}"
    state = "took" if miss["finished"] and not miss["task"] else "has taken"
    summary = f"{miss['pipeline']}: {what} {state} {miss['elapsed_s']:.0f}s, past its SLA of {miss['sla_s']:g}s"
    evidence = json.dumps({**miss, "summary": summary})
    with db.transaction() as conn:
        dup = conn.execute(
            "SELECT 1 FROM alerts WHERE monitor=? AND rule=? AND json_extract(evidence, '$.run_id')=?",
            (monitor, rule, miss["run_id"]),
        ).fetchone()
        if dup is not None:
            return None
        cur = conn.execute(
            "INSERT INTO alerts (at, monitor, rule, metric, value, threshold, severity, evidence)"
            " VALUES (?, ?, ?, 'duration_s', ?, ?, 'alert', ?)",
            (now, monitor, rule, miss["elapsed_s"], miss["sla_s"], evidence),
        )
        alert_id = int(cur.lastrowid or 0)
        conn.execute("UPDATE runs SET late=1 WHERE id=?", (miss["run_id"],))
        data = {**miss, "alert_id": alert_id, "summary": summary}
        conn.execute(
            "INSERT INTO events (at, run_id, task, kind, status, data) VALUES (?, ?, ?, 'sla.missed', 'alert', ?)",
            (now, miss["run_id"], miss["task"], json.dumps(data)),
        )
    return data
