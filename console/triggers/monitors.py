"""Running discovered monitors on their own period, for the trigger service.

A monitor is any object at module level in ``pipelines/*.py`` whose class sets
``opsconsole_kind = "monitor"`` (discovery collects it into ``Catalog.monitors``). The
service needs only this much of it (``MonitorLike``):

- ``name: str``: unique among monitors; keys its state in ``triggers_state``;
- ``every_s: float``: seconds between evaluations;
- ``evaluate(engine) -> None``: score, compare, store results and raise alerts, using
  ``engine.store`` (and ``engine.start(...)`` to trigger a retraining run). It runs on a
  worker thread of its own, one evaluation per monitor at a time, so a slow one never
  delays schedules; an exception is reported as one line and the next period runs again.
- optional ``due(now: float) -> bool``: replaces the default rule (due when never
  evaluated, or ``every_s`` seconds after the last evaluation; ``now`` is epoch seconds).

When an evaluation starts, its time is stored, so a restart does not evaluate again
before the period is over, and a monitor missed during downtime is evaluated once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from console.triggers.state import TriggerState

log = logging.getLogger("opsconsole.triggers")
KIND = "monitor"


@runtime_checkable
class MonitorLike(Protocol):
    """The part of a monitor the service calls (see the module docstring)."""

    name: str
    every_s: float

    def evaluate(self, engine: Any) -> None: ...


def monitor_name(monitor: Any) -> str:
    name = getattr(monitor, "name", None)
    return str(name) if name else type(monitor).__name__


class MonitorRunner:
    """Evaluates due monitors on worker threads; never lets one break the service."""

    def __init__(self, state: TriggerState, decide: Callable[[str, str, str | None], None]) -> None:
        self.state = state
        self.decide = decide
        self.last: dict[str, float | None] = {}
        self.inflight: dict[str, threading.Thread] = {}
        self.warned: set[str] = set()

    def step(self, monitors: list[Any], engine: Any, now: float) -> None:
        for monitor in monitors:
            name = monitor_name(monitor)
            thread = self.inflight.get(name)
            if thread is not None:
                if thread.is_alive():
                    continue
                del self.inflight[name]
            if not callable(getattr(monitor, "evaluate", None)):
                self._warn_once(name, "has no evaluate(engine) method; ignored")
                continue
            if not self._due(monitor, name, now):
                continue
            self.last[name] = now
            self.state.set(name, KIND, "last_eval", now)
            thread = threading.Thread(
                target=self._evaluate,
                args=(monitor, name, engine),
                name=f"opsconsole-monitor-{name}",
                daemon=True,
            )
            self.inflight[name] = thread
            thread.start()

    def _due(self, monitor: Any, name: str, now: float) -> bool:
        due = getattr(monitor, "due", None)
        if callable(due):
            try:
                return bool(due(now))
            except Exception as exc:  # noqa: BLE001 - a monitor never breaks the service
                self._warn_once(name, f"due() failed: {type(exc).__name__}: {exc}")
                return False
        try:
            every = float(monitor.every_s)
        except (AttributeError, TypeError, ValueError):
            self._warn_once(name, "has no every_s (seconds between evaluations); ignored")
            return False
        if every <= 0:
            self._warn_once(name, f"every_s must be positive, not {every:g}; ignored")
            return False
        if name not in self.last:
            self.last[name] = self.state.get_float(name, KIND, "last_eval")
        last = self.last[name]
        return last is None or now - last >= every

    def _evaluate(self, monitor: Any, name: str, engine: Any) -> None:
        t0 = time.perf_counter()
        try:
            monitor.evaluate(engine)
        except Exception as exc:  # noqa: BLE001
            log.exception("monitor %s failed", name)
            self.decide("monitor", f"{name} failed: {type(exc).__name__}: {exc}", name)
            return
        self.decide("monitor", f"{name} evaluated in {time.perf_counter() - t0:.2f}s", name)

    def _warn_once(self, name: str, message: str) -> None:
        if name not in self.warned:
            self.warned.add(name)
            self.decide("monitor", f"{name} {message}", name)

    def join(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for thread in list(self.inflight.values()):
            thread.join(max(deadline - time.monotonic(), 0))
