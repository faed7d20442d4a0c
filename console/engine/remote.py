"""Running one task attempt in another process (``executor = "process"``).

Functions defined in pipeline modules cannot be pickled by reference (their modules are
imported under private names), so the child re-imports the pipeline file and looks the
task up by name. The child writes the task's log file itself and stores the result in
the shared content-addressed store; the parent records every state change.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from console.engine.context import Context
from console.engine.discovery import load_module
from console.engine.logs import TaskLog, bind, install
from console.errors import NotFoundError
from console.store import results
from console.store.state import Store

_modules: dict[str, Any] = {}
_stores: dict[str, Store] = {}


def _task(file: str, pipeline: str, task: str) -> Any:
    loaded = _modules.get(file)
    if loaded is None:
        loaded = _modules[file] = load_module(Path(file))
    for p in loaded.pipelines:
        if p.name == pipeline and task in p.tasks:
            return p, p.tasks[task]
    raise NotFoundError(f"{file}: no task {task!r} in pipeline {pipeline!r} (was the file edited?)")


def run_remote(
    file: str,
    pipeline_name: str,
    task: str,
    kwargs: dict[str, Any],
    *,
    run_id: int,
    attempt: int,
    params: dict[str, Any],
    home: str,
    project_root: str,
) -> tuple[Any, str, float, int]:
    """Entry point in the child: returns (value, result key, duration, log lines)."""
    install()
    pipeline, spec = _task(file, pipeline_name, task)
    store = _stores.get(home)
    if store is None:
        store = _stores[home] = Store(Path(home), recover=False)
    log = TaskLog(store.logs_dir / str(run_id), task)
    bind(log)
    t0 = time.perf_counter()
    try:
        if spec.wants_ctx:
            kwargs["ctx"] = Context(
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
        value = spec.fn(**kwargs)
        duration = time.perf_counter() - t0
        key = results.save(store, value)
        store.writer.flush()
        return value, key, duration, log.lines
    except BaseException as exc:
        import traceback

        log.line("".join(traceback.format_exception(exc)).rstrip())
        raise
    finally:
        bind(None)
        log.close()
