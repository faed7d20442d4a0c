"""Alerts raised by monitors: recording, listing, acknowledging, and the storm guard.

An alert row says which rule of which monitor fired, on what value against what
threshold, with the evidence (the drift report and the scores of that evaluation) and
the action it started (``retrain:<pipeline>`` and that run's id).

Storm guard (see :func:`blocking_alert`): a rule of a monitor does not fire again while
the retraining run started by its previous alert is queued or running, nor within the
monitor's ``cooldown`` of that alert. A suppressed firing is kept in the evaluation's
evidence, not as an alert.
"""

from __future__ import annotations

import json
import sqlite3
import time
from typing import TYPE_CHECKING, Any

from console.errors import NotFoundError
from console.store.vocabulary import ACTIVE_RUN_STATES

if TYPE_CHECKING:
    from console.store.db import Database

COLUMNS = (
    "id, at, monitor, rule, metric, value, threshold, severity, evidence, eval_id, action, "
    "action_run_id, acknowledged"
)
# an alert whose action has not recorded its run yet counts as in flight this long
ACTION_STARTING_S = 60.0


def insert_alert(
    conn: sqlite3.Connection,
    *,
    monitor: str,
    rule: str,
    metric: str,
    value: float | None,
    threshold: float | None,
    severity: str,
    evidence: dict[str, Any],
    eval_id: int | None,
    action: str | None,
    at: float | None = None,
) -> int:
    """Insert one alert inside the caller's transaction; returns its id."""
    cur = conn.execute(
        "INSERT INTO alerts (at, monitor, rule, metric, value, threshold, severity, evidence, eval_id, action)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            at or time.time(),
            monitor,
            rule,
            metric,
            value,
            threshold,
            severity,
            json.dumps(evidence, default=str),
            eval_id,
            action,
        ),
    )
    return int(cur.lastrowid or 0)


def set_action_run(db: Database, alert_id: int, run_id: int) -> None:
    """Record the run an alert's action started."""
    db.execute("UPDATE alerts SET action_run_id=? WHERE id=?", (run_id, alert_id))


def set_action_failed(db: Database, alert_id: int, error: str) -> None:
    """The action could not start: clear it and keep the reason in the evidence."""
    with db.transaction() as conn:
        row = conn.execute("SELECT evidence FROM alerts WHERE id=?", (alert_id,)).fetchone()
        evidence = json.loads(row["evidence"] or "{}") if row else {}
        evidence["action_error"] = error
        conn.execute(
            "UPDATE alerts SET action=NULL, evidence=? WHERE id=?",
            (json.dumps(evidence, default=str), alert_id),
        )


def blocking_alert(
    conn: sqlite3.Connection, monitor: str, rule: str, *, now: float, cooldown_s: float = 0.0
) -> dict[str, Any] | None:
    """The previous alert of this rule that keeps it from firing again, with the reason; or None."""
    row = conn.execute(
        "SELECT a.id, a.at, a.action, a.action_run_id, r.status AS run_status FROM alerts a "
        "LEFT JOIN runs r ON r.id = a.action_run_id "
        "WHERE a.monitor = ? AND a.rule = ? ORDER BY a.id DESC LIMIT 1",
        (monitor, rule),
    ).fetchone()
    if row is None:
        return None
    age = now - row["at"]
    if row["action_run_id"] is not None and row["run_status"] in ACTIVE_RUN_STATES:
        reason = (
            f"{row['action']} run {row['action_run_id']} of alert {row['id']} is still {row['run_status']}"
        )
    elif row["action_run_id"] is None and row["action"] and age < ACTION_STARTING_S:
        reason = f"the action of alert {row['id']} ({row['action']}) is starting"
    elif cooldown_s > 0 and age < cooldown_s:
        reason = f"cool-down: alert {row['id']} fired {age:.0f}s ago (cooldown {cooldown_s:g}s)"
    else:
        return None
    return {"alert_id": row["id"], "reason": reason}


def list_alerts(
    db: Database,
    *,
    include_acknowledged: bool = False,
    monitor: str | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Alerts, newest first, with the status of the run their action started."""
    where: list[str] = []
    params: list[Any] = []
    if not include_acknowledged:
        where.append("a.acknowledged = 0")
    if monitor is not None:
        where.append("a.monitor = ?")
        params.append(monitor)
    sql = (
        f"SELECT {', '.join('a.' + c.strip() for c in COLUMNS.split(','))}, r.status AS action_status "
        "FROM alerts a LEFT JOIN runs r ON r.id = a.action_run_id"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY a.id DESC LIMIT ?"
    params.append(limit)
    return [dict(r) for r in db.query(sql, params)]


def get_alert(db: Database, alert_id: int) -> dict[str, Any]:
    rows = db.query(
        f"SELECT {', '.join('a.' + c.strip() for c in COLUMNS.split(','))}, r.status AS action_status "
        "FROM alerts a LEFT JOIN runs r ON r.id = a.action_run_id WHERE a.id = ?",
        (alert_id,),
    )
    if not rows:
        raise NotFoundError(f"unknown alert: {alert_id}")
    return dict(rows[0])


def acknowledge(db: Database, alert_ids: list[int] | None = None, *, monitor: str | None = None) -> int:
    """Mark alerts acknowledged (given ids, every open one of ``monitor``, or every open one)."""
    if alert_ids:
        for alert_id in alert_ids:
            get_alert(db, alert_id)
        marks = ",".join("?" * len(alert_ids))
        cur = db.execute(
            f"UPDATE alerts SET acknowledged = 1 WHERE acknowledged = 0 AND id IN ({marks})", alert_ids
        )
    elif monitor is not None:
        cur = db.execute(
            "UPDATE alerts SET acknowledged = 1 WHERE acknowledged = 0 AND monitor = ?", (monitor,)
        )
    else:
        cur = db.execute("UPDATE alerts SET acknowledged = 1 WHERE acknowledged = 0")
    return int(cur.rowcount)


def open_counts(db: Database) -> dict[str, int]:
    """Unacknowledged alerts per monitor."""
    rows = db.query("SELECT monitor, count(*) AS n FROM alerts WHERE acknowledged = 0 GROUP BY monitor")
    return {r["monitor"]: int(r["n"]) for r in rows}


def alert_to_json(row: dict[str, Any], *, evidence: bool = True) -> dict[str, Any]:
    """The ``alerts --json`` shape of one alert (add fields, never rename).

    ``evidence=False`` leaves out the stored drift report and scores (the evaluation id
    names them), for lists that would otherwise repeat them per alert.
    """
    from console.store.runs import iso

    stored = row.get("evidence")
    out = {
        "id": row["id"],
        "at": iso(row["at"]),
        "monitor": row["monitor"],
        "rule": row["rule"],
        "metric": row["metric"],
        "value": row["value"],
        "threshold": row["threshold"],
        "severity": row["severity"],
        "acknowledged": bool(row["acknowledged"]),
        "eval_id": row["eval_id"],
        "action": row["action"],
        "action_run_id": row["action_run_id"],
        "action_status": row.get("action_status"),
    }
    if evidence:
        out["evidence"] = json.loads(stored) if isinstance(stored, str) else (stored or {})
    return out


def summary(row: dict[str, Any]) -> str:
    """One line for an alert: ``fraud: psi > 0.2 (psi=0.41)``."""
    value = row.get("value")
    shown = f"{value:.4g}" if isinstance(value, int | float) else "n/a"
    text = f"{row['monitor']}: {row['rule']} ({row['metric']}={shown})"
    if row.get("action"):
        run = row.get("action_run_id")
        text += f" -> {row['action']}" + (f" run {run}" if run else "")
    return text
