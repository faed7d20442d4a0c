"""A suite validated outside a pipeline (``opsconsole checks --suite``) stored as a run.

The run belongs to the synthetic pipeline ``suite:<name>`` with one task, ``validate``,
so its results show up wherever check results do (``checks``, ``checks --history``, the
console's Quality tab) and a check's history accumulates across validations of the
same suite. The run, its task, its events and its check rows are written in one
transaction: a reader never sees a half-recorded validation.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from console.quality.history import CHECK_SQL
from console.store.runs import create_run

if TYPE_CHECKING:
    from console.quality.results import Report
    from console.store.db import Database

TASK = "validate"


def pipeline_name(suite: str) -> str:
    """The synthetic pipeline a suite's validations are stored under."""
    return f"suite:{suite}"


def history_for(db: Database, suite: str) -> Any:
    """Past observed values of a suite's checks (for ``anomaly=``), newest last."""

    def history(check_name: str) -> list[float]:
        rows = db.query(
            "SELECT observed FROM checks WHERE pipeline=? AND task=? AND check_name=?"
            " AND observed IS NOT NULL AND error IS NULL ORDER BY id DESC LIMIT 30",
            (pipeline_name(suite), TASK, check_name),
        )
        return [float(r[0]) for r in reversed(rows)]

    return history


def record(db: Database, suite: str, params: dict[str, Any], report: Report, started: float) -> int:
    """Store one validation of ``suite`` as a finished run; returns the run id."""
    pipeline = pipeline_name(suite)
    failed = [r.check for r in report.results if not r.passed and r.severity == "error" and not r.quarantined]
    status = "failed" if failed else "succeeded"
    error = f"error checks failed: {', '.join(failed)}" if failed else None
    run_id = create_run(db, pipeline, trigger="manual", params=params, tasks=[(TASK, [])])
    ended = time.time()
    rows = [
        (
            run_id, pipeline, TASK, r.check, r.kind, json.dumps(list(r.columns)), r.severity, int(bool(r.passed)),
            int(r.failing), int(r.total), None if r.observed is None else float(r.observed), r.error,
            r.duration_s, json.dumps(r.to_dict(), default=str), ended,
        )
        for r in report.results
    ]  # fmt: skip
    summary = {"pipeline": pipeline, "duration_s": round(ended - started, 6), "error": error}
    with db.transaction() as conn:
        conn.executemany(CHECK_SQL, rows)
        conn.execute(
            "UPDATE runs SET status=?, started_at=?, ended_at=?, n_done=1, error=? WHERE id=?",
            (status, started, ended, error, run_id),
        )
        conn.execute(
            "UPDATE tasks SET status=?, attempts=1, started_at=?, ended_at=?, duration_s=?, error=?"
            " WHERE run_id=? AND name=?",
            (status, started, ended, ended - started, error, run_id, TASK),
        )
        conn.executemany(
            "INSERT INTO events (at, run_id, task, kind, status, data) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (started, run_id, None, "run.started", "running", json.dumps({"pipeline": pipeline})),
                (ended, run_id, TASK, "check.failed" if failed else "check.passed", status, None),
                (ended, run_id, None, "run.finished", status, json.dumps(summary)),
            ],
        )
    return run_id
