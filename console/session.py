"""What a CLI command needs, opened lazily: the project, its store, the engine."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from console.engine.engine import Engine
    from console.project import Project
    from console.store.state import Store


class Session:
    """Opens the project, store and engine on first use and closes them at the end."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self._project: Project | None = None
        self._store: Store | None = None
        self._engine: Engine | None = None

    @property
    def project(self) -> Project:
        if self._project is None:
            from console.project import load_project

            self._project = load_project(self.args.project)
        return self._project

    @property
    def store(self) -> Store:
        if self._store is None:
            from console.store.state import Store

            # A read-only session looks and never writes: not even the recovery of dead runs. It
            # opens an existing database read-only, so a state dir on a read-only filesystem works.
            home = self.project.home
            if self.read_only and (home / "state.db").exists():
                self._store = Store(home, readonly=True, recover=False)
            else:
                self._store = Store(home, recover=not self.read_only)
        return self._store

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from console.engine.engine import Engine

            self._engine = Engine(
                self.project,
                self.store,
                read_only=bool(getattr(self.args, "read_only", False)),
                executor=getattr(self.args, "executor", None),
                scheduler=getattr(self.args, "scheduler", None),
            )
            from console.triggers.schedule import check_pipeline_schedule

            self._engine.catalog.checks.append(check_pipeline_schedule)
        return self._engine

    @property
    def read_only(self) -> bool:
        return bool(getattr(self.args, "read_only", False)) or self.project.read_only

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
            self._engine = None
            self._store = None
        if self._store is not None:
            self._store.close()
            self._store = None
