"""The walk's bookkeeping on its own, and an attempt against a host that is not a runner."""

from __future__ import annotations

import threading
from collections import deque
from pathlib import Path
from typing import Any

from console import Pipeline
from console.engine.attempt import Attempt, TaskOutcome, execute
from console.engine.context import Context
from console.engine.logs import TaskLog, install
from console.engine.walk import Walk
from console.errors import TaskTimeoutError
from console.store.state import Store


def walk() -> Walk:
    return Walk(children={"a": ["b"], "b": ["c"], "c": []}, waiting={}, next_poll=0.0, next_progress=0.0)


def test_wait_time_is_the_nearest_retry_or_deadline() -> None:
    w = walk()
    assert w.wait_time(100.0, 0.25) == 0.25
    w.retry_at(100.1, "a", 1)
    assert abs(w.wait_time(100.0, 0.25) - 0.1) < 1e-9
    att = Attempt(number=1, timeout=0.05, cancel=threading.Event(), started=100.0)
    w.inflight["b"] = w.timed["b"] = att
    assert abs(w.wait_time(100.0, 0.25) - 0.05) < 1e-9
    assert w.wait_time(200.0, 0.25) == 0  # overdue: do not wait at all


def test_expire_signals_the_attempt_and_release_makes_retries_ready() -> None:
    pipeline = Pipeline("p")
    pipeline.task(name="b", timeout=0.05)(lambda: 1)
    w = walk()
    att = Attempt(number=1, timeout=0.05, cancel=threading.Event(), started=10.0)
    w.inflight["b"] = w.timed["b"] = att
    assert w.expire(10.01, pipeline.tasks) == []
    (name, _, exc, outcome), = w.expire(10.05, pipeline.tasks)
    assert name == "b" and isinstance(exc, TaskTimeoutError) and outcome is None
    assert att.cancel.is_set() and not w.inflight and not w.pending()
    w.retry_at(11.0, "b", 1)
    w.release(10.9)
    assert not w.ready
    w.release(11.0)
    assert w.ready == deque(["b"])


def test_take_drops_late_outcomes_and_queued_below_follows_the_dag() -> None:
    w = walk()
    w.inflight["a"] = Attempt(number=2, timeout=None, cancel=threading.Event())
    late, current = ("a", 1, TaskOutcome(value=0)), ("a", 2, TaskOutcome(value=1))
    (name, att, exc, outcome), = w.take([late, current])
    assert (name, att.number, exc, outcome.value if outcome else None) == ("a", 2, None, 1)
    assert w.queued_below("a", {"a": "failed", "b": "queued", "c": "queued"}) == ["b", "c"]
    assert w.queued_below("a", {"a": "failed", "b": "skipped", "c": "queued"}) == []


class Host:
    """Just the RunHost interface, recording what the attempt asked for."""

    def __init__(self, store: Store, root: Path) -> None:
        self.run_id, self.pipeline_name, self.store, self.log_dir = 1, "p", store, root / "logs"
        self.clock = lambda: 5.0
        self.calls: list[tuple[Any, ...]] = []

    def context(self, task: str, log: TaskLog, *, attempt: int = 1, cancel_event: Any = None) -> Context:
        return Context(run_id=1, pipeline="p", task=task, params={}, store=self.store, log=log, attempt=attempt)

    def task_started(self, task: str, attempt: int) -> None:
        self.calls.append(("started", task, attempt))

    def task_event(self, task: str, kind: str, data: dict[str, Any]) -> None:
        self.calls.append(("event", task, kind))

    def upstream_value(self, task: str) -> Any:
        return None

    def write_rows(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        self.calls.append(("rows", len(rows)))

    def append_log(self, name: str, lines: list[str]) -> None:
        self.calls.append(("append", name, len(lines)))

    def count_log_lines(self, name: str, added: int) -> None:
        self.calls.append(("lines", name, added))


def test_an_attempt_needs_only_its_host(tmp_path: Path) -> None:
    install()  # print() inside a task goes to its log, as under an Engine
    store = Store(tmp_path / "state")
    try:
        pipeline = Pipeline("p")

        @pipeline.task
        def double() -> int:
            print("working")
            return 21 * 2

        host = Host(store, tmp_path)
        att = Attempt(number=1, timeout=None, cancel=threading.Event())
        outcome = execute(host, pipeline.tasks["double"], {}, att)
        assert outcome.value == 42 and outcome.key and att.started == 5.0
        assert host.calls == [("started", "double", 1), ("lines", "double", 1)]
        assert "working" in (host.log_dir / "double.log").read_text()
    finally:
        store.close()
