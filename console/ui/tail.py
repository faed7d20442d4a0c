"""The tail worker: one thread follows the store and posts ONE batched message per tick.

Every ``interval`` seconds it reads the events after the last sequence it saw (runs
started here, by cron or by another shell alike), re-reads the rows of the runs those
events touched, the tasks of the run on screen and the new lines of the task log on
screen, and every second re-imports pipeline files that changed. A tick that found
nothing posts nothing, so an idle console costs one indexed query per tick.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual.message import Message

from console.engine.discovery import Broken, Catalog
from console.errors import NotFoundError
from console.store.log_stamps import local_lines
from console.store.runs import (
    active_counts,
    count_finished_tasks,
    events_after,
    get_run_row,
    get_tasks,
    last_seq,
)
from console.store.state import Store
from console.store.vocabulary import RunRow, TaskRow
from console.triggers.reload import Reloader

MAX_RUNS_PER_TICK = 500  # a burst touching more runs is caught up over the next ticks
MAX_PROGRESS_PER_TICK = 50  # running runs whose finished tasks are counted per tick
MAX_LOG_BYTES = 256 * 1024  # per tick; the Log widget keeps only its last max_lines anyway


@dataclass
class PipelineInfo:
    """A pipeline as the side list shows it."""

    name: str
    status: str  # ok | broken
    error: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    tasks: list[str] = field(default_factory=list)
    brief: str | None = None  # the error without the file: "l.3 SyntaxError: ..."


class StoreBatch(Message):
    """What changed in the store during one tick."""

    def __init__(
        self,
        *,
        n_events: int,
        runs: dict[int, RunRow],
        tasks: dict[int, list[TaskRow]],
        log: tuple[int, str, list[str]] | None,
        active: dict[str, int] | None,
        pipelines: list[PipelineInfo] | None,
        checks_changed: bool,
    ) -> None:
        super().__init__()
        self.n_events = n_events
        self.runs = runs
        self.tasks = tasks
        self.log = log
        self.active = active
        self.pipelines = pipelines
        self.checks_changed = checks_changed


def read_log_tail(path: Path, max_lines: int) -> tuple[list[str], int]:
    """The last ``max_lines`` whole lines of a log file and the byte offset after them."""
    lines, offset, _cut = read_log_window(path, max_lines)
    return lines, offset


def read_log_window(path: Path, max_lines: int) -> tuple[list[str], int, bool]:
    """Like ``read_log_tail``, plus whether earlier lines were left out."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            start = max(0, size - MAX_LOG_BYTES)
            fh.seek(start)
            data = fh.read(size - start)
    except OSError:
        return [], 0, False
    cut = data.rfind(b"\n")
    if cut < 0:
        return [], start, start > 0
    lines = data[:cut].decode("utf-8", errors="replace").split("\n")  # at \n only, as counted
    if start > 0:
        lines = lines[1:]  # the first one is probably cut
    # stamps in local time (the log's title names the zone), converted here, off the UI thread
    return local_lines(lines[-max_lines:]), start + cut + 1, start > 0 or len(lines) > max_lines


def newest_mtime(folder: Path) -> float:
    """The latest modification time of the files under ``folder`` (0.0 when unreadable)."""
    newest = 0.0
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and d not in ("target", "logs")]
        for name in filenames:
            try:
                newest = max(newest, os.stat(os.path.join(dirpath, name)).st_mtime)
            except OSError:
                pass
    return newest


def pipeline_file_mtimes(folder: Path) -> dict[Path, float]:
    """The mtime of each pipeline module (``*.py``) directly in ``folder``."""
    seen: dict[Path, float] = {}
    try:
        with os.scandir(folder) as it:
            for entry in it:
                if entry.name.endswith(".py"):
                    seen[Path(entry.path).resolve()] = entry.stat().st_mtime
    except OSError:
        pass
    return seen


def pipeline_infos(catalog: Catalog) -> list[PipelineInfo]:
    out = [
        PipelineInfo(p.name, "ok", None, dict(p.params), list(p.tasks)) for p in catalog.pipelines.values()
    ]
    out += [
        PipelineInfo(b.name, "broken", _where(b), brief=(f"l.{b.line} " if b.line else "") + b.error)
        for b in catalog.broken
    ]
    return sorted(out, key=lambda p: p.name)


def _where(b: Broken) -> str:
    line = f" line {b.line}" if b.line else ""
    return f"{Path(b.file).name}{line}: {b.error}"


QUICK_S = 0.02  # how often an idle tail asks SQLite whether anything was committed


class StoreTail:
    """Follows one store; ``watch_task`` picks the run and task whose log is streamed."""

    def __init__(
        self,
        store: Store,
        post: Callable[[Message], Any],
        *,
        catalog: Catalog | None = None,
        interval: float = 0.15,
        reload_every: float = 1.0,
        start_seq: int | None = None,
        file_baseline: dict[Path, float] | None = None,
    ) -> None:
        self.store = store
        self.post = post
        self.catalog = catalog
        self.interval = interval
        self.reload_every = reload_every
        # the console reads the sequence before its first page of runs, so the events between that
        # read and this tail's start are replayed instead of lost
        self.seq = last_seq(store.db) if start_seq is None else start_seq
        self.stop_event = threading.Event()
        self._lock = threading.Lock()
        self._run: int | None = None
        self._task: str | None = None
        self._offset = 0
        self._fresh_run = False
        self._backlog: set[int] = set()
        self._reloader = Reloader(catalog, settle_s=0.2) if catalog is not None else None
        # the pipeline files' mtimes from before the catalog read them: an edit made between that
        # read and this tail's first scan is a change, not the starting point
        self._mtimes: dict[Path, float] = dict(file_baseline or {})
        self._next_reload = 0.0

    # -- called from the UI thread ----------------------------------------------------------
    def watch_task(self, run_id: int | None, task: str | None, offset: int = 0) -> None:
        """Stream ``task``'s log from byte ``offset`` (what the screen already shows)."""
        with self._lock:
            self._offset = offset
            self._fresh_run = self._fresh_run or run_id != self._run
            self._run, self._task = run_id, task

    def stop(self) -> None:
        self.stop_event.set()

    # -- the worker thread -------------------------------------------------------------------
    def run(self) -> None:
        if self.catalog is not None and self._reloader is not None:
            for path in self._scan_files(first=True):
                self._reloader.notice(path, time.monotonic())
        wait, last, version = self.interval, time.monotonic(), self._version()
        while not self.stop_event.wait(min(QUICK_S, wait)):
            now, seen = time.monotonic(), self._version()
            # Between ticks, SQLite is asked whether anything was committed (no data is read), so
            # an idle console sees another process's run start ~20 ms after it, not up to an
            # interval later; it still ticks every interval (logs and pipeline files are not in
            # the store), and never sooner than a third of one (a burst is drawn in steps).
            if now - last < wait and (seen == version or now - last < self.interval / 3):
                continue
            version, last = seen, now
            try:
                batch = self.tick()
            except Exception as exc:  # noqa: BLE001 - a bad tick must never kill the tail
                self.post(TailError(f"{type(exc).__name__}: {exc}"))
                batch = None
            # while events keep coming (a burst, a run finishing) look again sooner, so the end of
            # a burst shows about one short wait after it; idle, one query per interval
            wait = self.interval / 3 if batch is not None and batch.n_events else self.interval

    def _version(self) -> int | None:
        """SQLite's count of commits by other connections than the tail's own (``data_version``)."""
        try:
            row = self.store.db.query_one("PRAGMA data_version")
        except Exception:  # noqa: BLE001 - a store in trouble: the next tick reports it
            return None
        return int(row[0]) if row is not None else None

    def tick(self) -> StoreBatch | None:
        db = self.store.db
        events = events_after(db, self.seq)
        if events:
            self.seq = int(events[-1]["seq"])
        touched = self._backlog | {int(e["run_id"]) for e in events if e["run_id"] is not None}
        ordered = sorted(touched, reverse=True)
        now_ids, self._backlog = ordered[:MAX_RUNS_PER_TICK], set(ordered[MAX_RUNS_PER_TICK:])
        runs = {}
        live_progress = 0
        for run_id in now_ids:
            try:
                run = get_run_row(db, run_id)
            except NotFoundError:  # a run deleted by gc in between: nothing to show
                continue
            if run["status"] == "running" and live_progress < MAX_PROGRESS_PER_TICK:
                # the runner stores n_done at the end; count finished tasks meanwhile
                live_progress += 1
                run["n_done"] = count_finished_tasks(db, run_id)
            runs[run_id] = run
        with self._lock:
            watched, task, fresh = self._run, self._task, self._fresh_run
            self._fresh_run = False
        tasks = {}
        if watched is not None and (fresh or watched in touched):
            tasks[watched] = get_tasks(db, watched)
        log = self._read_log(watched, task)
        pipelines = self._maybe_reload()
        checks = any(e["kind"].startswith("check") or e["kind"] == "task.finished" for e in events)
        # events with no run (a promote or rollback from another shell) still refresh Models
        if not (events or runs or tasks or log or pipelines is not None):
            return None
        batch = StoreBatch(
            n_events=len(events),
            runs=runs,
            tasks=tasks,
            log=log,
            active=active_counts(db) if events else None,
            pipelines=pipelines,
            checks_changed=checks,
        )
        self.post(batch)
        return batch

    def _read_log(self, run_id: int | None, task: str | None) -> tuple[int, str, list[str]] | None:
        if run_id is None or task is None:
            return None
        path = self.store.log_path(run_id, task)
        try:
            size = path.stat().st_size
        except OSError:
            return None
        with self._lock:
            offset = self._offset
        if size <= offset:
            return None
        with open(path, "rb") as fh:
            start = max(offset, size - MAX_LOG_BYTES)
            fh.seek(start)
            data = fh.read(size - start)
        cut = data.rfind(b"\n")
        if cut < 0:
            return None  # half a line: wait for its end
        lines = local_lines(data[:cut].decode("utf-8", errors="replace").split("\n"))  # at \n only
        if start > offset:
            lines = [f"… {start - offset:,} bytes skipped …", *lines[1:]]
        with self._lock:
            if (self._run, self._task, self._offset) != (run_id, task, offset):
                return None  # the screen moved on while we read
            self._offset = start + cut + 1
        return (run_id, task, lines)

    # -- pipeline files ---------------------------------------------------------------------------
    def _scan_files(self, *, first: bool = False) -> list[Path]:
        assert self.catalog is not None
        seen = pipeline_file_mtimes(self.catalog.dir)
        for key in list(self.catalog.modules):
            if key.name == "dbt_project.yml":  # a dbt project: its newest file stands for it
                seen[key] = newest_mtime(key.parent)
        if first:  # only files the baseline knew and that changed since (none without a baseline)
            changed = [p for p, m in seen.items() if p in self._mtimes and self._mtimes[p] != m]
        else:
            changed = [p for p, m in seen.items() if self._mtimes.get(p) != m]
            changed += [p for p in self._mtimes if p not in seen]
        self._mtimes = seen
        return changed

    def _maybe_reload(self) -> list[PipelineInfo] | None:
        if self._reloader is None or self.catalog is None:
            return None
        now = time.monotonic()
        if now < self._next_reload and not self._reloader.pending:
            return None
        self._next_reload = now + self.reload_every
        for path in self._scan_files():
            self._reloader.notice(path, now)
        due = self._reloader.due(now)
        for path in due:
            self._reloader.reload(path)
        return pipeline_infos(self.catalog) if due else None


class TailError(Message):
    """A tick failed (store locked too long, disk error); shown, and the tail goes on."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error
