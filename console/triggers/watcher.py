"""The one ``watchfiles`` thread of the service: it only reports changed paths.

It decides nothing: paths go to a callback (the service queues them and wakes its loop),
so every decision stays on the service's thread. When the watched folders change (a hot
reload adds a ``watch=`` pattern), the service replaces the watcher with a new one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from console.triggers.files import is_ignored

log = logging.getLogger("opsconsole.triggers")
SKIP_DIRS = frozenset({".git", "__pycache__", ".venv", "venv", "node_modules", ".mypy_cache", ".ruff_cache"})


def existing_dir(path: Path, root: Path) -> Path:
    """``path`` or its nearest existing parent, not above ``root``."""
    while not path.is_dir() and path != root and root in path.parents:
        path = path.parent
    return path


class FileWatcher:
    """Watches some folders on a daemon thread until ``stop()``."""

    def __init__(
        self,
        roots: Iterable[Path],
        on_paths: Callable[[list[Path]], None],
        on_error: Callable[[BaseException], None],
        *,
        skip: Iterable[Path] = (),
    ) -> None:
        self.roots = tuple(sorted({p for p in roots if p.is_dir()}))
        self.on_paths = on_paths
        self.on_error = on_error
        self.skip = tuple(str(p.resolve()) for p in skip)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="opsconsole-watch", daemon=True)

    def start(self) -> FileWatcher:
        if self.roots:
            self._thread.start()
        return self

    def alive(self) -> bool:
        return self._thread.is_alive()

    def _filter(self, change: Any, path: str) -> bool:
        if path.startswith(self.skip) or path.endswith((".pyc", ".pyo")):
            return False
        p = Path(path)
        return not (SKIP_DIRS & set(p.parts)) and not is_ignored(p.name)

    def _run(self) -> None:
        try:
            import watchfiles

            for changes in watchfiles.watch(
                *self.roots,
                watch_filter=self._filter,
                debounce=400,
                step=50,
                stop_event=self._stop,
                rust_timeout=1000,
                yield_on_timeout=True,
                raise_interrupt=False,
                ignore_permission_denied=True,
            ):
                if changes:
                    self.on_paths([Path(p) for _, p in changes])
        except Exception as exc:  # noqa: BLE001 - reported; the service falls back to rescanning
            log.exception("file watcher stopped")
            self.on_error(exc)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
