"""Running one task attempt in another process or on a Dask worker.

The runner stays the single writer: the remote side never opens the store for writing.
It re-creates the pipeline module from its source text (workers need no copy of the
project), runs the task with a context that buffers log lines, metrics, events and model
registrations, and sends everything back with the result; the runner then writes the log
file, the metrics and the registrations exactly as for a local task.
"""

from __future__ import annotations

import hashlib
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

from console.engine.context import Context
from console.engine.logs import TaskLog, bind, install
from console.engine.pipeline import Pipeline
from console.errors import NotFoundError, TaskError
from console.store import log_stamps

if TYPE_CHECKING:
    from console.store.state import Store

_modules: dict[str, ModuleType] = {}


class MemoryLog(TaskLog):
    """A task log kept in memory, shipped back to the runner with the outcome."""

    def __init__(self, name: str) -> None:
        super().__init__(Path("."), name)
        self.buffer: list[str] = []

    def _emit(self, lines: list[str]) -> None:
        stamp = log_stamps.stamp()  # ISO 8601 with the offset: unambiguous anywhere it is read
        self.buffer.extend(f"{stamp} {ln}" for ln in lines)
        self.lines += len(lines)


@dataclass
class RemoteOutcome:
    value: Any
    duration: float
    log: list[str] = field(default_factory=list)
    metrics: list[tuple[str, float, int | None]] = field(default_factory=list)
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    models: list[tuple[str, Any, dict[str, Any]]] = field(default_factory=list)


class RemoteFailure(TaskError):
    """A remote attempt failed; carries the log lines written before the failure."""

    def __init__(self, message: str, log: list[str]) -> None:
        super().__init__(message)
        self.log = log

    def __reduce__(self) -> Any:
        return (RemoteFailure, (self.message, self.log))


class RemoteContext(Context):
    """``ctx`` on a remote worker: everything that would write to the store is buffered."""

    def __init__(
        self,
        outcome: RemoteOutcome,
        *,
        run_id: int,
        pipeline: str,
        task: str,
        params: dict[str, Any],
        store: Store | None,
        log: TaskLog,
        attempt: int = 1,
        cancel_event: threading.Event | None = None,
        project_root: Path | None = None,
        promote_if: Any = None,
    ) -> None:
        # no store when the worker cannot see the state directory: the task may then only
        # compute, log and buffer (loading a model or naming an artifact path needs one)
        super().__init__(
            run_id=run_id,
            pipeline=pipeline,
            task=task,
            params=params,
            store=cast("Store", store),
            log=log,
            attempt=attempt,
            cancel_event=cancel_event,
            project_root=project_root,
            promote_if=promote_if,
        )
        self._outcome = outcome

    def log_metric(
        self,
        name: str,
        value: float,
        step: int | None = None,
        *,
        model: str | None = None,
        version: int | None = None,
    ) -> None:
        self._outcome.metrics.append((name, float(value), step))

    def event(self, kind: str, data: dict[str, Any]) -> None:
        self._outcome.events.append((kind, data))

    def register_model(self, name: str, model: Any, **kwargs: Any) -> Any:
        """Registered by the runner after the task returns (lineage to this run and task)."""
        self._outcome.models.append((name, model, kwargs))
        self._log.line(f"model {name} will be registered by the runner")
        return None

    def save_artifact(self, path: str | Path) -> str:
        data = Path(path).read_bytes()
        key = hashlib.sha256(data).hexdigest()
        self._outcome.events.append(("artifact.bytes", {"path": str(path), "sha256": key, "data": data}))
        return key


def _pipeline(file: str, source: str, name: str) -> Pipeline:
    digest = hashlib.sha256(source.encode()).hexdigest()
    module = _modules.get(digest)
    if module is None:
        module = ModuleType(f"opsconsole_remote_{digest[:12]}")
        module.__file__ = file
        sys.modules[module.__name__] = module
        exec(compile(source, file, "exec"), module.__dict__)  # noqa: S102 - the user's pipeline
        _modules[digest] = module
    for value in vars(module).values():
        if isinstance(value, Pipeline) and value.name == name:
            from console.engine.dag import resolve

            resolve(value)
            return value
    raise NotFoundError(f"{file}: no pipeline {name!r} in the shipped source")


def run_remote(
    file: str,
    source: str,
    pipeline_name: str,
    task: str,
    kwargs: dict[str, Any],
    *,
    run_id: int,
    attempt: int,
    params: dict[str, Any],
    home: str,
    project_root: str,
) -> RemoteOutcome:
    """Entry point on the worker."""
    install()
    pipeline = _pipeline(file, source, pipeline_name)
    spec = pipeline.tasks[task]
    outcome = RemoteOutcome(value=None, duration=0.0)
    log = MemoryLog(task)
    bind(log)
    t0 = time.perf_counter()
    try:
        if spec.wants_ctx:
            from console.store.state import Store

            store = Store(Path(home), recover=False) if Path(home, "state.db").exists() else None
            kwargs["ctx"] = RemoteContext(
                outcome,
                run_id=run_id,
                pipeline=pipeline_name,
                task=task,
                params=params,
                store=store,
                log=log,
                attempt=attempt,
                cancel_event=threading.Event(),
                project_root=Path(project_root),
                promote_if=pipeline.promote_if,
            )
        outcome.value = spec.fn(**kwargs)
        outcome.duration = time.perf_counter() - t0
        log.close()
        outcome.log = log.buffer
        return outcome
    except BaseException as exc:
        log.line("".join(traceback.format_exception(exc)).rstrip())
        log.close()
        text = str(exc)
        raise RemoteFailure(
            f"{type(exc).__name__}: {text}" if text else type(exc).__name__, log.buffer
        ) from None
    finally:
        bind(None)
