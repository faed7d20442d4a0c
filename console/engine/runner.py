"""One run: a DAG walk on a ``concurrent.futures`` executor.

The walk happens on the calling (driver) thread; task attempts run on the executor. Each
finished future puts itself on a queue the driver reads, so the driver alone owns the run's
state (a :class:`Walk`): no locks. Retries wait in a heap; timeouts are deadlines the driver
checks while it waits; cancel is a flag the driver checks and tasks can poll. Each pass is the
same stages: submit what is ready, collect finished attempts, expire timed-out ones, settle
each outcome, release due retries, housekeeping. Time is the engine's clock (tests move it).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.engine.attempt import Attempt, TaskOutcome, describe_failure, execute, remote_outcome
from console.engine.context import Context
from console.engine.dag import downstream_map
from console.engine.lanes import Lanes
from console.engine.logs import TaskLog, append_lines
from console.engine.pipeline import Pipeline, TaskSpec
from console.engine.remote import run_remote
from console.engine.walk import Done, Finished, Walk
from console.errors import TaskCancelledError
from console.store import results
from console.store.runs import cancel_requested
from console.store.vocabulary import TERMINAL_TASK_STATES, Event, RunState, TaskState

if TYPE_CHECKING:
    from console.engine.engine import Engine
    from console.store.state import Store

CANCEL_POLL_S = 0.25
PROGRESS_EVERY_S = 0.1


class Runner:
    """Walks one run's DAG to a terminal state; the host its attempts report to."""

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
        self.store: Store = engine.store
        self.writer = engine.store.writer
        self.bus = engine.bus
        self.clock: Callable[[], float] = engine.clock
        self.sleep: Callable[[float], None] | None = engine.sleep
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
        self.status: dict[str, TaskState] = {name: TaskState.QUEUED for name in order}
        self._done: queue.SimpleQueue[Done] = queue.SimpleQueue()
        self._threaded = isinstance(self.executor, ThreadPoolExecutor)
        # workers put outcomes on _done; in_driver tasks (a Kafka source) use this process's threads
        self._lanes = Lanes(self.executor if self._threaded else engine.executor, self._work)
        self.final_status: str | None = None
        self.log_lines: dict[str, int] = {}
        self.log_dir = self.store.logs_dir / str(run_id)

    # -- public ------------------------------------------------------------------------
    def cancel(self) -> None:
        self.cancel_event.set()

    def run(self) -> str:
        started = time.time()
        self.writer.sql("UPDATE runs SET status='running', started_at=? WHERE id=?", (started, self.run_id))
        self._emit("run.started", None, RunState.RUNNING, {"pipeline": self.pipeline.name})
        try:
            status, error = self._walk()
        except BaseException as exc:  # noqa: BLE001 - the run must always end in a terminal state
            status, error = RunState.FAILED, f"engine error: {type(exc).__name__}: {exc}"
            for name, st in self.status.items():
                if st not in TERMINAL_TASK_STATES:
                    self._set(name, TaskState.FAILED, error=error, ended_at=time.time())
        ended = time.time()
        done = sum(1 for s in self.status.values() if s in TERMINAL_TASK_STATES)
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

    # -- the walk: one pass of stages until nothing is ready, running or waiting to retry ----
    def _walk(self) -> tuple[RunState, str | None]:
        w = self._start_walk()
        while w.pending():
            if self.cancel_event.is_set():
                w.cancelled = True
                self._cancel_rest(w)
                break
            if w.ready:
                self._submit_ready(w)
            finished = self._collect(w, w.wait_time(self.clock(), CANCEL_POLL_S))
            if w.timed:
                finished += w.expire(self.clock(), self.pipeline.tasks)
            for item in finished:
                self._settle(w, *item)
            if w.delayed:
                w.release(self.clock())
            now = self.clock()
            if now >= w.next_progress or now >= w.next_poll:
                self._housekeep(w, now)
        return self._verdict(w)

    def _start_walk(self) -> Walk:
        """Reused tasks succeed at once; tasks with nothing left to wait for are ready."""
        tasks = self.pipeline.tasks
        now = self.clock()
        w = Walk(
            children=downstream_map(self.pipeline),
            waiting={name: len(tasks[name].upstream) for name in self.order},
            next_poll=now + CANCEL_POLL_S,
            next_progress=now + PROGRESS_EVERY_S,
            n_done=len(self.reuse),
        )
        for name in self.order:
            if name in self.reuse:
                self.keys[name] = self.reuse[name]
                self._set(name, TaskState.SUCCEEDED, reused=1, result_key=self.reuse[name], attempts=0)
                self._emit("task.reused", name, TaskState.SUCCEEDED)
        for name in self.order:
            if name in self.reuse:
                continue
            w.waiting[name] = sum(1 for up in tasks[name].upstream if up not in self.reuse)
            if w.waiting[name] == 0:
                w.ready.append(name)
        return w

    def _submit_ready(self, w: Walk) -> None:
        while w.ready and len(w.inflight) < self.limit:
            name = w.ready.popleft()
            w.attempts[name] = w.attempts.get(name, 0) + 1
            att = w.inflight[name] = self._submit(self.pipeline.tasks[name], w.attempts[name])
            if att.timeout is not None:
                w.timed[name] = att

    def _collect(self, w: Walk, wait: float) -> list[Finished]:
        """Outcomes the workers handed over, waiting up to ``wait`` for the first one."""
        done_q = self._done
        items: list[Done] = []
        if done_q.empty() and wait > 0:
            if self.sleep is None:
                try:
                    items.append(done_q.get(timeout=wait))
                except queue.Empty:
                    pass
            else:
                self.sleep(wait)  # an injected clock: time moves by the engine's sleep
        while not done_q.empty():  # drain without raising Empty on every pass
            items.append(done_q.get_nowait())
        return w.take(items)

    def _settle(
        self, w: Walk, name: str, att: Attempt, exc: BaseException | None, outcome: TaskOutcome | None
    ) -> None:
        if exc is None and outcome is not None:
            self._succeeded(w, name, att, outcome)
            return
        message = describe_failure(exc)
        spec = self.pipeline.tasks[name]
        retryable = not isinstance(exc, TaskCancelledError) and not self.cancel_event.is_set()
        if retryable and att.number <= spec.retries:
            delay = spec.retry_wait(att.number)
            self._set(name, TaskState.RETRYING, attempts=att.number, error=message)
            self._emit(
                "task.retrying",
                name,
                TaskState.RETRYING,
                {"attempt": att.number, "error": message, "delay_s": delay},
            )
            w.retry_at(self.clock() + delay, name, att.number)
            return
        w.failed_any = True
        took = self.clock() - att.started if att.started is not None else None
        self._set(
            name, TaskState.FAILED, ended_at=time.time(), attempts=att.number, error=message, duration_s=took
        )
        self._emit("task.finished", name, TaskState.FAILED, {"error": message, "attempt": att.number})
        w.n_done += 1
        for skipped in w.queued_below(name, self.status):
            self._set(skipped, TaskState.SKIPPED, error=f"upstream {name!r} failed", ended_at=time.time())
            self._emit("task.finished", skipped, TaskState.SKIPPED, {"upstream": name})
            w.n_done += 1
            if skipped in w.ready:
                w.ready.remove(skipped)

    def _succeeded(self, w: Walk, name: str, att: Attempt, outcome: TaskOutcome) -> None:
        self.values[name] = outcome.value
        if outcome.key:
            self.keys[name] = outcome.key
        self.status[name] = TaskState.SUCCEEDED
        self._change(
            name,
            TaskState.SUCCEEDED,
            "task.finished",
            {"duration_s": round(outcome.duration, 6), "attempt": att.number},
            store_data=False,
            ended_at=time.time(),
            duration_s=outcome.duration,
            attempts=att.number,
            result_key=outcome.key,
            error=None,
        )
        w.n_done += 1
        for child in w.children[name]:
            w.waiting[child] -= 1
            if w.waiting[child] == 0 and self.status[child] == TaskState.QUEUED:
                w.ready.append(child)

    def _housekeep(self, w: Walk, now: float) -> None:
        """Progress for readers in other processes; cancel requests they stored for this run."""
        if now >= w.next_progress:
            w.next_progress = now + PROGRESS_EVERY_S
            self.writer.sql("UPDATE runs SET n_done=? WHERE id=?", (w.n_done, self.run_id))
        if now >= w.next_poll:
            w.next_poll = now + CANCEL_POLL_S
            if self.run_id in cancel_requested(self.store.db, [self.run_id]):
                self.cancel_event.set()

    def _verdict(self, w: Walk) -> tuple[RunState, str | None]:
        if w.cancelled:
            return RunState.CANCELLED, "cancelled by request"
        if w.failed_any:
            failed = [n for n, s in self.status.items() if s == TaskState.FAILED]
            return RunState.FAILED, f"task {failed[0]!r} failed" if failed else "a task failed"
        return RunState.SUCCEEDED, None

    def _submit(self, spec: TaskSpec, number: int) -> Attempt:
        # A task that cannot observe its own cancel shares the run's event (cheaper).
        own = spec.wants_ctx or spec.timeout is not None
        att = Attempt(
            number=number, timeout=spec.timeout, cancel=threading.Event() if own else self.cancel_event
        )
        if own and self.cancel_event.is_set():
            att.cancel.set()
        kwargs = self._kwargs(spec)
        self.status[spec.name] = TaskState.RUNNING
        if self._threaded or spec.in_driver:
            self._lanes.put(spec, kwargs, att)
        else:
            self._submit_remote(spec, kwargs, att)
        return att

    def _submit_remote(self, spec: TaskSpec, kwargs: dict[str, Any], att: Attempt) -> None:
        """Process and Dask executors: the module travels as source; this process writes the outcome."""
        att.started = self.clock()
        self.task_started(spec.name, att.number)
        p = self.pipeline
        source = p.source or Path(p.file).read_text()
        fut = att.future = self.executor.submit(
            run_remote, p.file, source, p.name, spec.name, kwargs, run_id=self.run_id, attempt=att.number,
            params=self.params, home=str(self.store.home), project_root=str(self.engine.project_root),
        )
        fut.add_done_callback(partial(self._hand_over, spec, att.number))

    def _hand_over(self, spec: TaskSpec, number: int, fut: Future[Any]) -> None:
        self._done.put((spec.name, number, remote_outcome(self, spec, fut)))

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

    # -- the host an attempt talks to (attempt.RunHost) ------------------------------------
    @property
    def pipeline_name(self) -> str:
        return self.pipeline.name

    def context(
        self, task: str, log: TaskLog, *, attempt: int = 1, cancel_event: threading.Event | None = None
    ) -> Context:
        """The ``ctx`` of ``task`` in this run."""
        return Context(
            run_id=self.run_id,
            pipeline=self.pipeline.name,
            task=task,
            params=self.params,
            store=self.store,
            log=log,
            attempt=attempt,
            cancel_event=cancel_event,
            project_root=self.engine.project_root,
            engine=self.engine,
            promote_if=self.pipeline.promote_if,
        )

    def task_started(self, task: str, attempt: int) -> None:
        """A worker began an attempt: the row and the event, in one writer operation."""
        self._change(
            task,
            TaskState.RUNNING,
            "task.started",
            {"attempt": attempt} if attempt > 1 else None,
            started_at=time.time(),
            attempts=attempt,
        )

    def task_event(self, task: str, kind: str, data: dict[str, Any]) -> None:
        """An informational event of a task (checks, models): persisted and shown live."""
        self._emit(kind, task, None, data)

    def upstream_value(self, task: str) -> Any:
        """The in-memory result of a task of this run (None when not loaded)."""
        return self.values.get(task)

    def write_rows(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        """Rows for the store's single writer (check results), committed with its next batch."""
        self.writer.many(sql, rows)

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

    # -- state helpers ------------------------------------------------------------------
    def _change(
        self,
        name: str,
        status: TaskState,
        kind: str,
        data: dict[str, Any] | None = None,
        *,
        store_data: bool = True,
        **fields: Any,
    ) -> None:
        """One state change of a task: its row and its event in one writer operation."""
        self.bus.publish_change(kind, self.run_id, name, status, data, self.pipeline.name, fields, store_data=store_data)

    def _set(self, name: str, status: TaskState, **fields: Any) -> None:
        self.status[name] = status
        self.writer.task(self.run_id, name, status=status, **fields)

    def _emit(
        self, kind: str, task: str | None, status: str | None, data: dict[str, Any] | None = None
    ) -> None:
        self.bus.publish(Event(kind, self.run_id, task, status, data, self.pipeline.name))

    def _cancel_rest(self, w: Walk) -> None:
        now = time.time()
        for att in w.inflight.values():
            att.cancel.set()
        self.cancel_event.set()
        for name, st in self.status.items():
            if st in (TaskState.QUEUED, TaskState.RUNNING, TaskState.RETRYING):
                self._set(name, TaskState.CANCELLED, ended_at=now, error="run cancelled")
                self._emit("task.finished", name, TaskState.CANCELLED)
        w.inflight.clear()
        w.ready.clear()
        w.delayed.clear()
