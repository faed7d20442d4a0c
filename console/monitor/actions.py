"""What an alert does: ``on_alert=retrain("fraud_detection")`` starts a run of that pipeline.

An action is any callable ``(engine, alert) -> Runner | run id | None``; ``Retrain`` starts
the run through the engine with trigger ``alert``, so the run and the model version it
registers (through the pipeline's ``promote_if`` gate) are traced to the alert. One
evaluation runs its action once, however many rules fired, and an action whose previous
run is still queued or running is joined instead of started again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from console.errors import OpsConsoleError
from console.monitor import alerts as alert_store

if TYPE_CHECKING:
    from console.store.db import Database

ALERT_TRIGGER = "alert"


@dataclass(frozen=True)
class Retrain:
    """``on_alert`` action: start a run of ``pipeline`` through the engine (trigger ``alert``)."""

    pipeline: str
    params: dict[str, Any] | None = None

    @property
    def name(self) -> str:
        return f"retrain:{self.pipeline}"

    def __call__(self, engine: Any, alert: dict[str, Any]) -> Any:
        return engine.start(self.pipeline, self.params, trigger=ALERT_TRIGGER)


def retrain(pipeline: str, params: dict[str, Any] | None = None) -> Retrain:
    """An ``on_alert`` action that retrains: its new model version goes through the gate."""
    return Retrain(pipeline, dict(params) if params else None)


def action_name(action: Any) -> str | None:
    """``retrain:<pipeline>`` for Retrain, the function's name for any other callable."""
    if action is None:
        return None
    return str(getattr(action, "name", getattr(action, "__name__", "action")))


def run_action(engine: Any, action: Any, monitor: str, pending: list[dict[str, Any]]) -> list[Any]:
    """Run ``action`` once for ``pending`` alerts (or join its active run); returns runners started.

    Each alert row gets the run id, or, when the action failed or started nothing, loses its
    action and keeps the reason in its evidence.
    """
    db = engine.store.db
    name = pending[0]["action"]
    run_id = active_action_run(db, monitor, name)
    runners: list[Any] = []
    error = None
    if run_id is None:
        try:
            outcome = action(engine, pending[0])
        except OpsConsoleError as exc:
            error = f"{name}: {exc}"
        else:
            if hasattr(outcome, "run_id"):
                runners.append(outcome)
                run_id = int(outcome.run_id)
            elif isinstance(outcome, int) and not isinstance(outcome, bool):
                run_id = outcome
    for alert in pending:
        if run_id is not None:
            alert_store.set_action_run(db, alert["id"], run_id)
            alert["action_run_id"] = run_id
        else:
            reason = error or f"{name} started no run"
            alert_store.set_action_failed(db, alert["id"], reason)
            alert["action"] = None
            alert["action_error"] = reason
    return runners


def active_action_run(db: Database, monitor: str, action: str) -> int | None:
    """The run a previous alert's ``action`` started that is still queued or running."""
    row = db.query_one(
        "SELECT a.action_run_id FROM alerts a JOIN runs r ON r.id = a.action_run_id "
        "WHERE a.monitor = ? AND a.action = ? AND r.status IN ('queued', 'running') ORDER BY a.id DESC LIMIT 1",
        (monitor, action),
    )
    return int(row["action_run_id"]) if row else None


def wait_for_runs(engine: Any, runners: list[Any], timeout: float | None = None) -> None:
    """Block until every runner started by an action has ended (the CLI waits; the service does not)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    for runner in runners:
        while runner.final_status is None or runner.run_id in engine.active:
            if deadline is not None and time.monotonic() > deadline:
                return
            time.sleep(0.05)
    engine.store.writer.flush()
