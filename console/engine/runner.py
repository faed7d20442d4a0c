"""One run: a DAG walk on a ``concurrent.futures`` executor.

The walk happens on the calling (driver) thread; task attempts run on the executor.
Each finished future puts itself on a queue the driver reads, so the driver alone owns
the run's state: no locks around it. Retries wait in a heap; timeouts are deadlines the
driver checks while it waits; cancel is a flag the driver checks and tasks can poll.
"""

from __future__ import annotations

import heapq
import queue
import threading
import time
from collections import deque
from concurrent.futures import Executor, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.engine.attempt import Attempt, TaskOutcome, describe_failure, execute, remote_outcome
from console.engine.dag import downstream_map
from console.engine.logs import append_lines
from console.engine.pipeline import Pipeline, TaskSpec
from console.engine.remote import run_remote
from console.errors import TaskCancelledError, TaskTimeoutError
from console.store import results
from console.store.runs import cancel_requested

if TYPE_CHECKING:
    from console.engine.engine import Engine

CANCEL_POLL_S = 0.25
PROGRESS_EVERY_S = 0.1


class Runner:
    """Walks one run's DAG to a terminal state."""

    def __init__(
        self,
        engine: Engine,
        pipeline: Pipeline,
        run_id: int,
        params: dict[str, Any],
        order: list[str],
        reuse: dict[str, str] | None = None,
        executor: Executor | None = None,
        max_workers: int | None = None,
    ) -> None:
        self.engine = engine
        self.store = engine.store
        self.writer = engine.store.writer
        self.pipeline = pipeline
        self.run_id = run_id
        self.params = params
        self.order = order
        self.reuse = reuse or {}
        self.executor = executor or engine.executor
        # Without a per-pipeline limit the executor's own queue bounds parallelism; keeping
        # many attempts submitted avoids a driver round trip per task.
        self.limit = max_workers or pipeline.max_workers or max(engine.max_workers * 64, 1024)
        self.cancel_event = threading.Event()
        self.values: dict[str, Any] = {}
        self.keys: dict[str, str] = {}
        self.status: dict[str, str] = {name: "queued" for name in order}
        # (task, attempt number, TaskOutcome | exception): put by the worker itself on thread
        # executors (no future callbacks on the hot path), by a done-callback on others.
        self._done: queue.SimpleQueue[tuple[str, int, Any]] = queue.SimpleQueue()
        self._threaded = isinstance(self.executor, ThreadPoolExecutor)
        self.final_status: str | None = None
        self.log_lines: dict[str, int] = {}
        self.log_dir = self.store.logs_dir / str(run_id)

    # -- public ------------------------------------------------------------------------
    def cancel(self) -> None:
        self.cancel_event.set()

    def run(self) -> str:
        started = time.time()
        self.writer.sql("UPDATE runs SET status='running', started_at=? WHERE id=?", (started, self.run_id))
        self._emit("run.started", None, "running", {"pipeline": self.pipeline.name})
        try:
            status, error = self._walk()
        except BaseException as exc:  # noqa: BLE001 - the run must always end in a terminal state
            status, error = "failed", f"engine error: {type(exc).__name__}: {exc}"
            for name, st in self.status.items():
                if st not in ("succeeded", "failed", "skipped", "cancelled"):
                    self._set(name, "failed", error=error, ended_at=time.time())
        ended = time.time()
        done = sum(1 for s in self.status.values() if s in ("succeeded", "failed", "skipped", "cancelled"))
        self.writer.sql(
            "UPDATE runs SET status=?, ended_at=?, n_done=?, error=? WHERE id=?",
            (status, ended, done, error, self.run_id),
        )
        self._emit(
            "run.finished",
            None,
            status,
            {"pipeline": self.pipeline.name, "duration_s": round(ended - started, 6), "error": error},
        )
        self.final_status = status
        return status

    # -- the walk ----------------------------------------------------------------------
    def _walk(self) -> tuple[str, str | None]:
        tasks = self.pipeline.tasks
        children = downstream_map(self.pipeline)
        waiting = {name: len(tasks[name].upstream) for name in self.order}
        ready: deque[str] = deque()
        for name in self.order:
            if name in self.reuse:
                self.keys[name] = self.reuse[name]
                self._set(name, "succeeded", reused=1, result_key=self.reuse[name], attempts=0)
                self._emit("task.reused", name, "succeeded")
        for name in self.order:
            if name in self.reuse:
                continue
            waiting[name] = sum(1 for up in tasks[name].upstream if up not in self.reuse)
            if waiting[name] == 0:
                ready.append(name)
        inflight: dict[str, Attempt] = {}
        timed: dict[str, Attempt] = {}  # in-flight attempts that have a timeout: scanned each pass
        delayed: list[tuple[float, str, int]] = []
        attempts: dict[str, int] = {}
        failed_any = False
        cancelled = False
        next_poll = time.monotonic() + CANCEL_POLL_S
        next_progress = time.monotonic() + PROGRESS_EVERY_S
        n_done = len(self.reuse)

        while ready or inflight or delayed:
            if not cancelled and self.cancel_event.is_set():
                cancelled = True
                self._cancel_rest(inflight, ready, delayed)
                break
            while ready and len(inflight) < self.limit:
                name = ready.popleft()
                attempts[name] = attempts.get(name, 0) + 1
                att = inflight[name] = self._submit(tasks[name], attempts[name])
                if att.timeout is not None:
                    timed[name] = att
            now = time.monotonic()
            wait = CANCEL_POLL_S
            if delayed:
                wait = min(wait, max(delayed[0][0] - now, 0))
            if timed:
                deadlines = [d for a in timed.values() if (d := a.deadline) is not None]
                if deadlines:
                    wait = min(wait, max(min(deadlines) - now, 0))
            done_q = self._done
            items = []
            if done_q.empty():
                try:
                    items.append(done_q.get(timeout=wait) if wait > 0 else done_q.get_nowait())
                except queue.Empty:
                    pass
            while not done_q.empty():  # drain without raising Empty on every pass
                items.append(done_q.get_nowait())
            finished: list[tuple[str, Attempt, BaseException | None, TaskOutcome | None]] = []
            for name, number, result in items:
                att = inflight.get(name)
                if att is None or att.number != number:
                    continue  # a timed-out attempt that finished late
                del inflight[name]
                if timed:
                    timed.pop(name, None)
                if isinstance(result, BaseException):
                    finished.append((name, att, result, None))
                else:
                    finished.append((name, att, None, result))
            now = time.monotonic()
            for name, att in list(timed.items()):
                deadline = att.deadline
                if deadline is not None and now >= deadline:
                    att.cancel.set()
                    del inflight[name], timed[name]
                    timeout = tasks[name].timeout
                    finished.append((name, att, TaskTimeoutError(f"timed out after {timeout:g}s"), None))
            for name, att, exc, outcome in finished:
                spec = tasks[name]
                if exc is None and outcome is not None:
                    self.values[name] = outcome.value
                    if outcome.key:
                        self.keys[name] = outcome.key
                    self.status[name] = "succeeded"
                    self._change(
                        name,
                        "succeeded",
                        "task.finished",
                        {"duration_s": round(outcome.duration, 6), "attempt": att.number},
                        persist_data=False,
                        ended_at=time.time(),
                        duration_s=outcome.duration,
                        attempts=att.number,
                        result_key=outcome.key,
                        error=None,
                    )
                    n_done += 1
                    for child in children[name]:
                        waiting[child] -= 1
                        if waiting[child] == 0 and self.status[child] == "queued":
                            ready.append(child)
                    continue
                message = describe_failure(exc)
                retryable = not isinstance(exc, (TaskCancelledError,)) and not self.cancel_event.is_set()
                if retryable and att.number <= spec.retries:
                    delay = spec.retry_wait(att.number)
                    self._set(name, "retrying", attempts=att.number, error=message)
                    self._emit(
                        "task.retrying",
                        name,
                        "retrying",
                        {"attempt": att.number, "error": message, "delay_s": delay},
                    )
                    heapq.heappush(delayed, (time.monotonic() + delay, name, att.number))
                    continue
                failed_any = True
                took = time.monotonic() - att.started if att.started is not None else None
                self._set(
                    name, "failed", ended_at=time.time(), attempts=att.number, error=message, duration_s=took
                )
                self._emit("task.finished", name, "failed", {"error": message, "attempt": att.number})
                n_done += 1
                for skipped in self._skip_downstream(name, children):
                    n_done += 1
                    if skipped in ready:
                        ready.remove(skipped)
            while delayed and delayed[0][0] <= time.monotonic():
                _, name, _ = heapq.heappop(delayed)
                ready.append(name)
            now = time.monotonic()
            if now >= next_progress:
                next_progress = now + PROGRESS_EVERY_S
                self.writer.sql("UPDATE runs SET n_done=? WHERE id=?", (n_done, self.run_id))
            if now >= next_poll:
                next_poll = now + CANCEL_POLL_S
                if self.run_id in cancel_requested(self.store.db, [self.run_id]):
                    self.cancel_event.set()
        if cancelled:
            return "cancelled", "cancelled by request"
        if failed_any:
            failed = [n for n, s in self.status.items() if s == "failed"]
            return "failed", f"task {failed[0]!r} failed" if failed else "a task failed"
        return "succeeded", None

    def _submit(self, spec: TaskSpec, number: int) -> Attempt:
        # A task that cannot observe its own cancel shares the run's event (cheaper).
        own = spec.wants_ctx or spec.timeout is not None
        att = Attempt(
            number=number, timeout=spec.timeout, cancel=threading.Event() if own else self.cancel_event
        )
        if own and self.cancel_event.is_set():
            att.cancel.set()
        kwargs = self._kwargs(spec)
        self.status[spec.name] = "running"
        if self._threaded:
            att.future = self.executor.submit(self._work, spec, kwargs, att)
        else:
            att.started = time.monotonic()
            self.writer.task(
                self.run_id, spec.name, status="running", started_at=time.time(), attempts=number
            )
            self._emit("task.started", spec.name, "running", {"attempt": number} if number > 1 else None)
            source = self.pipeline.source or Path(self.pipeline.file).read_text()
            fut = att.future = self.executor.submit(
                run_remote,
                self.pipeline.file,
                source,
                self.pipeline.name,
                spec.name,
                kwargs,
                run_id=self.run_id,
                attempt=number,
                params=self.params,
                home=str(self.store.home),
                project_root=str(self.engine.project_root),
            )
            done = self._done
            fut.add_done_callback(
                lambda f, n=spec.name, k=number: done.put((n, k, remote_outcome(self, spec, f)))
            )
        return att

    def append_log(self, name: str, lines: list[str]) -> None:
        """Lines a remote worker sent back, appended to the task's log file."""
        if lines:
            append_lines(self.log_dir, name, lines)
            self.count_log_lines(name, len(lines))

    def count_log_lines(self, name: str, added: int) -> None:
        """Keep the task row's line count in step with its log file."""
        if added:
            total = self.log_lines[name] = self.log_lines.get(name, 0) + added
            self.writer.task(self.run_id, name, log_lines=total)

    def _work(self, spec: TaskSpec, kwargs: dict[str, Any], att: Attempt) -> None:
        """Thread executors: run the attempt and hand its outcome straight to the driver."""
        try:
            result: Any = execute(self, spec, kwargs, att)
        except BaseException as exc:  # noqa: BLE001 - handed to the driver, which decides
            result = exc
        self._done.put((spec.name, att.number, result))

    def _kwargs(self, spec: TaskSpec) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        for up in spec.upstream:
            if up not in self.values:
                self.values[up] = results.load(self.store, self.keys[up])
            kwargs[up] = self.values[up]
        for name in spec.param_names:
            kwargs[name] = self.params[name] if name in self.params else spec.defaults[name]
        return kwargs

    # -- state helpers ------------------------------------------------------------------
    def _change(
        self,
        name: str,
        status: str,
        kind: str,
        data: dict[str, Any] | None = None,
        *,
        persist_data: bool = True,
        **fields: Any,
    ) -> None:
        """One state change of a task: its row and its event in one writer operation."""
        at = time.time()
        fields["status"] = status
        self.writer.change(
            self.run_id, name, fields, (at, self.run_id, name, kind, status, data if persist_data else None)
        )
        if self.engine.listeners:
            self.engine.emit(
                {
                    "kind": kind,
                    "run_id": self.run_id,
                    "task": name,
                    "status": status,
                    "data": data or {},
                    "pipeline": self.pipeline.name,
                    "at": at,
                }
            )

    def _set(self, name: str, status: str, **fields: Any) -> None:
        self.status[name] = status
        self.writer.task(self.run_id, name, status=status, **fields)

    def _emit(
        self, kind: str, task: str | None, status: str | None, data: dict[str, Any] | None = None
    ) -> None:
        at = time.time()
        self.writer.event(self.run_id, task, kind, status, data, at)
        if self.engine.listeners:
            self.engine.emit(
                {
                    "kind": kind,
                    "run_id": self.run_id,
                    "task": task,
                    "status": status,
                    "data": data or {},
                    "pipeline": self.pipeline.name,
                    "at": at,
                }
            )

    def emit_task_event(self, task: str, kind: str, data: dict[str, Any]) -> None:
        """An informational event of a task (checks, models): persisted and shown live."""
        self._emit(kind, task, None, data)

    def _skip_downstream(self, name: str, children: dict[str, list[str]]) -> list[str]:
        skipped, stack = [], list(children[name])
        while stack:
            child = stack.pop()
            if self.status[child] == "queued":
                self._set(child, "skipped", error=f"upstream {name!r} failed", ended_at=time.time())
                self._emit("task.finished", child, "skipped", {"upstream": name})
                skipped.append(child)
                stack.extend(children[child])
        return skipped

    def _cancel_rest(
        self, inflight: dict[str, Attempt], ready: deque[str], delayed: list[tuple[float, str, int]]
    ) -> None:
        now = time.time()
        for att in inflight.values():
            att.cancel.set()
        self.cancel_event.set()
        for name, st in self.status.items():
            if st in ("queued", "running", "retrying"):
                self._set(name, "cancelled", ended_at=now, error="run cancelled")
                self._emit("task.finished", name, "cancelled")
        inflight.clear()
        ready.clear()
        delayed.clear()
