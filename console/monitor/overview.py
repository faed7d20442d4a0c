"""What ``opsconsole monitor [NAME]`` (and the console's Monitoring tab) shows, as plain dicts.

``overview(db, name, monitor)`` gathers a monitor's latest evaluation, each headline metric
with its rule thresholds and trend, the per-column drift of the last evaluation and the
open alerts; ``listing(db, monitors)`` one row per monitor. The monitor object is optional:
a monitor removed from the code still shows what it stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from console.monitor import alerts as alert_store
from console.monitor import series

if TYPE_CHECKING:
    from console.store.db import Database

# metrics every evaluation has, shown even when no rule names them
HEADLINE = ("psi", "share_drifted", "drifted_columns")
SCORES = ("auc", "accuracy", "precision", "recall", "mae", "rmse", "r2")


def last_eval(db: Database, name: str) -> dict[str, Any] | None:
    history = series.monitor_history(db, name, limit=1)
    return history[-1] if history else None


def eval_evidence(db: Database, eval_id: int) -> dict[str, Any]:
    import json

    row = db.query_one("SELECT evidence FROM monitor_evals WHERE id = ?", (eval_id,))
    return json.loads(row["evidence"] or "{}") if row else {}


def metric_rows(db: Database, name: str, rules: list[Any], metrics: dict[str, float]) -> list[dict[str, Any]]:
    """Headline metrics and every rule's metric: latest value, rule thresholds, trend."""
    by_metric: dict[str, list[Any]] = {}
    for rule in rules:
        by_metric.setdefault(rule.metric, []).append(rule)
    names = list(dict.fromkeys([*by_metric, *HEADLINE, *(s for s in SCORES if s in metrics)]))
    latest = {p["name"]: p for p in series.latest(db, names=names, source="monitor", monitor=name)}
    rows = []
    for metric in names:
        point = latest.get(metric)
        value = point["value"] if point else None
        checks = [r.check(value) for r in by_metric.get(metric, [])]
        rows.append(
            {
                "name": metric,
                "value": value,
                "version": point["version"] if point else None,
                "rules": [
                    {"rule": str(c.rule), "op": c.rule.op, "threshold": c.rule.threshold, "fired": c.fired}
                    for c in checks
                ],
                "fired": any(c.fired for c in checks),
                "trend": point["trend"] if point else None,
            }
        )
    return rows


def drift_rows(evidence: dict[str, Any]) -> list[dict[str, Any]]:
    """The per-column drift of one evaluation's evidence, drifted columns first."""
    columns = (evidence.get("drift") or {}).get("columns") or {}
    order = {"alert": 0, "warn": 1, "ok": 2, "insufficient": 3}
    rows = [{"column": name, **col} for name, col in columns.items()]
    return sorted(rows, key=lambda r: (order.get(str(r.get("verdict")), 9), -(r.get("psi") or 0.0)))


def overview(db: Database, name: str, monitor: Any = None) -> dict[str, Any]:
    """Everything ``monitor NAME --json`` prints (see the module docstring)."""
    last = last_eval(db, name)
    evidence = eval_evidence(db, last["id"]) if last else {}
    rules = list(getattr(monitor, "rules", []) or [])
    out: dict[str, Any] = {
        "name": name,
        **(_describe(monitor) if monitor is not None else {"model": last["model"] if last else None}),
        "last_eval": _eval_json(last) if last else None,
        "metrics": metric_rows(db, name, rules, last["metrics"] if last else {}),
        "drift": drift_rows(evidence),
        "scoring": evidence.get("scoring"),
        "alerts": [
            alert_store.alert_to_json(a, evidence=False) for a in alert_store.list_alerts(db, monitor=name)
        ],
        "history": [_eval_json(e) for e in series.monitor_history(db, name, limit=10)],
    }
    return out


def listing(db: Database, monitors: list[Any]) -> list[dict[str, Any]]:
    """One row per monitor: declared ones, and ones only the store still knows."""
    names = {m.name: m for m in monitors}
    for row in db.query("SELECT DISTINCT monitor FROM monitor_evals ORDER BY monitor"):
        names.setdefault(row["monitor"], None)
    counts = alert_store.open_counts(db)
    rows = []
    for name in sorted(names):
        monitor = names[name]
        last = last_eval(db, name)
        rows.append(
            {
                "name": name,
                **(_describe(monitor) if monitor is not None else {"model": last["model"] if last else None}),
                "declared": monitor is not None,
                "last_eval": _eval_json(last) if last else None,
                "open_alerts": counts.get(name, 0),
            }
        )
    return rows


def _describe(monitor: Any) -> dict[str, Any]:
    describe = getattr(monitor, "describe", None)
    if callable(describe):
        return dict(describe())
    return {"model": getattr(monitor, "model", None), "every_s": getattr(monitor, "every_s", None)}


def _eval_json(row: dict[str, Any]) -> dict[str, Any]:
    from console.store.runs import iso

    headline = {k: v for k, v in row["metrics"].items() if "." not in k}
    return {
        "id": row["id"],
        "at": iso(row["at"]),
        "timestamp": row["at"],
        "model": row["model"],
        "version": row["version"],
        "status": row["status"],
        "reason": row["reason"],
        "metrics": headline,
    }
