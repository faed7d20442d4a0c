"""Stored check results read back: a run's (or each pipeline's latest) results and one check's history.

Both front ends read these: the CLI's ``checks`` and the console's Quality tab and run detail.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from console.store.db import Database

CHECK_SQL = (
    "INSERT INTO checks (run_id, pipeline, task, check_name, kind, columns, severity, passed, failing,"
    " total, observed, error, duration_s, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def check_rows(db: Database, run_id: int | None, pipeline: str | None) -> list[dict[str, Any]]:
    if run_id is not None:
        rows = db.query("SELECT * FROM checks WHERE run_id=? ORDER BY id", (run_id,))
    else:
        where, params = "", []
        if pipeline:
            where, params = "WHERE pipeline=?", [pipeline]
        rows = db.query(
            f"SELECT c.* FROM checks c JOIN (SELECT pipeline, max(run_id) AS run_id FROM checks {where}"
            " GROUP BY pipeline) last ON c.pipeline = last.pipeline AND c.run_id = last.run_id"
            " ORDER BY c.pipeline, c.id",
            params,
        )
    return [to_json(dict(r)) for r in rows]


def _iso(ts: float | None) -> str | None:
    from console.store.runs import iso

    return iso(ts)


def to_json(row: dict[str, Any]) -> dict[str, Any]:
    """A stored result in the shape of ``CheckResult.to_dict()`` plus where it ran."""
    detail = json.loads(row.get("detail") or "{}")
    out = {
        "check": row["check_name"],
        "kind": row["kind"],
        "columns": json.loads(row["columns"]),
        "severity": row["severity"],
        "passed": bool(row["passed"]),
        "failing": row["failing"],
        "total": row["total"],
        "observed": row["observed"],
        "error": row["error"],
        "duration_s": row["duration_s"],
        "sample_index": detail.get("sample_index", []),
        "sample": detail.get("sample"),
        "run_id": row["run_id"],
        "pipeline": row["pipeline"],
        "task": row["task"],
        "at": _iso(row.get("at")),
    }
    for key in ("quarantined", "quarantine_sha256", "details", "reused_from"):
        if key in detail:
            out[key] = detail[key]
    return out


def check_history(
    db: Database, check: str, pipeline: str | None = None, task: str | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """A check's observed value, failing count and verdict over its last ``limit`` runs, oldest first.

    ``band`` is ``[low, high]`` where the check had ``anomaly=k`` and enough history (mean +- k sd
    of the runs before it), else None.
    """
    params: list[Any] = [check]
    # copies of a reused task's results (``reused_from``) are the same observation: count it once
    where = "check_name=? AND json_extract(detail, '$.reused_from') IS NULL"
    for column, value in (("pipeline", pipeline), ("task", task)):
        if value:
            where += f" AND {column}=?"
            params.append(value)
    rows = db.query(
        f"SELECT run_id, pipeline, task, observed, failing, total, passed, at, detail FROM checks WHERE {where}"
        " ORDER BY id DESC LIMIT ?",
        [*params, limit],
    )
    out = []
    for r in reversed(rows):
        row = dict(r)
        detail = row.pop("detail", None)
        out.append(row | {"passed": bool(r["passed"]), "band": _band(detail)})
    return out


def _band(detail: str | None) -> list[float] | None:
    anomaly = (json.loads(detail or "{}").get("details") or {}).get("anomaly")
    if not isinstance(anomaly, dict):
        return None
    values = [anomaly.get(key) for key in ("mean", "std", "k")]
    numbers = [float(v) for v in values if isinstance(v, int | float)]
    if len(numbers) != 3:
        return None
    mean, std, k = numbers
    return [mean - k * std, mean + k * std]
