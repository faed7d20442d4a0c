"""The trigger service: one loop that owns schedules, file triggers, hot reload and monitors.

Everything is decided on one thread, one step at a time: ``Service.tick(now)`` drains the
paths the watcher reported, reloads changed pipeline files, starts due scheduled runs
(``scheduler.py``) and runs for files that settled (``arrivals.py``), and evaluates due
monitors (``monitors.py``). ``start()`` calls it every ``step_s`` on a daemon thread (and
at once when a file changes); tests call it directly with a fixed clock, the way huey's
tests step its consumer, so they are deterministic.

Runs are started through the Engine (trigger ``schedule`` or ``file``), each on its own
driver thread. ``max_concurrent`` of a pipeline (default 1) bounds its active runs,
counting runs of every trigger, in this process and in others. Every decision is a
``Decision`` (one line each in ``--no-ui``; the console can list them).

Only one service per project should run triggers: ``service.lock.acquire()`` (an flock
in the state directory) tells whether this one may; see ``lock.py``.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.errors import OpsConsoleError
from console.store.db import HOST, MY_PID, recover_interrupted
from console.store.sla import check_deadlines
from console.triggers.arrivals import Arrivals
from console.triggers.lock import ServiceLock
from console.triggers.monitors import MonitorRunner
from console.triggers.notifier import Notifier
from console.triggers.pausing import PauseGate
from console.triggers.reload import Reloader
from console.triggers.schedule import project_timezone
from console.triggers.scheduler import Scheduler
from console.triggers.state import TriggerState
from console.triggers.watcher import FileWatcher, existing_dir

if TYPE_CHECKING:
    from console.engine.engine import Engine
    from console.engine.runner import Runner

log = logging.getLogger("opsconsole.triggers")
RECOVER_EVERY_S = 10.0


@dataclass
class Decision:
    """One thing the service decided or noticed, for a log line or the console."""

    at: float
    source: str  # schedule | file | reload | monitor | service
    message: str
    pipeline: str | None = None
    run_id: int | None = None

    def line(self) -> str:
        return f"{time.strftime('%H:%M:%S', time.localtime(self.at))} {self.source}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {"type": "decision", **self.__dict__}


class Service:
    """Schedules, file arrival, hot reload and monitors of one project's engine."""

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Callable[[], float] = time.time,
        on_decision: Callable[[Decision], None] | None = None,
        settle_s: float = 0.5,
        reload_settle_s: float = 0.2,
        step_s: float = 0.25,
        max_catchup: int = 20,
        rescan_every_s: float = 30.0,
    ) -> None:
        self.engine = engine
        self.catalog = engine.catalog
        self.root = Path(engine.project_root).resolve()
        self.state = TriggerState(engine.store.db)
        self.clock = clock
        self.on_decision = on_decision
        self.step_s = step_s
        self.rescan_every_s = rescan_every_s
        self.reloader = Reloader(self.catalog, settle_s=reload_settle_s)
        self.monitors = MonitorRunner(self.state, self._decide)
        self.scheduler = Scheduler(
            self.state,
            project_timezone(engine.project.timezone),
            decide=self._decide,
            launch=self._launch,
            free=self._free,
            clock=clock,
            max_catchup=max_catchup,
        )
        self.arrivals = Arrivals(
            self.root,
            self.state,
            decide=self._decide,
            launch=self._launch,
            free=self._free,
            settle_s=settle_s,
        )
        from console.streaming.offsets import warehouse_path
        from console.triggers.kafka_lag import KafkaLagTriggers

        self.kafka = KafkaLagTriggers(
            warehouse_path(self.root, engine.store.home), decide=self._decide, launch=self._launch, free=self._free
        )
        self.notifier = Notifier.for_project(engine.project, engine.store)
        self.pauses = PauseGate(engine.store.db, self._decide)
        self.problems: dict[str, str] = {}
        self.decisions: deque[Decision] = deque(maxlen=500)
        self.lock = ServiceLock(engine.store.home)
        self.loaded = False
        self._step: list[Decision] = []
        self._changes: queue.SimpleQueue[Path] = queue.SimpleQueue()
        self._launched: dict[int, tuple[Runner, threading.Thread]] = {}
        self._unstarted: list[threading.Thread] = []
        self._decide_lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._watch = False
        self._watcher: FileWatcher | None = None
        self._last_rescan = 0.0
        self._last_recover = 0.0

    # -- decisions --------------------------------------------------------------------------
    def _decide(
        self, source: str, message: str, pipeline: str | None = None, run_id: int | None = None
    ) -> None:
        decision = Decision(self.clock(), source, message, pipeline, run_id)
        with self._decide_lock:
            self.decisions.append(decision)
            self._step.append(decision)
            if self.on_decision is not None:
                try:
                    self.on_decision(decision)
                except Exception:  # noqa: BLE001 - a listener never breaks the service
                    log.exception("decision listener failed")

    # -- loading -----------------------------------------------------------------------------
    def load(self, now: float | None = None) -> None:
        """Import every pipeline and set up its triggers (the first ``tick`` does it)."""
        now = self.clock() if now is None else now
        self.catalog.load_all()
        for b in self.catalog.broken:
            self._decide("reload", f"broken: {self._rel(b.file)}{_line(b.line)}: {b.error}", b.name)
        self.loaded = True
        for problem in self.notifier.rules.problems:
            self._decide("service", problem)
        self._last_rescan = now
        self._sync(now)
        n = len(self.catalog.pipelines)
        self._decide(
            "service",
            f"{n} pipeline(s): {len(self.scheduler.slots)} scheduled, {len(self.arrivals.triggers)} watching "
            f"files, {len(self.catalog.monitors)} monitor(s), {len(self.catalog.broken)} broken",
        )

    def _sync(self, now: float) -> None:
        """Match schedules, file triggers and the watcher to the catalog's pipelines."""
        pipelines = self.catalog.pipelines
        problems: dict[str, str] = {}
        self.scheduler.sync(pipelines, now, problems)
        self.arrivals.sync(pipelines, now, problems)
        for name, message in problems.items():
            if self.problems.get(name) != message:
                self._decide("service", f"{name}: {message}", name)
        self.problems = problems
        self._refresh_watcher()

    # -- one step ---------------------------------------------------------------------------
    def tick(self, now: float | None = None) -> list[Decision]:
        """Process one step at ``now`` (default: the clock); returns the decisions it made."""
        now = self.clock() if now is None else now
        with self._decide_lock:
            self._step = []
        if not self.loaded:
            self.load(now)
        steps: list[tuple[str, Callable[[float], None]]] = [
            ("changes", self._drain),
            ("reload", self._reload),
            ("rescan", self._rescan),
            ("paused", lambda t: self.pauses.read()),
            ("schedules", lambda t: self.scheduler.step(self.pauses.pipelines(self.catalog.pipelines), t)),
            ("files", lambda t: self.arrivals.step(self.pauses.pipelines(self.catalog.pipelines), t)),
            ("monitors", self._monitors),
            ("kafka", lambda t: self.kafka.step(self.catalog.pipelines, t)),
            ("deadlines", lambda t: self._deadlines(t)),
        ]
        for name, step in steps:
            try:
                step(now)
            except Exception as exc:  # noqa: BLE001 - one failing part never stops the loop
                log.exception("service step %s failed", name)
                self._decide("service", f"error in {name}: {type(exc).__name__}: {exc}")
            self._start_pending()
        self._reap()
        with self._decide_lock:
            made, self._step = self._step, []
        return made

    def changed(self, paths: Iterable[Path | str]) -> None:
        """Report changed paths (thread-safe: the watcher calls it; tests may too)."""
        for path in paths:
            self._changes.put(Path(path))
        self._wake.set()

    def _drain(self, now: float) -> None:
        paths: set[Path] = set()
        while True:
            try:
                paths.add(self._changes.get_nowait())
            except queue.Empty:
                break
        for path in sorted(paths):
            if not self.reloader.notice(path, now):
                self.arrivals.notice(path, now)

    def _reload(self, now: float) -> None:
        due = self.reloader.due(now)
        for path in due:
            res = self.reloader.reload(path)
            rel = self._rel(path)
            if res.deleted:
                self._decide("reload", f"{rel} deleted; removed {', '.join(res.removed) or 'nothing'}")
            for b in res.broken:
                self._decide("reload", f"{rel}{_line(b.line)}: broken: {b.error}", b.name)
            if res.pipelines:
                self._decide("reload", f"{rel} reloaded: {', '.join(res.pipelines)}")
        if due:
            self._sync(now)

    def _rescan(self, now: float) -> None:
        if now - self._last_rescan >= self.rescan_every_s:
            self._last_rescan = now
            self.arrivals.rescan(now)

    def _deadlines(self, now: float) -> None:
        for miss in check_deadlines(self.engine.store.db, now=now):
            self._decide("sla", miss["summary"], miss["pipeline"], miss["run_id"])

    def _monitors(self, now: float) -> None:
        monitors = self.catalog.monitors
        monitors = self.pauses.monitors(monitors, self.catalog.modules)
        if monitors:
            self.monitors.step(monitors, self.engine, now)

    # -- runs ---------------------------------------------------------------------------------
    def _launch(self, name: str, params: dict[str, Any], trigger: str) -> Runner:
        runner = self.engine.prepare(name, params, trigger=trigger)
        thread = threading.Thread(
            target=self._drive, args=(runner,), name=f"opsconsole-run-{runner.run_id}", daemon=True
        )
        self._launched[runner.run_id] = (runner, thread)
        self._unstarted.append(thread)  # started after the step, once its decision is reported
        return runner

    def _start_pending(self) -> None:
        while self._unstarted:
            self._unstarted.pop(0).start()

    def _drive(self, runner: Runner) -> None:
        try:
            self.engine.execute(runner)
        except Exception:  # noqa: BLE001 - the run row says what happened; the service goes on
            log.exception("run %s failed in the engine", runner.run_id)

    def _reap(self) -> None:
        for run_id, (_, thread) in list(self._launched.items()):
            if thread.ident is not None and not thread.is_alive():
                del self._launched[run_id]

    def _free(self, name: str, limit: int) -> int:
        """Slots left for ``name``: ``limit`` minus its active runs here and in other processes."""
        if limit <= 0:
            return 1 << 30
        mine = {rid for rid, r in list(self.engine.active.items()) if r.pipeline.name == name}
        mine |= {rid for rid, (r, t) in list(self._launched.items()) if _live(t) and r.pipeline.name == name}
        row = self.engine.store.db.query_one(
            "SELECT count(*) FROM runs WHERE pipeline=? AND status IN ('queued', 'running')"
            " AND NOT (pid IS ? AND host IS ?)",
            (name, MY_PID, HOST),
        )
        others = int(row[0]) if row else 0
        now = time.monotonic()
        if others and len(mine) < limit and now - self._last_recover > RECOVER_EVERY_S:
            # the blocking run may belong to a process that died after we opened the store
            self._last_recover = now
            if recover_interrupted(self.engine.store.db):
                return self._free(name, limit)
        return limit - len(mine) - others

    def running(self) -> list[Runner]:
        """Runs this service started that have not ended."""
        return [r for r, t in list(self._launched.values()) if _live(t)]

    def wait_runs(self, timeout: float = 30.0) -> bool:
        """Wait for the runs this service started; True when all ended."""
        self._start_pending()
        deadline = time.monotonic() + timeout
        for _, thread in list(self._launched.values()):
            thread.join(max(deadline - time.monotonic(), 0))
        self._reap()
        return not self._launched

    # -- the loop ------------------------------------------------------------------------------
    def start(self, *, watch: bool = True) -> Service:
        """Call ``tick`` every ``step_s`` on a daemon thread; ``watch`` uses watchfiles."""
        self._watch = watch
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="opsconsole-service", daemon=True)
        self._thread.start()
        self.notifier.start()
        return self

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception as exc:  # noqa: BLE001 - the loop survives anything a step throws
                log.exception("service step failed")
                self._decide("service", f"error: {type(exc).__name__}: {exc}")
            self._wake.wait(self.step_s)
            self._wake.clear()

    def _refresh_watcher(self) -> None:
        if not self._watch or self._stop.is_set():
            return
        bases = [self.catalog.dir, *self.arrivals.bases()]
        roots = {d for d in (existing_dir(b, self.root) for b in bases) if d.is_dir()}
        current = self._watcher
        if current is not None and current.alive() and set(current.roots) == roots:
            return
        if current is not None:
            current.stop()
        self._watcher = FileWatcher(roots, self.changed, self._watch_failed, skip=[self.engine.store.home])
        self._watcher.start()
        # a file that lands while the watcher starts up has no event: rescan a second from now
        self._last_rescan = min(self._last_rescan, self.clock() - self.rescan_every_s + 1.0)

    def _watch_failed(self, exc: BaseException) -> None:
        self.rescan_every_s = min(self.rescan_every_s, 2.0)
        self._decide("service", f"file watcher stopped ({type(exc).__name__}: {exc}); rescanning every 2s")

    def stop(self, *, cancel_runs: bool = True, timeout: float = 10.0) -> list[int]:
        """Stop the loop and the watcher; cancel the runs it started and wait for them.

        Returns the ids of the runs it cancelled: their unfinished tasks end ``cancelled``
        and the writer is flushed, so nothing is left ``running`` in the store.
        """
        self._stop.set()
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None
        cancelled = []
        if cancel_runs:
            for runner in self.running():
                runner.cancel()
                cancelled.append(runner.run_id)
        self.wait_runs(timeout)
        self.monitors.join(min(timeout, 5.0))
        try:
            self.engine.store.writer.flush()
        except OpsConsoleError:
            log.exception("flush at stop failed")
        self.notifier.stop(drain=True, timeout=min(timeout, 5.0))
        self.lock.release()
        return cancelled

    def _rel(self, path: str | Path) -> str:
        try:
            return Path(path).resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


def _live(thread: threading.Thread) -> bool:
    """Running, or created and about to start."""
    return thread.ident is None or thread.is_alive()


def _line(line: int | None) -> str:
    return f":{line}" if line else ""
