"""Which pipelines' triggers are paused, as the service sees it this tick.

The paused set is read from the store once per tick, so ``opsconsole pause`` from any
shell takes effect within one tick without a restart. A paused pipeline's schedule does
not fire and its last handled tick does not move, so on resume the scheduler applies the
pipeline's ``catchup`` policy to the ticks missed meanwhile; settled files wait in their
queue and run on resume. A monitor is paused by its own name or with a pipeline of the
module that declares it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from console.store.db import Database
from console.store.pauses import paused_names
from console.triggers.monitors import monitor_name


class PauseGate:
    def __init__(self, db: Database, decide: Callable[..., None]) -> None:
        self.db = db
        self.decide = decide
        self.paused: set[str] = set()

    def read(self) -> None:
        paused = paused_names(self.db)
        for name in sorted(paused - self.paused):
            self.decide("service", f"{name} paused: its schedule, file trigger and monitors do not fire", name)
        for name in sorted(self.paused - paused):
            self.decide("service", f"{name} resumed (missed ticks follow its catchup policy)", name)
        self.paused = paused

    def pipelines(self, pipelines: dict[str, Any]) -> dict[str, Any]:
        if not self.paused:
            return pipelines
        return {n: p for n, p in pipelines.items() if n not in self.paused}

    def monitors(self, monitors: list[Any], modules: Any) -> list[Any]:
        if not self.paused or not monitors:
            return monitors
        owners = {id(m): [p.name for p in mod.pipelines] for mod in modules.values() for m in mod.monitors}
        return [
            m
            for m in monitors
            if monitor_name(m) not in self.paused and not any(n in self.paused for n in owners.get(id(m), []))
        ]
