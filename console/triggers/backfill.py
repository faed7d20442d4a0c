"""Backfill: one run per schedule interval of a date range, a few at a time.

``opsconsole backfill NAME --start 2026-01-01 --end 2026-01-31 [--max-parallel N]``

- The range is cut by the pipeline's schedule (or ``--schedule``) in the project's time
  zone. A plain date as ``--end`` includes that day (the range ends at the next
  midnight); a date and time (``2026-01-31T06:00``) is an exclusive end. Every tick ``t``
  in ``[start, end)`` whose next tick is within the range gives the interval
  ``[t, next(t))``: a daily schedule over January gives 31 runs.
- Each run gets its interval as the params ``interval_start``/``interval_end`` (ISO 8601
  with the zone's offset), so the pipeline must declare both, e.g.
  ``params={"interval_start": "", "interval_end": ""}``; a clear error otherwise, before
  anything runs. Other ``--param`` values apply to every run.
- Runs have trigger ``backfill`` and share one ``group_key``,
  ``backfill:NAME:2026-01-01..2026-01-31``, so the console can show them as a group.
- At most ``max_parallel`` run at once; runs are created as slots free up, so stopping a
  backfill leaves nothing queued.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from console.errors import UsageError
from console.triggers.schedule import Schedule, parse_schedule
from console.triggers.scheduler import INTERVAL_PARAMS

if TYPE_CHECKING:
    from console.engine.engine import Engine
    from console.engine.pipeline import Pipeline
    from console.engine.runner import Runner

MAX_INTERVALS = 10_000


@dataclass(frozen=True)
class Interval:
    start: float
    end: float
    start_iso: str
    end_iso: str


@dataclass
class BackfillPlan:
    pipeline: str
    schedule: Schedule
    intervals: list[Interval]
    group_key: str
    params: dict[str, Any] = field(default_factory=dict)


def parse_bound(text: str, tz: tzinfo, *, end: bool) -> tuple[float, str]:
    """Epoch seconds and a label for ``--start``/``--end`` (a date, or a date and time)."""
    raw = text.strip()
    flag = "--end" if end else "--start"
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        day = None
    if day is not None and len(raw) == 10:
        moment = datetime(day.year, day.month, day.day, tzinfo=tz)
        if end:
            moment += timedelta(days=1)  # a plain end date includes that day
        return moment.timestamp(), day.isoformat()
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise UsageError(
            f"{flag} {text!r}: expected a date (2026-01-31) or a date and time (2026-01-31T06:00)"
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.timestamp(), raw


def plan_backfill(
    pipeline: Pipeline,
    start: str,
    end: str,
    tz: tzinfo,
    *,
    schedule: str | None = None,
    params: dict[str, Any] | None = None,
) -> BackfillPlan:
    """Check the pipeline and cut ``[start, end]`` into intervals; raises UsageError."""
    missing = [k for k in INTERVAL_PARAMS if k not in pipeline.params]
    if missing:
        raise UsageError(
            f"pipeline {pipeline.name!r} cannot be backfilled: it must declare the params "
            f"interval_start and interval_end to receive each interval (missing: {', '.join(missing)}); "
            "e.g. params={'interval_start': '', 'interval_end': ''}"
        )
    extra = dict(params or {})
    clash = [k for k in INTERVAL_PARAMS if k in extra]
    if clash:
        raise UsageError(f"--param {clash[0]} is set per interval by backfill; leave it out")
    expr = schedule or pipeline.schedule
    if not expr:
        raise UsageError(
            f"pipeline {pipeline.name!r} has no schedule to cut the range into intervals; "
            "give one with --schedule (e.g. 'every 1d' or '0 0 * * *')"
        )
    sched = parse_schedule(expr, tz)
    t0, start_label = parse_bound(start, tz, end=False)
    t1, end_label = parse_bound(end, tz, end=True)
    if t1 <= t0:
        raise UsageError(f"--end {end!r} is not after --start {start!r}")
    intervals = []
    for tick in sched.ticks_from(t0, t1, MAX_INTERVALS):
        nxt = sched.next_after(tick)
        if nxt <= t1:
            intervals.append(Interval(tick, nxt, sched.iso(tick), sched.iso(nxt)))
    if not intervals:
        raise UsageError(f"no whole {sched.describe()!r} interval fits between {start} and {end}")
    key = f"backfill:{pipeline.name}:{start_label}..{end_label}"
    return BackfillPlan(pipeline.name, sched, intervals, key, extra)


def run_backfill(
    engine: Engine,
    plan: BackfillPlan,
    *,
    max_parallel: int = 1,
    stop: threading.Event | None = None,
    on_start: Callable[[Runner, Interval], None] | None = None,
) -> list[Runner]:
    """Run the plan's intervals in order, at most ``max_parallel`` at once; returns the runners.

    Setting ``stop`` cancels the runs in progress and starts no more.
    """
    if max_parallel < 1:
        raise UsageError(f"--max-parallel must be at least 1, not {max_parallel}")
    pending = deque(plan.intervals)
    active: dict[int, tuple[Runner, threading.Thread]] = {}
    runners: list[Runner] = []
    cancelled = False
    while pending or active:
        if stop is not None and stop.is_set() and not cancelled:
            cancelled = True
            pending.clear()
            for runner, _ in active.values():
                runner.cancel()
        while pending and len(active) < max_parallel:
            interval = pending.popleft()
            params = {**plan.params, "interval_start": interval.start_iso, "interval_end": interval.end_iso}
            runner = engine.prepare(plan.pipeline, params, trigger="backfill", group_key=plan.group_key)
            thread = threading.Thread(
                target=engine.execute, args=(runner,), name=f"opsconsole-run-{runner.run_id}", daemon=True
            )
            active[runner.run_id] = (runner, thread)
            runners.append(runner)
            thread.start()
            if on_start is not None:
                on_start(runner, interval)
        for run_id, (_, thread) in list(active.items()):
            if not thread.is_alive():
                del active[run_id]
        if active:
            next(iter(active.values()))[1].join(0.05)
    return runners


def summary(runners: list[Runner]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for runner in runners:
        status = runner.final_status or "unknown"
        counts[status] = counts.get(status, 0) + 1
    return counts
