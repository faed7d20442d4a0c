"""File-triggered runs: the ``watch=`` pipelines of a service and the step that starts them.

See ``console.triggers.files`` for how one file is judged new and stable. Here: one
``FileTrigger`` per watching pipeline, a FIFO of settled files per pipeline that waits
for a free ``max_concurrent`` slot (every file gets its own run, none is folded), and
the run started with the file's absolute path in the ``path`` param.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.errors import OpsConsoleError
from console.triggers.files import PATH_PARAM, Candidate, FileTrigger, signature
from console.triggers.scheduler import concurrency_limit
from console.triggers.state import TriggerState

if TYPE_CHECKING:
    from console.engine.pipeline import Pipeline
    from console.engine.runner import Runner


class Arrivals:
    """File triggers of the watching pipelines."""

    def __init__(
        self,
        root: Path,
        state: TriggerState,
        *,
        decide: Callable[..., None],
        launch: Callable[[str, dict[str, Any], str], Runner],
        free: Callable[[str, int], int],
        settle_s: float = 0.5,
    ) -> None:
        self.root = root
        self.state = state
        self.decide = decide
        self.launch = launch
        self.free = free
        self.settle_s = settle_s
        self.triggers: dict[str, FileTrigger] = {}
        self.waiting: dict[str, deque[Candidate]] = {}
        self._waiting_logged: set[str] = set()

    def rel(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def bases(self) -> list[Path]:
        return [t.base for t in self.triggers.values()]

    def sync(self, pipelines: dict[str, Pipeline], now: float, problems: dict[str, str]) -> None:
        """Follow the catalog; a pipeline without a ``path`` param goes to ``problems``."""
        watched: dict[str, str] = {}
        for name, p in pipelines.items():
            if not isinstance(p.watch, str) or not p.watch:
                continue  # not a file pattern (e.g. kafka_lag): another trigger's
            if PATH_PARAM in p.params:
                watched[name] = p.watch
            else:
                problems[name] = (
                    f"watch={p.watch!r} needs a {PATH_PARAM!r} param to receive the file "
                    f"(declare params={{'{PATH_PARAM}': ''}}); not watching"
                )
        for name in [n for n in self.triggers if n not in watched]:
            del self.triggers[name]
            self.waiting.pop(name, None)
            self.decide("file", f"{name} no longer watches files", name)
        for name, pattern in watched.items():
            trigger = self.triggers.get(name)
            if trigger is not None and trigger.pattern == FileTrigger.normalise(pattern):
                continue
            trigger = FileTrigger(name, pattern, self.root, self.state, settle_s=self.settle_s)
            baseline = trigger.start(now)
            self.triggers[name] = trigger
            self.waiting.setdefault(name, deque())
            note = f" ({baseline} file(s) already there taken as processed)" if baseline else ""
            self.decide("file", f"{name} watches {trigger.pattern}{note}", name)
            for cand in trigger.candidates.values():
                self.decide("file", f"{name}: {self.rel(cand.path)} is new or changed", name)

    def notice(self, path: Path, now: float) -> None:
        for name, trigger in self.triggers.items():
            if trigger.notice(path, now):
                self.decide("file", f"{name}: {self.rel(path)} arrived; waiting for it to settle", name)

    def rescan(self, now: float) -> None:
        for name, trigger in self.triggers.items():
            before = set(trigger.candidates)
            trigger.rescan(now)
            for path in set(trigger.candidates) - before:
                self.decide("file", f"{name}: {self.rel(path)} found by rescan", name)

    def step(self, pipelines: dict[str, Pipeline], now: float) -> None:
        for name, trigger in list(self.triggers.items()):
            waiting = self.waiting.setdefault(name, deque())
            waiting.extend(trigger.ready(now))
            pipeline = pipelines.get(name)
            if pipeline is None:
                continue
            limit = concurrency_limit(pipeline)
            while waiting:
                if self.free(name, limit) <= 0:
                    if name not in self._waiting_logged:
                        self._waiting_logged.add(name)
                        self.decide(
                            "file",
                            f"{name}: {len(waiting)} file(s) waiting for a free slot (max_concurrent={limit})",
                            name,
                        )
                    break
                self._waiting_logged.discard(name)
                self._start(trigger, waiting.popleft(), now)

    def _start(self, trigger: FileTrigger, cand: Candidate, now: float) -> None:
        name, rel = trigger.pipeline, self.rel(cand.path)
        if signature(cand.path) != cand.sig:
            trigger.notice(cand.path, now)  # changed again while it waited: let it settle again
            return
        try:
            runner = self.launch(name, {PATH_PARAM: str(cand.path)}, "file")
        except OpsConsoleError as exc:
            self.decide("file", f"{name}: {rel} landed but the run could not start: {exc}", name)
        else:
            size = cand.sig.split(":", 1)[0]
            self.decide(
                "file", f"{name}: {rel} landed ({size} bytes) -> run {runner.run_id}", name, runner.run_id
            )
        trigger.mark_processed(cand)
