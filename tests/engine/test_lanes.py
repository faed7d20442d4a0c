"""Lanes: every attempt put is run once, on no more threads than the pool has."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from console.engine.lanes import Lanes


def test_every_item_runs_once_within_the_pool_size() -> None:
    seen: list[int] = []
    lock = threading.Lock()
    active = 0
    peak = 0

    def work(i: int) -> None:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.001)
        with lock:
            active -= 1
            seen.append(i)

    with ThreadPoolExecutor(4) as pool:
        lanes = Lanes(pool, work)
        for i in range(400):
            lanes.put(i)
        deadline = time.monotonic() + 20
        while len(seen) < 400 and time.monotonic() < deadline:
            time.sleep(0.01)
    assert sorted(seen) == list(range(400))
    assert 1 < peak <= 4


def test_items_put_while_lanes_end_are_never_stranded() -> None:
    """Puts trickle in one by one, so lanes keep finding the queue empty and ending."""
    done = threading.Semaphore(0)
    with ThreadPoolExecutor(3) as pool:
        lanes = Lanes(pool, lambda: done.release())
        for _ in range(3000):
            lanes.put()
            if _ % 7 == 0:
                time.sleep(0)  # let a lane drain the queue and end between puts
        for _ in range(3000):
            assert done.acquire(timeout=10), "an item was left queued with no lane to take it"


def test_a_busy_lane_does_not_hold_back_new_items() -> None:
    """One lane stuck in a long item: the next items start on other threads at once."""
    release = threading.Event()
    started = threading.Event()
    finished: list[str] = []

    def work(name: str) -> None:
        if name == "slow":
            started.set()
            release.wait(10)
        finished.append(name)

    with ThreadPoolExecutor(2) as pool:
        lanes = Lanes(pool, work)
        lanes.put("slow")
        assert started.wait(5)
        lanes.put("quick")
        deadline = time.monotonic() + 5
        while "quick" not in finished and time.monotonic() < deadline:
            time.sleep(0.005)
        assert finished == ["quick"]
        release.set()


def test_a_shut_down_pool_refuses_the_item() -> None:
    pool = ThreadPoolExecutor(1)
    pool.shutdown()
    lanes = Lanes(pool, lambda: None)
    with pytest.raises(RuntimeError):
        lanes.put()
    assert lanes._running == 0
