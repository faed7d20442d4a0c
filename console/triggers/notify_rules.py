"""``[tool.opsconsole.notify]``: which events notify which Apprise URLs.

    [tool.opsconsole.notify]
    "run.failed" = ["json://127.0.0.1:8080/hook", "$SLACK_URL"]   # $NAME reads the environment
    "sla.missed" = "$PAGER_URL"                                   # one URL may be a plain string
    rate_limit = 20                                               # deliveries per event and minute

A rule that is malformed or names an unknown event is ignored and reported (the service
still starts). Events come from the store's events table; ``notify_event`` maps a stored
event to the name a rule uses (``run.finished`` with status failed -> ``run.failed``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

EVENTS = (
    "run.failed",
    "run.succeeded",
    "task.retries_exhausted",
    "check.failed",
    "sla.missed",
    "drift.alert",
    "model.promoted",
    "model.rolled_back",
)
DEFAULT_RATE = 20  # per event name and minute


@dataclass
class NotifyRules:
    """Parsed rules: event name -> the URLs as written; problems say what was ignored."""

    targets: dict[str, list[str]] = field(default_factory=dict)
    rate_per_minute: int = DEFAULT_RATE
    problems: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.targets)


def parse_rules(raw: Any) -> NotifyRules:
    rules = NotifyRules()
    if raw is None:
        return rules
    if not isinstance(raw, dict):
        rules.problems.append(f"[tool.opsconsole.notify] must be a table, not {type(raw).__name__}; ignored")
        return rules
    for key, value in raw.items():
        if key == "rate_limit":
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                rules.rate_per_minute = value
            else:
                rules.problems.append(f"notify rate_limit={value!r}: must be a positive integer; using {DEFAULT_RATE}")
            continue
        if key not in EVENTS:
            rules.problems.append(f"notify rule {key!r} ignored: unknown event (known: {', '.join(EVENTS)})")
            continue
        urls = [value] if isinstance(value, str) else value
        if not isinstance(urls, list) or not urls or not all(isinstance(u, str) and u.strip() for u in urls):
            rules.problems.append(f"notify rule {key!r} ignored: expected a URL or a list of URLs, got {value!r}")
            continue
        rules.targets[key] = [u.strip() for u in urls]
    return rules


def expand(target: str) -> str:
    """The URL of a target: ``$NAME`` (or ``${NAME}``) reads the environment; raises KeyError if unset."""
    if target.startswith("$"):
        name = target[1:].strip("{}")
        value = os.environ.get(name)
        if not value:
            raise KeyError(f"environment variable {name} is not set")
        return value
    return target


def notify_event(kind: str, status: str | None, data: dict[str, Any]) -> str | None:
    """The rule name a stored event triggers, or None."""
    if kind == "run.finished":
        return {"failed": "run.failed", "succeeded": "run.succeeded"}.get(status or "")
    if kind == "task.finished" and status == "failed" and int(data.get("attempt") or 1) > 1:
        return "task.retries_exhausted"
    if kind == "check.failed":
        return "check.failed"
    if kind == "sla.missed":
        return "sla.missed"
    if kind == "alert.fired":
        return "drift.alert"
    if kind == "alias.changed":
        return {"promote": "model.promoted", "rollback": "model.rolled_back"}.get(str(data.get("action")))
    return None


def message(event: str, run_id: int | None, task: str | None, raw: str | None) -> tuple[str, str]:
    """Title and body of a notification."""
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    pipeline = data.get("pipeline")
    where = " ".join(str(p) for p in (pipeline, f"run {run_id}" if run_id else None, task) if p)
    summary = data.get("summary") or data.get("error") or ""
    title = f"ops-console: {event}" + (f" ({where})" if where else "")
    body = str(summary) if summary else title
    return title, body
