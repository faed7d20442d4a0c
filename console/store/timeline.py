"""A run's timeline: each task's attempts over time and the critical path, from the events.

Attempts come from the task's events (``task.started`` opens one; the next ``task.retrying``
or ``task.finished`` closes it), so retries show as separate bars with their waits between.
Where events are gone (retention) the task row's start and end stand in for one attempt.
The critical path is walked back from the task that ended last, each time to the upstream
task that ended last: the chain that decided how long the run took.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from console.store.db import Database
from console.store.runs import get_run_row, get_tasks, iso


@dataclass
class Attempt:
    start: float
    end: float | None
    outcome: str  # succeeded | failed | retrying | running | cancelled | skipped ...


@dataclass
class TaskBar:
    task: str
    status: str
    upstream: list[str]
    attempts: list[Attempt] = field(default_factory=list)
    critical: bool = False
    reused: bool = False

    @property
    def start(self) -> float | None:
        return self.attempts[0].start if self.attempts else None

    def end(self, now: float) -> float | None:
        if not self.attempts:
            return None
        last = self.attempts[-1]
        return last.end if last.end is not None else now


@dataclass
class Timeline:
    run_id: int
    pipeline: str
    status: str
    start: float | None
    end: float | None
    bars: list[TaskBar]

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "start": iso(self.start),
            "end": iso(self.end),
            "critical_path": [b.task for b in self.bars if b.critical],
            "tasks": [
                {
                    "task": b.task,
                    "status": b.status,
                    "critical": b.critical,
                    "attempts": [
                        {"start": iso(a.start), "end": iso(a.end), "outcome": a.outcome} for a in b.attempts
                    ],
                }
                for b in self.bars
            ],
        }


def run_timeline(db: Database, run_id: int, now: float) -> Timeline:
    run = get_run_row(db, run_id)
    tasks = get_tasks(db, run_id)
    bars = {
        t["name"]: TaskBar(t["name"], t["status"], json.loads(t["upstream"] or "[]"), reused=bool(t["reused"]))
        for t in tasks
    }
    rows = db.query(
        "SELECT at, task, kind, status FROM events WHERE run_id=? AND task IS NOT NULL"
        " AND kind IN ('task.started', 'task.retrying', 'task.finished') ORDER BY seq",
        (run_id,),
    )
    for r in rows:
        bar = bars.get(r["task"])
        if bar is None:
            continue
        open_attempt = bar.attempts[-1] if bar.attempts and bar.attempts[-1].end is None else None
        if r["kind"] == "task.started":
            bar.attempts.append(Attempt(r["at"], None, "running"))
        elif open_attempt is not None:
            open_attempt.end = r["at"]
            open_attempt.outcome = "retrying" if r["kind"] == "task.retrying" else (r["status"] or "?")
    for t in tasks:
        bar = bars[t["name"]]
        if not bar.attempts and t["started_at"] is not None:
            end = t["ended_at"]
            if end is None and t["duration_s"] is not None and t["status"] not in ("running", "retrying"):
                end = t["started_at"] + t["duration_s"]
            bar.attempts.append(Attempt(t["started_at"], end, t["status"]))
        elif bar.attempts and bar.attempts[-1].end is None and t["ended_at"] is not None:
            bar.attempts[-1].end, bar.attempts[-1].outcome = t["ended_at"], t["status"]
    _mark_critical(bars, now)
    start = run["started_at"]
    end = run["ended_at"] or (now if run["status"] in ("queued", "running") else None)
    return Timeline(run_id, run["pipeline"], run["status"], start, end, list(bars.values()))


def _mark_critical(bars: dict[str, TaskBar], now: float) -> None:
    ended = [(b.end(now), name) for name, b in bars.items() if b.end(now) is not None]
    if not ended:
        return
    name: str | None = max(ended)[1]
    while name is not None:
        bar = bars[name]
        bar.critical = True
        ups = [(e, u) for u in bar.upstream if u in bars and (e := bars[u].end(now)) is not None]
        name = max(ups)[1] if ups else None
