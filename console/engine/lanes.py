"""Attempts of one run fed to a thread pool through pull loops ("lanes").

Submitting every attempt to a ``ThreadPoolExecutor`` costs a ``Future`` (a condition and
its lock), a work item, the pool's shutdown lock and a semaphore probe, and setting the
future's state twice on the worker: more than a no-op task itself. On thread executors the
worker hands its outcome straight to the driver, so none of that is used. Instead the run
keeps a queue of its attempts and starts, on the pool, up to the pool's size of loops that
take attempts from it until it is empty. An attempt costs a queue put, a get and a lock.

A lane is started when an attempt is queued and no idle lane will take it; a lane that finds
the queue empty ends, freeing its pool thread for other runs. Counters live under one lock
so no attempt is ever left queued with no lane to take it.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

Work = tuple[Any, ...]


class Lanes:
    """Runs ``work(*item)`` for every item put, on at most the pool's size of threads."""

    def __init__(self, pool: Executor, work: Callable[..., None]) -> None:
        self._pool = pool
        self._work = work
        self._q: queue.SimpleQueue[Work] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._cap = max(int(getattr(pool, "_max_workers", 1)), 1)
        self._queued = 0  # items put and not yet taken
        self._running = 0  # lanes alive
        self._busy = 0  # lanes inside ``work``

    def put(self, *item: Any) -> None:
        """Queue one item; start a lane when no idle one is left to take it."""
        self._q.put(item)
        with self._lock:
            self._queued += 1
            start = self._running < self._cap and self._running - self._busy < self._queued
            if start:
                self._running += 1
        if start:
            try:
                self._pool.submit(self._lane)
            except BaseException:  # the pool was shut down: the item is not run, say so
                with self._lock:
                    self._running -= 1
                raise

    def _lane(self) -> None:
        took = False
        while True:
            with self._lock:
                if took:
                    self._busy -= 1
                if not self._queued:
                    self._running -= 1
                    return
                self._queued -= 1
                self._busy += 1
            took = True
            self._work(*self._q.get())
