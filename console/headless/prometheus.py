"""The store as Prometheus metrics, in the text exposition format (version 0.0.4).

``opsconsole metrics --prometheus`` prints it (for node_exporter's textfile collector or a
cron job); ``opsconsole serve`` answers ``GET /metrics`` with it, behind the same token.
Everything is read in a handful of aggregate queries, so a scrape costs milliseconds.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from console.store.db import Database

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _label(value: Any) -> str:
    text = str(value)
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


class _Family:
    def __init__(self, name: str, kind: str, help_text: str) -> None:
        self.name, self.kind, self.help = name, kind, help_text
        self.samples: list[tuple[str, dict[str, Any], float]] = []

    def add(self, value: float | None, suffix: str = "", **labels: Any) -> None:
        if value is not None:
            self.samples.append((suffix, labels, float(value)))

    def render(self) -> Iterable[str]:
        yield f"# HELP {self.name} {self.help}"
        yield f"# TYPE {self.name} {self.kind}"
        for suffix, labels, value in self.samples:
            inner = ",".join(f'{k}="{_label(v)}"' for k, v in labels.items() if v is not None)
            yield f"{self.name}{suffix}{{{inner}}} {_number(value)}" if inner else f"{self.name}{suffix} {_number(value)}"


def exposition(db: Database) -> str:
    """Runs by state, task durations, check failures, model versions and aliases, monitor metrics."""
    families = [_runs(db), _task_durations(db), _checks(db), *_models(db), _monitor_metrics(db), _alerts(db)]
    lines = [line for family in families for line in family.render()]
    return "\n".join(lines) + "\n"


def _runs(db: Database) -> _Family:
    f = _Family("opsconsole_runs", "gauge", "Runs in the store by pipeline and state.")
    for r in db.query("SELECT pipeline, status, count(*) AS n FROM runs GROUP BY pipeline, status ORDER BY 1, 2"):
        f.add(r["n"], pipeline=r["pipeline"], state=r["status"])
    return f


def _task_durations(db: Database) -> _Family:
    f = _Family("opsconsole_task_duration_seconds", "summary", "Durations of finished task attempts.")
    rows = db.query(
        "SELECT r.pipeline, t.name, count(t.duration_s) AS n, coalesce(sum(t.duration_s), 0) AS s"
        " FROM tasks t JOIN runs r ON r.id = t.run_id WHERE t.duration_s IS NOT NULL"
        " GROUP BY r.pipeline, t.name ORDER BY 1, 2"
    )
    for r in rows:
        f.add(r["s"], "_sum", pipeline=r["pipeline"], task=r["name"])
        f.add(r["n"], "_count", pipeline=r["pipeline"], task=r["name"])
    return f


def _checks(db: Database) -> _Family:
    f = _Family("opsconsole_check_failures_total", "counter", "Check results that did not pass, by check.")
    rows = db.query(
        "SELECT pipeline, task, check_name, severity, sum(passed = 0) AS n FROM checks"
        " GROUP BY pipeline, task, check_name, severity ORDER BY 1, 2, 3"
    )
    for r in rows:
        f.add(r["n"], pipeline=r["pipeline"], task=r["task"], check=r["check_name"], severity=r["severity"])
    return f


def _models(db: Database) -> tuple[_Family, _Family]:
    versions = _Family("opsconsole_model_versions", "gauge", "Registered versions per model.")
    for r in db.query("SELECT name, count(*) AS n FROM model_versions GROUP BY name ORDER BY name"):
        versions.add(r["n"], model=r["name"])
    aliases = _Family("opsconsole_model_alias_version", "gauge", "The version an alias points at.")
    for r in db.query("SELECT name, alias, version FROM aliases ORDER BY name, alias"):
        aliases.add(r["version"], model=r["name"], alias=r["alias"])
    return versions, aliases


def _monitor_metrics(db: Database) -> _Family:
    f = _Family("opsconsole_metric", "gauge", "The latest value of each metric series.")
    rows = db.query(
        "SELECT m.name, m.value, m.pipeline, m.model, m.source FROM metrics m JOIN ("
        " SELECT max(id) AS id FROM metrics GROUP BY name, coalesce(pipeline, ''), coalesce(model, ''),"
        " coalesce(source, '')) last ON last.id = m.id ORDER BY m.name, m.pipeline, m.model"
    )
    for r in rows:
        f.add(r["value"], metric=r["name"], pipeline=r["pipeline"], model=r["model"], source=r["source"])
    return f


def _alerts(db: Database) -> _Family:
    f = _Family("opsconsole_alerts_open", "gauge", "Alerts not yet acknowledged, by monitor and rule.")
    rows = db.query(
        "SELECT monitor, rule, count(*) AS n FROM alerts WHERE acknowledged = 0 GROUP BY monitor, rule"
        " ORDER BY 1, 2"
    )
    for r in rows:
        f.add(r["n"], monitor=r["monitor"], rule=r["rule"])
    return f
