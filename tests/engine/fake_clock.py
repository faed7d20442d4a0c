"""A clock the engine tests move by hand, and waits on engine events instead of on time.

``Engine(clock=clock, sleep=clock.sleep)``: the driver's waits for retries and deadlines
advance this clock instead of passing real time, so a 10 s backoff or a 60 s timeout is
decided at once and exactly. (Imported by name: the tests folder is not a package.)
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class FakeClock:
    """Monotonic seconds that move only when the engine sleeps on them."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            self.now += seconds


class EventWaiter:
    """A listener that lets a test wait for an event of the engine, without polling time."""

    def __init__(self, engine: Any) -> None:
        self._cond = threading.Condition()
        self.events: list[dict[str, Any]] = []
        engine.subscribe(self)

    def __call__(self, event: dict[str, Any]) -> None:
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()

    def wait_for(self, match: Callable[[dict[str, Any]], bool], timeout: float = 10.0) -> dict[str, Any]:
        """The first event ``match`` accepts (already seen or still to come)."""
        with self._cond:
            found: list[dict[str, Any]] = []

            def seen() -> bool:
                found[:] = [e for e in self.events if match(e)][:1]
                return bool(found)

            if not self._cond.wait_for(seen, timeout):
                raise AssertionError(f"no matching event within {timeout}s")
            return found[0]

    def finished(self, run_id: int, timeout: float = 10.0) -> dict[str, Any]:
        return self.wait_for(lambda e: e["kind"] == "run.finished" and e["run_id"] == run_id, timeout)
