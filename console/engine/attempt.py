"""One attempt of a task: run it on a worker thread, or take in what a remote worker sent.

The driver in ``runner.py`` decides what to run and what an outcome means; this module
runs the task's function with its log bound (threads), or, for process and Dask executors,
writes what the remote attempt sent back (log lines, metrics, events, models, result) as
the run's single writer. An attempt sees its run only through :class:`RunHost`, the few
things the runner offers it; it never touches the runner's state or its writer.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from console.engine import forks
from console.engine.context import Context
from console.engine.logs import TaskLog, bind
from console.engine.remote import RemoteFailure, RemoteOutcome
from console.errors import TaskCancelledError, TaskError
from console.store import results

if TYPE_CHECKING:
    from console.engine.pipeline import TaskSpec
    from console.store.state import Store


class RunHost(Protocol):
    """What an attempt may ask of its run (``Runner`` implements it)."""

    @property
    def run_id(self) -> int: ...
    @property
    def pipeline_name(self) -> str: ...
    @property
    def store(self) -> Store: ...
    @property
    def log_dir(self) -> Path: ...
    @property
    def clock(self) -> Callable[[], float]: ...

    def context(
        self, task: str, log: TaskLog, *, attempt: int = 1, cancel_event: threading.Event | None = None
    ) -> Context:
        """The ``ctx`` of ``task`` in this run."""

    def task_started(self, task: str, attempt: int) -> None:
        """Record that an attempt began (row and event)."""

    def task_event(self, task: str, kind: str, data: dict[str, Any]) -> None:
        """Publish an informational event of ``task``."""

    def upstream_value(self, task: str) -> Any:
        """The in-memory result of another task of this run, or None."""

    def write_rows(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        """Hand rows to the store's single writer."""

    def append_log(self, name: str, lines: list[str]) -> None:
        """Append lines a remote worker sent back to the task's log."""

    def count_log_lines(self, name: str, added: int) -> None:
        """Keep the task row's line count in step with its log file."""


@dataclass(slots=True)
class Attempt:
    number: int
    timeout: float | None
    cancel: threading.Event
    started: float | None = None  # set by the worker when the attempt really begins
    future: Future[Any] | None = None

    @property
    def deadline(self) -> float | None:
        if self.timeout is None or self.started is None:
            return None
        return self.started + self.timeout


@dataclass(slots=True)
class TaskOutcome:
    """What a worker hands back to the driver for one attempt."""

    value: Any = None
    key: str | None = None
    duration: float = 0.0
    checks_failed: list[str] = field(default_factory=list)


def execute(host: RunHost, spec: TaskSpec, kwargs: dict[str, Any], att: Attempt) -> TaskOutcome:
    """Runs on a worker: call the task with its log bound, check and store the result."""
    att.started = host.clock()
    number, cancel = att.number, att.cancel
    if cancel.is_set():
        raise TaskCancelledError(f"task {spec.name!r} was cancelled before it started")
    host.task_started(spec.name, number)
    log = TaskLog(host.log_dir, spec.name)
    bind(log)
    t0 = time.perf_counter()
    try:
        if spec.wants_ctx:
            kwargs["ctx"] = host.context(spec.name, log, attempt=number, cancel_event=cancel)
        if number > 1:
            log.line(f"attempt {number}")
        try:
            value = spec.fn(**kwargs)
        finally:
            forks.leave_if_forked_child(log)  # a fork of the task that did not exit: never past here
        orphans = forks.end_orphans(log)
        if orphans:
            pids = ", ".join(map(str, orphans))
            raise TaskError(
                f"task {spec.name!r} left forked process(es) {pids} running (they held the store's files); "
                "killed them: wait for the processes a task starts"
            )
        if spec.checks:
            from console.engine.checks_step import run_checks

            value = run_checks(host, spec, value, log)
        duration = time.perf_counter() - t0
        ctx = kwargs.get("ctx") if spec.wants_ctx else None
        key = ctx.early_key(value) if ctx is not None else None  # saved by the task itself (Kafka)
        if key is None:
            key = results.save(host.store, value)
        return TaskOutcome(value=value, key=key, duration=duration)
    except BaseException as exc:
        if not isinstance(exc, (TaskError,)):
            tb = exc.__traceback__.tb_next if exc.__traceback__ else None  # drop the engine frame
            log.line("".join(traceback.format_exception(type(exc), exc, tb)).rstrip())
        else:
            log.line(f"ERROR {exc}")
        raise
    finally:
        if spec.wants_ctx and kwargs.get("ctx") is not None:
            kwargs["ctx"].settle_early()  # a failed attempt's early save too: no thread outlives it
        left = forks.end_orphans(log)  # a failed attempt's forks too
        if left:
            log.line(f"WARNING killed forked process(es) {', '.join(map(str, left))} the task left running")
        bind(None)
        log.close()
        host.count_log_lines(spec.name, log.lines)


def remote_outcome(host: RunHost, spec: TaskSpec, fut: Future[Any]) -> TaskOutcome | BaseException:
    """Write what a remote attempt sent back (log, metrics, models, result) as the single writer."""
    try:
        exc = fut.exception()
    except BaseException as cancelled:  # noqa: BLE001 - a cancelled future
        return cancelled
    if exc is not None:
        if isinstance(exc, RemoteFailure):
            host.append_log(spec.name, exc.log)
        return exc
    outcome: RemoteOutcome = fut.result()
    ctx = host.context(spec.name, TaskLog(host.log_dir, spec.name))
    try:
        host.append_log(spec.name, outcome.log)
        for name, value, step in outcome.metrics:
            ctx.log_metric(name, value, step)
        for kind, data in outcome.events:
            if kind == "artifact.bytes":
                host.store.artifacts.put_bytes(data.pop("data"))
                kind = "artifact.saved"
            ctx.event(kind, data)
        for name, model, kwargs in outcome.models:
            ctx.register_model(name, model, **kwargs)
        key = results.save(host.store, outcome.value)
    except BaseException as err:  # noqa: BLE001 - reported as the attempt's failure
        return err
    finally:
        # lines the registry wrote (gate decisions) went to this log: close and count them
        log = ctx._log
        log.close()
        host.count_log_lines(spec.name, log.lines)
    return TaskOutcome(value=outcome.value, key=key, duration=outcome.duration)


def describe_failure(exc: BaseException | None) -> str:
    """One line for a failed attempt: the message of our errors, type and message of others."""
    if exc is None:
        return "unknown error"
    if isinstance(exc, TaskError):
        return str(exc)
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
