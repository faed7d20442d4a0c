"""Which series a metric point belongs to: (metric, pipeline or model, origin).

``accuracy`` logged by the iris training pipeline, ``accuracy`` logged by the fraud training
pipeline and ``accuracy`` a live monitor measures on the fraud model are three series; a trend, a
chart or a "latest" only ever compares points of one. The origin is ``task`` (a pipeline's task
logged it, e.g. at training time) or ``monitor`` (a monitor measured the model on new data).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from console.monitor.series import _filters, series, trend

if TYPE_CHECKING:
    from console.store.db import Database

ORIGIN_WORDS = {"task": "training", "monitor": "live"}


@dataclass(frozen=True)
class SeriesKey:
    """One series: a metric name from one pipeline (task points) or one monitor and model (live)."""

    name: str
    origin: str  # "task" or "monitor"
    pipeline: str | None = None
    monitor: str | None = None
    model: str | None = None

    @property
    def owner(self) -> str:
        """The pipeline, or the monitor (with its model) the points come from."""
        if self.origin == "monitor":
            who = f"monitor {self.monitor}" if self.monitor else "monitor"
            return f"{who} on {self.model}" if self.model and self.model != self.monitor else who
        pipeline = self.pipeline or "-"
        return f"{pipeline}/{self.model}" if self.model else pipeline

    @property
    def label(self) -> str:
        """``accuracy · iris_train (training)``, ``auc · monitor fraud (live)``: unique per series."""
        return f"{self.name} · {self.owner} ({ORIGIN_WORDS.get(self.origin, self.origin)})"

    @property
    def short(self) -> str:
        """Where from, in few characters, for a narrow column: ``iris_train (training)``."""
        where = (self.monitor or self.model) if self.origin == "monitor" else self.pipeline
        return f"{where or '-'} ({ORIGIN_WORDS.get(self.origin, self.origin)})"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "origin": self.origin,
            "pipeline": self.pipeline,
            "monitor": self.monitor,
            "model": self.model,
            "label": self.label,
        }


def key_of(point: dict[str, Any]) -> SeriesKey:
    """The series a point (a row of ``series()``) belongs to."""
    if point.get("source") == "monitor":
        return SeriesKey(point["name"], "monitor", monitor=point.get("monitor"), model=point.get("model"))
    return SeriesKey(point["name"], "task", pipeline=point.get("pipeline"), model=point.get("model"))


def series_keys(
    db: Database,
    name: str | None = None,
    *,
    model: str | None = None,
    pipeline: str | None = None,
    source: str | None = None,
    monitor: str | None = None,
    columns: bool = True,
) -> list[SeriesKey]:
    """Every series (of metric ``name``, or all), sorted by name then origin and owner.

    ``columns=False`` leaves out a monitor's per-column statistics (``psi.amount``).
    """
    where, params = _filters(name=name, model=model, pipeline=pipeline, source=source, monitor=monitor)
    rows = db.query(
        "SELECT DISTINCT m.name, m.source, m.pipeline, m.model, e.monitor FROM metrics m "
        "LEFT JOIN monitor_evals e ON m.source = 'monitor' AND e.id = m.step"
        f"{where}",
        params,
    )
    keys = {key_of(dict(r)) for r in rows}
    if not columns:
        keys = {k for k in keys if not (k.origin == "monitor" and "." in k.name)}
    return sorted(keys, key=lambda k: (k.name, k.origin, k.owner))


def points_of(db: Database, key: SeriesKey, limit: int = 500) -> list[dict[str, Any]]:
    """The newest ``limit`` points of one series, oldest first."""
    if key.origin == "monitor":
        points = series(db, key.name, source="monitor", monitor=key.monitor, model=key.model, limit=limit)
    else:
        points = series(db, key.name, source=key.origin, pipeline=key.pipeline, model=key.model, limit=limit)
    # a filter of None matches anything: keep only this series' own points
    return [p for p in points if key_of(p) == key]


def grouped(
    db: Database, name: str | None = None, *, limit: int = 500, columns: bool = True, **filters: Any
) -> list[tuple[SeriesKey, list[dict[str, Any]]]]:
    """Each series with its newest ``limit`` points (oldest first); none empty."""
    out = []
    for key in series_keys(db, name, columns=columns, **filters):
        points = points_of(db, key, limit=limit)
        if points:
            out.append((key, points))
    return out


def trend_json(points: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The trend of one series' points, in the ``--json`` shape."""
    tr = trend([float(p["value"]) for p in points])
    return tr.to_json() if tr else None
