"""One monitor evaluation: what it measured and did, and how it is stored.

Stored as a ``monitor_evals`` row (metrics and evidence as JSON), one ``metrics`` row per
measured value (``source="monitor"``, ``step`` = the evaluation id, with the model and
version), one ``alerts`` row per rule that fired and was not held back by the storm guard,
and ``monitor.evaluated`` / ``alert.fired`` events so an open console sees them live.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from console.monitor import alerts as alert_store
from console.monitor.rules import RuleResult
from console.store.vocabulary import Event

if TYPE_CHECKING:
    from console.engine.engine import Engine

METRIC_SQL = (
    "INSERT INTO metrics (name, value, step, at, run_id, pipeline, task, model, version, source)"
    " VALUES (?, ?, ?, ?, NULL, NULL, NULL, ?, ?, 'monitor')"
)
EVAL_SQL = (
    "INSERT INTO monitor_evals (monitor, at, model, version, metrics, evidence) VALUES (?, ?, ?, ?, ?, ?)"
)


@dataclass
class Evaluation:
    """What one evaluation found and did (``Monitor.evaluate`` returns it)."""

    monitor: str
    model: str
    status: str = "ok"  # ok | warn | alert | skipped
    at: float = field(default_factory=time.time)
    version: int | None = None
    eval_id: int | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    rules: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    suppressed: list[dict[str, Any]] = field(default_factory=list)
    reason: str | None = None
    runners: list[Any] = field(default_factory=list)

    @property
    def fired(self) -> bool:
        """True when a rule of severity ``alert`` fired on this evaluation (the CLI exits 1).

        Also when the storm guard held the alert back: the condition is still in alert, only
        no new alert row and no second action are made.
        """
        return any(r["fired"] and r["severity"] == "alert" for r in self.rules)

    @property
    def summary(self) -> str:
        if self.status == "skipped":
            return f"{self.monitor}: skipped: {self.reason}"
        head = f"{self.monitor}: {self.model} v{self.version}"
        parts = [alert_store.summary({**a, "monitor": self.monitor}).split(": ", 1)[1] for a in self.alerts]
        parts += [f"{h['rule']} ({h['metric']}={h['value']:.4g}, held back)" for h in self.suppressed]
        return f"{head}: {self.status}" + (": " + "; ".join(parts) if parts else "")

    def to_json(self) -> dict[str, Any]:
        from console.store.runs import iso

        return {
            "monitor": self.monitor,
            "model": self.model,
            "version": self.version,
            "status": self.status,
            "at": iso(self.at),
            "eval_id": self.eval_id,
            "metrics": self.metrics,
            "rules": self.rules,
            "alerts": self.alerts,
            "suppressed": self.suppressed,
            "reason": self.reason,
        }


def rule_json(result: RuleResult) -> dict[str, Any]:
    """A rule's outcome with its message (``"auc < 0.8: not evaluated, no metric 'auc' ..."``)."""
    return result.to_dict()


def record_skip(store: Any, ev: Evaluation) -> None:
    """Store an evaluation that could not measure (no model, no data yet) with its reason."""
    evidence = json.dumps({"status": "skipped", "reason": ev.reason})
    with store.db.transaction() as conn:
        cur = conn.execute(EVAL_SQL, (ev.monitor, ev.at, ev.model, ev.version, "{}", evidence))
        ev.eval_id = int(cur.lastrowid or 0)


def record(
    store: Any,
    ev: Evaluation,
    evidence: dict[str, Any],
    results: list[RuleResult],
    *,
    action: str | None,
    cooldown_s: float,
) -> None:
    """Store the evaluation, its metric points and its alerts in one transaction.

    ``ev.alerts`` receives the new alerts (``action`` set on those of severity ``alert``);
    firings held back by the storm guard go to ``ev.suppressed``.
    """
    ev.rules = [rule_json(r) for r in results]
    evidence["rules"] = ev.rules
    with store.db.transaction() as conn:
        cur = conn.execute(EVAL_SQL, (ev.monitor, ev.at, ev.model, ev.version, json.dumps(ev.metrics), "{}"))
        ev.eval_id = int(cur.lastrowid or 0)
        points = [(k, v, ev.eval_id, ev.at, ev.model, ev.version) for k, v in ev.metrics.items()]
        conn.executemany(METRIC_SQL, points)
        for result in results:
            if not result.fired:
                continue
            info = rule_json(result)
            blocker = alert_store.blocking_alert(
                conn, ev.monitor, info["rule"], now=ev.at, cooldown_s=cooldown_s
            )
            if blocker is not None:
                ev.suppressed.append({**info, **blocker})
                continue
            act = action if info["severity"] == "alert" else None
            alert_id = alert_store.insert_alert(
                conn,
                monitor=ev.monitor,
                rule=info["rule"],
                metric=info["metric"],
                value=info["value"],
                threshold=info["threshold"],
                severity=info["severity"],
                evidence={"eval_id": ev.eval_id, "model": ev.model, "version": ev.version, **evidence},
                eval_id=ev.eval_id,
                action=act,
                at=ev.at,
            )
            ev.alerts.append({"id": alert_id, **info, "action": act, "action_run_id": None})
        evidence["suppressed"] = ev.suppressed
        evidence["status"] = status_of(ev)
        conn.execute(
            "UPDATE monitor_evals SET evidence=? WHERE id=?", (json.dumps(evidence, default=str), ev.eval_id)
        )
    ev.status = status_of(ev)


def status_of(ev: Evaluation) -> str:
    """``alert`` when an alert rule fired (stored or held back), ``warn`` for a warn rule, else ``ok``."""
    if ev.fired:
        return "alert"
    return "warn" if any(r["fired"] for r in ev.rules) else "ok"


def announce(engine: Engine, ev: Evaluation) -> None:
    """Events for every front end: one per new alert, then the evaluation's summary.

    Written to the store (an open console reads them) and emitted to the engine's listeners
    (the headless service prints them as they happen).
    """
    events: list[tuple[str, str, dict[str, Any]]] = []
    for alert in ev.alerts:
        summary = alert_store.summary({**alert, "monitor": ev.monitor})
        data = {"summary": summary, "alert_id": alert["id"], "monitor": ev.monitor, **alert}
        events.append(("alert.fired", alert["severity"], data))
    data = {
        "summary": ev.summary,
        "monitor": ev.monitor,
        "eval_id": ev.eval_id,
        "model": ev.model,
        "version": ev.version,
        "metrics": {k: v for k, v in ev.metrics.items() if "." not in k},
        "reason": ev.reason,
    }
    events.append(("monitor.evaluated", ev.status, data))
    for kind, status, payload in events:
        engine.bus.publish(Event(kind, status=status, data=payload))
