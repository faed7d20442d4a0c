"""Running a task's ``checks=[...]`` on its output, storing results, quarantining rows.

``severity="error"`` failures fail the task (downstream is skipped); ``"warn"`` ones are
recorded; checks with ``on_fail="quarantine"`` move their failing rows to an artifact and
pass the rest on. Every result is kept, so ``anomaly=`` checks can bound a metric by the
same check's history.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from console.engine.logs import TaskLog
from console.engine.pipeline import TaskSpec
from console.errors import TaskError
from console.quality.history import CHECK_SQL

if TYPE_CHECKING:
    from console.engine.attempt import RunHost

HISTORY_RUNS = 30


class CheckFailedError(TaskError):
    """One or more error-severity checks failed on a task's output."""


# A reused task's checks are copied into the rerun with ``reused_from`` (the run that computed them)
# in their detail, so the rerun's results are whole; copies never count twice in a check's history.
COPY_REUSED_SQL = (
    "INSERT INTO checks (run_id, pipeline, task, check_name, kind, columns, severity, passed, failing,"
    " total, observed, error, duration_s, detail, at)"
    " SELECT ?, pipeline, task, check_name, kind, columns, severity, passed, failing, total, observed,"
    " error, duration_s, json_set(detail, '$.reused_from', coalesce(json_extract(detail, '$.reused_from'),"
    " run_id)), at FROM checks WHERE run_id=? AND task IN ({marks}) ORDER BY id"
)
NOT_REUSED = "json_extract(detail, '$.reused_from') IS NULL"


def copy_reused_checks(writer: Any, run_id: int, parent_run_id: int, tasks: list[str]) -> None:
    """Give ``run_id`` the check results ``parent_run_id`` recorded for the ``tasks`` it reuses."""
    if tasks:
        marks = ",".join("?" * len(tasks))
        writer.sql(COPY_REUSED_SQL.format(marks=marks), (run_id, parent_run_id, *tasks))


def history_for(host: RunHost, task: str) -> Callable[[str], list[float]]:
    """A function giving the last observed values of a check of this pipeline and task."""
    db = host.store.db

    def history(check_name: str) -> list[float]:
        rows = db.query(
            "SELECT observed FROM checks WHERE pipeline=? AND task=? AND check_name=? AND run_id<>?"
            f" AND observed IS NOT NULL AND error IS NULL AND {NOT_REUSED} ORDER BY id DESC LIMIT ?",
            (host.pipeline_name, task, check_name, host.run_id, HISTORY_RUNS),
        )
        return [float(r[0]) for r in reversed(rows)]

    return history


def run_checks(host: RunHost, spec: TaskSpec, value: Any, log: TaskLog) -> Any:
    """Validate ``value``; store every result; return the value (minus quarantined rows)."""
    from console.quality import validate

    frames = {name: v for name in spec.upstream if _is_frame(v := host.upstream_value(name))}
    report = validate(value, list(spec.checks), history=history_for(host, spec.name), frames=frames)
    now = time.time()
    rows: list[tuple[Any, ...]] = []
    failed_errors: list[str] = []
    warned: list[str] = []
    kept = value
    quarantined = None
    if any(getattr(r, "quarantined", False) and r.failing for r in report.results):
        kept, quarantined = report.split_quarantine(value)
    quarantine_key = None
    if quarantined is not None and len(quarantined):
        path = host.store.runs_dir / str(host.run_id) / f"{spec.name}.quarantine.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        quarantined.to_csv(path)
        quarantine_key, _ = host.store.artifacts.put_file(path)
        log.line(f"quarantined {len(quarantined)} rows to {path} (sha256 {quarantine_key[:12]})")
    for result in report.results:
        detail = result.to_dict()
        if quarantine_key and getattr(result, "quarantined", False):
            detail["quarantine_sha256"] = quarantine_key
        rows.append(
            (
                host.run_id,
                host.pipeline_name,
                spec.name,
                result.check,
                result.kind,
                json.dumps(list(result.columns)),
                result.severity,
                int(bool(result.passed)),
                int(result.failing),
                int(result.total),
                None if result.observed is None else float(result.observed),
                result.error,
                result.duration_s,
                json.dumps(detail, default=str),
                now,
            )
        )
        mark = "ok  " if result.passed else ("FAIL" if result.severity == "error" else "warn")
        what = result.error or f"{result.failing}/{result.total} failing"
        log.line(f"check {mark} {result.check}: {what}")
        if not result.passed and not getattr(result, "quarantined", False):
            (failed_errors if result.severity == "error" else warned).append(result.check)
    host.write_rows(CHECK_SQL, rows)
    summary = (
        f"checks: {sum(1 for r in report.results if r.passed)}/{len(report.results)} passed"
        + (f", failed: {', '.join(failed_errors)}" if failed_errors else "")
        + (f", warnings: {', '.join(warned)}" if warned else "")
    )
    host.task_event(
        spec.name,
        "check.failed" if failed_errors else "check.passed",
        {"summary": summary, "failed": failed_errors, "warned": warned},
    )
    if failed_errors:
        raise CheckFailedError(f"error checks failed: {', '.join(failed_errors)}")
    return kept


def _is_frame(value: Any) -> bool:
    return type(value).__name__ == "DataFrame" and hasattr(value, "columns")
