"""The driver's bookkeeping of one walk: what is ready, in flight, waiting to retry, and when.

A :class:`Walk` holds no engine or store: it pairs finished attempts with the attempts in
flight, finds the ones past their deadline, and releases retries whose delay is over, all
against a time the runner passes in (the engine's clock). The runner owns the side effects.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from console.errors import TaskTimeoutError

if TYPE_CHECKING:
    from console.engine.attempt import Attempt, TaskOutcome
    from console.engine.pipeline import TaskSpec

# (task, attempt number, TaskOutcome | exception) as a worker hands it to the driver
Done = tuple[str, int, Any]
# (task, attempt, the exception that ended it or None, its outcome when it succeeded)
Finished = tuple[str, "Attempt", BaseException | None, "TaskOutcome | None"]


@dataclass(slots=True)
class Walk:
    """The state of one walk; only the driver thread touches it."""

    children: dict[str, list[str]]
    waiting: dict[str, int]  # upstream tasks each task still waits for
    next_poll: float
    next_progress: float
    ready: deque[str] = field(default_factory=deque)
    inflight: dict[str, Attempt] = field(default_factory=dict)
    timed: dict[str, Attempt] = field(default_factory=dict)  # in-flight attempts with a timeout
    delayed: list[tuple[float, str, int]] = field(default_factory=list)  # (due, task, attempt) heap
    attempts: dict[str, int] = field(default_factory=dict)
    n_done: int = 0
    failed_any: bool = False
    cancelled: bool = False

    def pending(self) -> bool:
        """Something is ready, running or waiting to retry."""
        return bool(self.ready or self.inflight or self.delayed)

    def wait_time(self, now: float, longest: float) -> float:
        """How long the driver may wait for results: until the next retry or deadline, at most ``longest``."""
        wait = longest
        if self.delayed:
            wait = min(wait, max(self.delayed[0][0] - now, 0))
        if self.timed:
            deadlines = [d for a in self.timed.values() if (d := a.deadline) is not None]
            if deadlines:
                wait = min(wait, max(min(deadlines) - now, 0))
        return wait

    def take(self, items: list[Done]) -> list[Finished]:
        """The handed-over outcomes of attempts still in flight (late ones of timed-out attempts are dropped)."""
        finished: list[Finished] = []
        for name, number, result in items:
            att = self.inflight.get(name)
            if att is None or att.number != number:
                continue  # a timed-out attempt that finished late
            del self.inflight[name]
            if self.timed:
                self.timed.pop(name, None)
            if isinstance(result, BaseException):
                finished.append((name, att, result, None))
            else:
                finished.append((name, att, None, result))
        return finished

    def expire(self, now: float, tasks: Mapping[str, TaskSpec]) -> list[Finished]:
        """Attempts past their deadline: signalled to stop, and failed with a timeout."""
        expired: list[Finished] = []
        for name, att in list(self.timed.items()):
            deadline = att.deadline
            if deadline is not None and now >= deadline:
                att.cancel.set()
                del self.inflight[name], self.timed[name]
                timeout = tasks[name].timeout or 0.0
                expired.append((name, att, TaskTimeoutError(f"timed out after {timeout:g}s"), None))
        return expired

    def queued_below(self, name: str, status: Mapping[str, str]) -> list[str]:
        """Every task downstream of ``name`` still queued: skipped when ``name`` failed."""
        found: list[str] = []
        seen: set[str] = set()
        stack = list(self.children[name])
        while stack:
            child = stack.pop()
            if child in seen or status[child] != "queued":
                continue
            seen.add(child)
            found.append(child)
            stack.extend(self.children[child])
        return found

    def retry_at(self, due: float, name: str, attempt: int) -> None:
        heapq.heappush(self.delayed, (due, name, attempt))

    def release(self, now: float) -> None:
        """Retries whose delay is over become ready."""
        while self.delayed and self.delayed[0][0] <= now:
            _, name, _ = heapq.heappop(self.delayed)
            self.ready.append(name)
