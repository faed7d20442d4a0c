"""Metric series: the points tasks log (``ctx.log_metric``) and monitors append, as queries.

Every point is a row of ``metrics``. Task points carry their run, pipeline and task
(``source="task"``); monitor points carry the monitored model and version
(``source="monitor"``) and, in ``step``, the id of the ``monitor_evals`` row they come
from, which names the monitor. The same queries serve both.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from console.errors import NotFoundError

if TYPE_CHECKING:
    from console.store.db import Database

POINT_SQL = (
    "SELECT m.id, m.name, m.value, m.step, m.at, m.run_id, m.pipeline, m.task, m.model, m.version, "
    "m.source, e.monitor FROM metrics m "
    "LEFT JOIN monitor_evals e ON m.source = 'monitor' AND e.id = m.step"
)
TREND_N = 5


@dataclass(frozen=True)
class Trend:
    """The last value against the mean of the ``n`` before it."""

    last: float
    previous: float | None
    delta: float | None
    direction: str  # up | down | flat | new
    n: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def arrow(self) -> str:
        return {"up": "↑", "down": "↓", "flat": "→"}.get(self.direction, "·")


def trend(values: list[float], n: int = TREND_N) -> Trend | None:
    """Trend of a series given oldest first: last value vs the mean of the previous ``n``."""
    if not values:
        return None
    last = float(values[-1])
    before = [float(v) for v in values[-n - 1 : -1]]
    if not before:
        return Trend(last, None, None, "new", 0)
    previous = sum(before) / len(before)
    delta = last - previous
    scale = max(abs(previous), abs(last), 1e-12)
    direction = "flat" if abs(delta) <= 1e-9 * scale else ("up" if delta > 0 else "down")
    return Trend(last, previous, delta, direction, len(before))


def _filters(
    *,
    name: str | None = None,
    model: str | None = None,
    version: int | None = None,
    pipeline: str | None = None,
    source: str | None = None,
    monitor: str | None = None,
) -> tuple[str, list[Any]]:
    where, params = [], []
    for column, value in (
        ("m.name", name),
        ("m.model", model),
        ("m.version", version),
        ("m.pipeline", pipeline),
        ("m.source", source),
        ("e.monitor", monitor),
    ):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    return (" WHERE " + " AND ".join(where)) if where else "", params


def series(
    db: Database,
    name: str,
    *,
    model: str | None = None,
    version: int | None = None,
    pipeline: str | None = None,
    source: str | None = None,
    monitor: str | None = None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """The newest ``limit`` points of metric ``name``, oldest first."""
    where, params = _filters(
        name=name, model=model, version=version, pipeline=pipeline, source=source, monitor=monitor
    )
    rows = db.query(f"{POINT_SQL}{where} ORDER BY m.id DESC LIMIT ?", [*params, limit])
    return [dict(r) for r in reversed(rows)]


def metric_names(db: Database, *, source: str | None = None, model: str | None = None) -> list[str]:
    where, params = _filters(source=source, model=model)
    rows = db.query(f"SELECT DISTINCT m.name FROM metrics m{where} ORDER BY m.name", params)
    return [r["name"] for r in rows]


def require_series(db: Database, name: str, **filters: Any) -> list[dict[str, Any]]:
    """Like :func:`series`, but a metric nobody logged is a NotFoundError naming the known ones."""
    points = series(db, name, **filters)
    if points:
        return points
    known = metric_names(db)
    if name in known:
        raise NotFoundError(f"metric {name!r} has no points matching those filters")
    listed = ", ".join(known[:30]) or "none yet"
    raise NotFoundError(f"unknown metric: {name!r} (known: {listed})")


def latest(
    db: Database,
    *,
    names: list[str] | None = None,
    model: str | None = None,
    pipeline: str | None = None,
    source: str | None = None,
    monitor: str | None = None,
    n: int = TREND_N,
) -> list[dict[str, Any]]:
    """The newest point of each metric (or of ``names``), with its trend over the ``n`` before."""
    out: list[dict[str, Any]] = []
    for name in names if names is not None else metric_names(db, source=source, model=model):
        points = series(db, name, model=model, pipeline=pipeline, source=source, monitor=monitor, limit=n + 1)
        if not points:
            continue
        point = points[-1]
        tr = trend([p["value"] for p in points], n)
        out.append({**point, "trend": tr.to_json() if tr else None})
    return out


def latest_by_origin(
    db: Database,
    *,
    model: str | None = None,
    pipeline: str | None = None,
    source: str | None = None,
    monitor: str | None = None,
    columns: bool = True,
    n: int = TREND_N,
) -> list[dict[str, Any]]:
    """The newest point of each series, a series being a metric name from one pipeline or monitor.

    ``accuracy`` logged by a training task and ``accuracy`` measured by a monitor are two
    series. ``columns=False`` leaves out a monitor's per-column statistics (``psi.amount``).
    """
    where, params = _filters(model=model, pipeline=pipeline, source=source, monitor=monitor)
    rows = db.query(
        "SELECT DISTINCT m.name, m.source, m.pipeline, e.monitor FROM metrics m "
        "LEFT JOIN monitor_evals e ON m.source = 'monitor' AND e.id = m.step"
        f"{where} ORDER BY m.name, e.monitor, m.pipeline",
        params,
    )
    out: list[dict[str, Any]] = []
    for row in rows:
        if not columns and row["source"] == "monitor" and "." in row["name"]:
            continue
        points = series(
            db,
            row["name"],
            model=model,
            pipeline=row["pipeline"],
            source=row["source"],
            monitor=row["monitor"],
            limit=n + 1,
        )
        if points:
            tr = trend([p["value"] for p in points], n)
            out.append({**points[-1], "trend": tr.to_json() if tr else None})
    return out


def by_version(db: Database, name: str, model: str) -> list[dict[str, Any]]:
    """Per version of ``model``: how many points of ``name``, their mean, min, max and the last."""
    rows = db.query(
        "SELECT version, count(*) AS n, avg(value) AS mean, min(value) AS min, max(value) AS max, "
        "(SELECT value FROM metrics i WHERE i.name = o.name AND i.model = o.model "
        " AND i.version IS o.version ORDER BY i.id DESC LIMIT 1) AS last "
        "FROM metrics o WHERE name = ? AND model = ? GROUP BY version ORDER BY version",
        (name, model),
    )
    return [dict(r) for r in rows]


def monitor_history(db: Database, monitor: str, limit: int = TREND_N + 1) -> list[dict[str, Any]]:
    """The newest ``limit`` evaluations of a monitor, oldest first, with metrics parsed."""
    rows = db.query(
        "SELECT id, monitor, at, model, version, metrics, evidence FROM monitor_evals "
        "WHERE monitor = ? ORDER BY id DESC LIMIT ?",
        (monitor, limit),
    )
    out = []
    for r in reversed(rows):
        item = dict(r)
        item["metrics"] = json.loads(item["metrics"] or "{}")
        evidence = json.loads(item.pop("evidence") or "{}")
        item["status"] = evidence.get("status", "ok")
        item["reason"] = evidence.get("reason")
        out.append(item)
    return out


def point_to_json(point: dict[str, Any]) -> dict[str, Any]:
    """The ``metrics NAME --json`` shape of one point."""
    from console.store.runs import iso

    return {
        "value": point["value"],
        "step": point["step"],
        "at": iso(point["at"]),
        "run_id": point["run_id"],
        "pipeline": point["pipeline"],
        "task": point["task"],
        "model": point["model"],
        "version": point["version"],
        "source": point["source"],
        "monitor": point.get("monitor"),
    }
