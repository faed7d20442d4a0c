"""The engine: starts, reruns and cancels runs of a project's pipelines."""

from __future__ import annotations

import gc
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.engine import logs
from console.engine.bus import EventBus, Listener
from console.engine.checks_step import copy_reused_checks
from console.engine.dag import resolve
from console.engine.discovery import Catalog
from console.engine.params import resolve_params
from console.engine.pipeline import Pipeline
from console.engine.runner import Runner
from console.errors import NotFoundError, ReadOnlyError, StoreError, StoreVanishedError, UsageError
from console.project import Project
from console.store import results
from console.store.runs import create_run, get_run_row, get_tasks, record_failure, request_cancel
from console.store.sla import check_deadlines
from console.store.sources import record_start
from console.store.state import Store
from console.store.vocabulary import ACTIVE_RUN_STATES, Event, RunState

if TYPE_CHECKING:
    from console.engine.openlineage import LineageEmitter

__all__ = ["Engine", "Listener"]


def _relax_gc() -> None:
    """Collect young objects every 20,000 allocations instead of 700.

    A run allocates a few small containers per state change; at the default threshold the
    collector's passes cost the engine a third of its throughput on 2,000-task fan-outs.
    Cycles are still collected, only less often (CPython 3.12+ does similar by default).
    """
    threshold = gc.get_threshold()
    if threshold[0] < 20_000:
        gc.set_threshold(20_000, threshold[1], threshold[2])


def sql_project_dirs(project: Project) -> list[Path]:
    """``[tool.opsconsole] sql_projects = [...]``, relative to the project root."""
    value = project.extra.get("sql_projects") or []
    return [project.root / str(p) for p in (value if isinstance(value, list) else [value])]


class Engine:
    """Runs pipelines of one project on an executor and records everything in its store.

    ``clock`` (monotonic seconds) times retries, backoff and timeouts; with ``sleep`` given,
    the driver waits through it instead of on the results queue, so a test's fake clock
    decides when a retry is due or an attempt has timed out.
    """

    def __init__(
        self,
        project: Project,
        store: Store | None = None,
        *,
        catalog: Catalog | None = None,
        max_workers: int | None = None,
        read_only: bool = False,
        executor: str | None = None,
        scheduler: str | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.project = project
        self.project_root: Path = project.root
        self.read_only = read_only or project.read_only
        self.store = store or Store.for_project(project.root, readonly=False)
        self.catalog = catalog or Catalog(
            project.pipelines_dir,
            sql_project_dirs(project),
            project.extra.get("sql_pipelines") or {},
            import_timeout=project.import_timeout,
        )
        self.max_workers = max_workers or project.max_workers
        self.bus = EventBus(self.store)
        self.clock: Callable[[], float] = clock or time.monotonic
        self.sleep = sleep
        self.active: dict[int, Runner] = {}
        self._executor: Executor | None = None
        self._process_pool: Executor | None = None
        self._dask: Executor | None = None
        self.executor_kind = executor or project.executor
        self.scheduler = scheduler or project.scheduler
        self._lock = threading.Lock()
        self._git_commit: str | bool | None = False
        self.lineage: LineageEmitter | None = None
        if project.extra.get("lineage") is not None and not self.read_only:
            from console.engine.openlineage import LineageEmitter, check_config

            config = check_config(project.extra["lineage"], project.root)
            self.lineage = LineageEmitter(project.name, config, self.store.db_path, project.root)
            self.subscribe(self.lineage)
        logs.install()

    # -- events (all published through self.bus) ------------------------------------------
    @property
    def listeners(self) -> list[Listener]:
        return self.bus.listeners

    def subscribe(self, listener: Listener) -> None:
        """``listener(event_dict)`` hears every event of this process as it is published."""
        self.bus.subscribe(listener)

    # -- executors ------------------------------------------------------------------------
    @property
    def executor(self) -> Executor:
        if self._executor is None:
            with self._lock:
                if self._executor is None:
                    self._executor = ThreadPoolExecutor(
                        self.max_workers, thread_name_prefix="opsconsole-task"
                    )
        return self._executor

    def executor_for(self, pipeline: Pipeline) -> Executor:
        """Threads by default; a process pool for ``executor="process"`` (pipeline or project)."""
        kind = pipeline.executor or self.executor_kind
        if kind == "thread":
            return self.executor
        if kind == "process":
            with self._lock:
                if self._process_pool is None:
                    import multiprocessing
                    from concurrent.futures import ProcessPoolExecutor

                    # spawn: forking a process that has threads (writer, workers) is unsafe
                    ctx = multiprocessing.get_context("spawn")
                    workers = min(self.max_workers, os.cpu_count() or 1)
                    self._process_pool = ProcessPoolExecutor(workers, mp_context=ctx)
                return self._process_pool
        if kind == "dask":
            from console.engine.dask_executor import dask_executor

            with self._lock:
                if self._dask is None:
                    self._dask = dask_executor(self.scheduler)
                return self._dask
        raise UsageError(f"pipeline {pipeline.name!r}: unknown executor {kind!r} (thread, process or dask)")

    # -- runs ---------------------------------------------------------------------------
    def git_commit(self) -> str | None:
        if self._git_commit is False:
            self._git_commit = self.project.git_commit()
        return self._git_commit  # type: ignore[return-value]

    def pipeline(self, name: str) -> Pipeline:
        if name in self.catalog.pipelines:
            return self.catalog.pipelines[name]
        return self.catalog.load_one(name)

    def prepare(
        self,
        name: str,
        params: dict[str, Any] | None = None,
        *,
        trigger: str = "manual",
        parent_run_id: int | None = None,
        reuse: dict[str, str] | None = None,
        group_key: str | None = None,
    ) -> Runner:
        """Create the run row (queued) and a Runner ready to walk it."""
        self._writable()
        pipeline = self.pipeline(name)
        order = resolve(pipeline)
        resolved = resolve_params(pipeline, params)
        run_id = create_run(
            self.store.db,
            pipeline.name,
            trigger=trigger,
            params=resolved,
            tasks=[(n, list(pipeline.tasks[n].upstream)) for n in order],
            source_sha256=self.catalog.source_sha256(pipeline),
            git_commit=self.git_commit(),
            parent_run_id=parent_run_id,
            group_key=group_key,
        )
        record_start(
            self.store.db,
            run_id,
            source=pipeline.source,
            sha256=self.catalog.source_sha256(pipeline),
            sla_s=pipeline.sla_s,
            task_slas={n: t.sla_s for n, t in pipeline.tasks.items() if t.sla_s is not None},
        )
        # create_run inserted the event with the run: only the listeners still need it
        event = Event("run.created", run_id, None, RunState.QUEUED, {"trigger": trigger}, pipeline.name)
        self.bus.publish(event, stored=True)
        return Runner(
            self, pipeline, run_id, resolved, order, reuse=reuse, executor=self.executor_for(pipeline)
        )

    def execute(self, runner: Runner) -> str:
        _relax_gc()
        with self._lock:
            self.active[runner.run_id] = runner
        try:
            status = runner.run()
            self.store.writer.flush()
        except StoreError as exc:
            self._record_lost_run(runner, exc)
            raise
        finally:
            with self._lock:
                self.active.pop(runner.run_id, None)
            if runner.pipeline.uses_warehouse:
                from console.engine.sql_pipelines import release_warehouse

                release_warehouse(self, runner.run_id)
        if self.store.vanished():
            runner.final_status = "failed"
            raise StoreVanishedError(
                f"{self.store.home}: the state directory was deleted during run {runner.run_id}; "
                "the run failed and its record went with the directory"
            )
        check_deadlines(self.store.db, run_ids=[runner.run_id])
        return status

    def _record_lost_run(self, runner: Runner, exc: StoreError) -> None:
        """The writer died (a full disk) and its last batch is gone: record the run failed
        directly, freeing the store's disk reserve if need be, so it does not read
        "interrupted" later when it in fact failed."""
        error = f"the store stopped accepting writes: {exc}"
        recorded = record_failure(self.store.db, runner.run_id, error)
        if not recorded and self.store.release_reserve():
            recorded = record_failure(self.store.db, runner.run_id, error)
        if recorded:
            runner.final_status = "failed"

    def run(self, name: str, params: dict[str, Any] | None = None, *, trigger: str = "manual") -> Runner:
        """Run a pipeline to the end on this thread; returns the finished Runner."""
        runner = self.prepare(name, params, trigger=trigger)
        self.execute(runner)
        return runner

    def start(
        self, name: str, params: dict[str, Any] | None = None, *, trigger: str = "manual", **kwargs: Any
    ) -> Runner:
        """Start a run on a background driver thread and return at once."""
        runner = self.prepare(name, params, trigger=trigger, **kwargs)
        threading.Thread(
            target=self.execute, args=(runner,), name=f"opsconsole-run-{runner.run_id}", daemon=True
        ).start()
        return runner

    def prepare_rerun(self, run_id: int, *, from_failed: bool = False) -> Runner:
        run = get_run_row(self.store.db, run_id)
        old_params = json.loads(run["params"] or "{}")
        pipeline = self.pipeline(run["pipeline"])
        if pipeline.promote_if is not None and run["status"] not in ("queued", "running"):
            self._decide_pending_gates(run_id, pipeline)
        params = {k: v for k, v in old_params.items() if k in pipeline.params}
        reuse: dict[str, str] = {}
        if from_failed:
            if run["status"] == "succeeded":
                raise UsageError(
                    f"run {run_id} succeeded: nothing to rerun from failed (use rerun without --from-failed)"
                )
            if run["status"] in ACTIVE_RUN_STATES:
                raise UsageError(f"run {run_id} is still {run['status']}")
            for task in get_tasks(self.store.db, run_id):
                key = task["result_key"]
                if (
                    task["status"] == "succeeded"
                    and key
                    and task["name"] in pipeline.tasks
                    and results.exists(self.store, key)
                ):
                    reuse[task["name"]] = key
        trigger = "rerun-failed" if from_failed else "rerun"
        runner = self.prepare(pipeline.name, params, trigger=trigger, parent_run_id=run_id, reuse=reuse)
        if reuse:
            # a reused task's checks still describe the data the new run carries on with
            copy_reused_checks(self.store.writer, runner.run_id, run_id, sorted(reuse))
        return runner

    def _decide_pending_gates(self, run_id: int, pipeline: Pipeline) -> None:
        """A gate the old run never decided (it was killed in between) is decided now."""
        from console.registry.api import decide_pending

        self._writable()
        say = logging.getLogger("opsconsole.engine").info
        for decision in decide_pending(self.store, run_id, pipeline.promote_if, log=say):
            # the registry stored the event with its decision: only this process's listeners need it
            data = {**decision.to_dict(), "summary": decision.describe()}
            self.bus.publish(Event("gate.decided", run_id, None, None, data, pipeline.name), stored=True)

    def rerun(self, run_id: int, *, from_failed: bool = False, wait: bool = True) -> Runner:
        runner = self.prepare_rerun(run_id, from_failed=from_failed)
        if wait:
            self.execute(runner)
        else:
            threading.Thread(target=self.execute, args=(runner,), daemon=True).start()
        return runner

    def cancel(self, run_id: int) -> str:
        """Cancel a run of this process directly, or ask its owning process through the store."""
        self._writable()
        runner = self.active.get(run_id)
        if runner is not None:
            runner.cancel()
            return "cancelling"
        try:
            return request_cancel(self.store.db, run_id)
        except NotFoundError:
            raise

    def running(self) -> list[int]:
        return list(self.active)

    def _writable(self) -> None:
        if self.read_only:
            raise ReadOnlyError("read-only mode: actions are disabled")

    def close(self, *, cancel: bool = True, timeout: float = 10.0) -> None:
        """Cancel this process's runs (marked cancelled), wait for them, flush and stop."""
        # tasks that outlive their cancel keep printing: make sure that still reaches their
        # logs (a front end, Textual's, may have put its own stdout back in the meantime)
        logs.install()
        if cancel:
            for runner in list(self.active.values()):
                runner.cancel()
        deadline = timeout
        while self.active and deadline > 0:
            threading.Event().wait(0.05)
            deadline -= 0.05
        # shutdown forgets the pool's processes: take them first
        workers = list((getattr(self._process_pool, "_processes", None) or {}).values())
        for pool in (self._executor, self._process_pool, self._dask):
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
        if self.lineage is not None:
            self.lineage.close()
        _end_workers(workers)
        logs.flush_open_logs()
        self.store.close()


def _end_workers(processes: list[Any], grace_s: float = 1.0) -> None:
    """Terminate process-pool workers still busy after shutdown (a task that ignores cancel).

    Their runs are already recorded; left alone they would outlive the command as orphans.
    """
    deadline = time.monotonic() + grace_s
    for proc in processes:
        proc.join(max(deadline - time.monotonic(), 0))
    for proc in processes:
        if proc.is_alive():
            proc.terminate()
            proc.join(1.0)
