"""``ctx``: what a task sees of its run (ids, params, logger, metrics, models, artifacts)."""

from __future__ import annotations

import math
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.engine.bus import EventBus
from console.engine.logs import TaskLog, TaskLogger
from console.errors import BadParamError, TaskCancelledError
from console.store.vocabulary import Event

if TYPE_CHECKING:
    from console.engine.engine import Engine
    from console.store.state import Store

METRIC_SQL = (
    "INSERT INTO metrics (name, value, step, at, run_id, pipeline, task, model, version, source)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


class Context:
    """Passed to a task that declares a ``ctx`` parameter."""

    def __init__(
        self,
        *,
        run_id: int,
        pipeline: str,
        task: str,
        params: dict[str, Any],
        store: Store,
        log: TaskLog,
        attempt: int = 1,
        cancel_event: threading.Event | None = None,
        project_root: Path | None = None,
        engine: Engine | None = None,
        promote_if: Any = None,
    ) -> None:
        self.run_id = run_id
        self.pipeline = pipeline
        self.task = task
        self.params = dict(params)
        self.attempt = attempt
        self.store = store
        self._bus = engine.bus if engine is not None else EventBus(store)
        self.project_root = project_root or Path.cwd()
        self.engine = engine
        self.promote_if = promote_if
        self._log = log
        self.logger = TaskLogger(log)
        self._cancel = cancel_event or threading.Event()
        self.registered: list[tuple[str, int]] = []
        self._early: tuple[Any, threading.Thread, list[Any]] | None = None  # see save_result_early

    # -- cancel ---------------------------------------------------------------------
    @property
    def cancelled(self) -> bool:
        """True once the run was cancelled or this attempt timed out: stop soon."""
        return self._cancel.is_set()

    def check_cancelled(self) -> None:
        """Raise ``TaskCancelledError`` when the run was cancelled (call it in long loops)."""
        if self._cancel.is_set():
            raise TaskCancelledError(f"task {self.task!r} of run {self.run_id} was cancelled")

    def sleep(self, seconds: float) -> None:
        """Sleep, waking early (and raising) when the run is cancelled."""
        if self._cancel.wait(seconds):
            self.check_cancelled()

    # -- logging and metrics ----------------------------------------------------------
    def log(self, message: str) -> None:
        self._log.line(message)

    def log_metric(
        self,
        name: str,
        value: float,
        step: int | None = None,
        *,
        model: str | None = None,
        version: int | None = None,
    ) -> None:
        """Append a point to the metric series ``name`` (kept across runs)."""
        try:
            number = float(value)
        except (TypeError, ValueError) as exc:
            raise BadParamError(f"metric {name!r}: {value!r} is not a number") from exc
        if math.isnan(number):
            self._log.line(f"WARNING metric {name} is NaN; not recorded")
            return
        self.store.writer.many(
            METRIC_SQL,
            [
                (
                    name,
                    number,
                    step,
                    time.time(),
                    self.run_id,
                    self.pipeline,
                    self.task,
                    model,
                    version,
                    "task",
                )
            ],
        )
        self.event("metric.logged", {"name": name, "value": number, "step": step})

    def event(self, kind: str, data: dict[str, Any]) -> None:
        """Record an event of this task (persisted, and shown live by every front end)."""
        self._bus.publish(Event(kind, self.run_id, self.task, None, data, self.pipeline))

    # -- artifacts ----------------------------------------------------------------------
    def save_result_early(self, value: Any) -> None:
        """Start storing ``value``, the very object this task will return, while the task goes
        on: a large result takes tens of milliseconds to pickle, hash and write (the Kafka source
        overlaps that with its warehouse write). The engine then takes its key instead of storing
        it again; a task that returns another object (or checks that replace it) has that stored
        as usual. One value per attempt (a second call waits for the first)."""
        from console.store import results

        self.settle_early()
        outcome: list[Any] = []  # the key, or the error

        def save() -> None:
            try:
                outcome.append(results.save(self.store, value))
            except BaseException as exc:  # noqa: BLE001 - raised where the result is taken
                outcome.append(exc)

        thread = threading.Thread(target=save, name=f"opsconsole-result-{self.task}", daemon=True)
        thread.start()
        self._early = (value, thread, outcome)

    def early_key(self, value: Any) -> str | None:
        """The key :meth:`save_result_early` stored ``value`` under (its error raised), once
        written; None when it stored nothing, or another object."""
        early = self._early
        self.settle_early()
        if early is None or early[0] is not value:
            return None
        found = early[2][0] if early[2] else None
        if isinstance(found, BaseException):
            raise found
        return found if isinstance(found, str) else None

    def settle_early(self) -> None:
        """Wait for an early save (the attempt ends, whatever its end: no thread outlives it)."""
        if self._early is not None:
            self._early[1].join()
            self._early = None

    def artifact_path(self, name: str) -> Path:
        """A path under this run's output folder (``.opsconsole/runs/<id>/``) to write a file."""
        if "/" in name or "\\" in name or name in ("", ".", ".."):
            raise BadParamError(f"artifact name {name!r} must be a plain file name")
        folder = self.store.runs_dir / str(self.run_id)
        folder.mkdir(parents=True, exist_ok=True)
        return folder / name

    def save_artifact(self, path: str | Path) -> str:
        """Copy a file into the content-addressed store; returns its sha256."""
        key, _ = self.store.artifacts.put_file(Path(path))
        self.event("artifact.saved", {"path": str(path), "sha256": key})
        return key

    # -- models (the registry is imported only when a task uses it) ----------------------
    def register_model(self, name: str, model: Any, **kwargs: Any) -> Any:
        """Register ``model`` as a new version of ``name`` with lineage to this run and task."""
        from console.registry import api

        kwargs.setdefault("promote_if", self.promote_if)
        version = api.register(
            self.store,
            name,
            model,
            run_id=self.run_id,
            task=self.task,
            pipeline=self.pipeline,
            log=self._log.line,
            **kwargs,
        )
        self.registered.append((name, version.version))
        self._log.line(f"registered model {name} v{version.version}")
        gate = getattr(version, "gate", None)
        if gate is not None and self._bus.listeners:
            # the registry stored its events in its own transaction; live views hear the verdict now
            data = {**gate.to_dict(), "summary": gate.describe()}
            self._bus.publish(Event("gate.decided", self.run_id, self.task, None, data, self.pipeline), stored=True)
        return version

    def load_model(self, name: str, alias: str | None = "production", version: int | None = None) -> Any:
        """Load a registered model (hash verified) by alias or version."""
        from console.registry import api

        return api.load(self.store, name, alias=None if version is not None else alias, version=version)
