"""Scheduled runs: which ticks are due, the missed-run policy and ``max_concurrent``.

For each scheduled pipeline the last tick handled is kept in ``triggers_state``. A step
at ``now`` looks at the ticks after it:

- ``catchup=False`` (the default): one run for the newest tick, however many were missed
  (the service was stopped, or the previous run was still going): a restart after a
  night off runs once, not a flood;
- ``catchup=True``: one run per missed tick, oldest first, at most ``max_catchup`` (the
  newest ones; older ones are skipped and said so);
- no free slot (``max_concurrent`` active runs of the pipeline): the tick waits, so runs
  of one pipeline never overlap unless allowed; it is reported once.

The first time a pipeline is seen with a schedule, nothing runs: the first run is at
the next tick (cron semantics). A run whose pipeline declares ``interval_start`` and
``interval_end`` params gets the interval its tick closes, as ISO strings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from console.errors import OpsConsoleError
from console.triggers.schedule import Schedule, due_ticks, parse_schedule
from console.triggers.state import TriggerState

if TYPE_CHECKING:
    from console.engine.pipeline import Pipeline
    from console.engine.runner import Runner

INTERVAL_PARAMS = ("interval_start", "interval_end")
KIND = "schedule"
Decide = Callable[..., None]


@dataclass
class ScheduleSlot:
    pipeline: str
    schedule: Schedule
    last: float
    next_due: float
    waiting_for: float | None = None


def interval_params(pipeline: Pipeline, schedule: Schedule, tick: float) -> dict[str, Any]:
    if not all(k in pipeline.params for k in INTERVAL_PARAMS):
        return {}
    return {"interval_start": schedule.iso(schedule.previous(tick)), "interval_end": schedule.iso(tick)}


def concurrency_limit(pipeline: Any) -> int:
    """``max_concurrent`` of a pipeline; 0 or None means unlimited."""
    value = getattr(pipeline, "max_concurrent", 1)
    return int(value) if value else 0


class Scheduler:
    """The scheduled pipelines of a service and the step that starts their due runs."""

    def __init__(
        self,
        state: TriggerState,
        tz: tzinfo,
        *,
        decide: Decide,
        launch: Callable[[str, dict[str, Any], str], Runner],
        free: Callable[[str, int], int],
        clock: Callable[[], float],
        max_catchup: int = 20,
    ) -> None:
        self.state = state
        self.tz = tz
        self.decide = decide
        self.launch = launch
        self.free = free
        self.clock = clock
        self.max_catchup = max_catchup
        self.slots: dict[str, ScheduleSlot] = {}

    def at(self, t: float) -> str:
        """A tick as wall-clock time in the project's zone (with the date when not today)."""
        when = datetime.fromtimestamp(t, tz=self.tz)
        same_day = when.date() == datetime.fromtimestamp(self.clock(), tz=self.tz).date()
        return when.strftime("%H:%M:%S" if same_day else "%Y-%m-%d %H:%M:%S")

    def sync(self, pipelines: dict[str, Pipeline], now: float, problems: dict[str, str]) -> None:
        """Follow the catalog: new, changed and removed schedules (bad ones go to ``problems``)."""
        wanted: dict[str, Schedule] = {}
        for name, p in pipelines.items():
            if p.schedule:
                try:
                    wanted[name] = parse_schedule(p.schedule, self.tz)
                except OpsConsoleError as exc:
                    problems[name] = str(exc)
        for name in [n for n in self.slots if n not in wanted]:
            del self.slots[name]
            self.decide("schedule", f"{name} is no longer scheduled", name)
        for name, sched in wanted.items():
            slot = self.slots.get(name)
            if slot is not None and slot.schedule.expr == sched.expr:
                continue
            last = self.state.get_float(name, KIND, "last_tick")
            if last is None:
                last = sched.latest(now)
                self.state.set(name, KIND, "last_tick", last)
                first = sched.next_after(last)
                self.decide("schedule", f"{name} {sched.describe()}: first run at {self.at(first)}", name)
            self.slots[name] = ScheduleSlot(name, sched, last, sched.next_after(last))

    def step(self, pipelines: dict[str, Pipeline], now: float) -> None:
        for slot in list(self.slots.values()):
            if now < slot.next_due:
                continue
            pipeline = pipelines.get(slot.pipeline)
            if pipeline is not None:
                self._due(slot, pipeline, now)

    def _due(self, slot: ScheduleSlot, pipeline: Pipeline, now: float) -> None:
        catchup = bool(getattr(pipeline, "catchup", False))
        ticks, older = due_ticks(slot.schedule, slot.last, now, catchup=catchup, cap=self.max_catchup)
        if not ticks:
            slot.next_due = slot.schedule.next_after(max(now, slot.last))
            return
        limit = concurrency_limit(pipeline)
        free = self.free(slot.pipeline, limit)
        if free <= 0:
            if slot.waiting_for != ticks[-1]:
                slot.waiting_for = ticks[-1]
                self.decide(
                    "schedule",
                    f"{slot.pipeline} due at {self.at(ticks[-1])} ({slot.schedule.describe()}) but "
                    f"{limit - free} run(s) still active (max_concurrent={limit}); waiting",
                    slot.pipeline,
                )
            return
        if not catchup:
            folded = "some earlier" if older is None else str(older)
            note = f"; {folded} missed tick(s) folded into this run (catchup=False)" if older != 0 else ""
            self._start(slot, pipeline, ticks[-1], note)
        else:
            if older != 0:
                dropped = "older ones" if older is None else f"{older} older"
                self.decide(
                    "schedule",
                    f"{slot.pipeline}: catching up the newest {len(ticks)} missed tick(s); "
                    f"{dropped} skipped (cap {self.max_catchup})",
                    slot.pipeline,
                )
            for tick in ticks[:free]:
                self._start(slot, pipeline, tick, " (catch-up)" if len(ticks) > 1 else "")
        slot.next_due = slot.schedule.next_after(slot.last)

    def _start(self, slot: ScheduleSlot, pipeline: Pipeline, tick: float, note: str) -> None:
        sched = slot.schedule
        head = f"{slot.pipeline} due at {self.at(tick)} ({sched.describe()})"
        try:
            runner = self.launch(slot.pipeline, interval_params(pipeline, sched, tick), "schedule")
        except OpsConsoleError as exc:
            self.decide("schedule", f"{head} but could not start: {exc}", slot.pipeline)
        else:
            self.decide("schedule", f"{head} -> run {runner.run_id}{note}", slot.pipeline, runner.run_id)
        # a tick that could not start is consumed too: retrying it every step would only repeat the error
        slot.last = tick
        slot.waiting_for = None
        self.state.set(slot.pipeline, KIND, "last_tick", tick)
