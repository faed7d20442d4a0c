"""One trigger service per project: an advisory lock file in the state directory.

The console, ``opsconsole --no-ui`` and ``opsconsole watch`` may all be open on one
project; only the one holding ``<state dir>/service.lock`` runs schedules, file triggers
and monitors, so nothing is started twice. The lock is an ``flock``: the kernel releases
it when the holder dies, even by ``kill -9``, so a stale file never blocks a restart.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks, one service assumed
    fcntl = None  # type: ignore[assignment]

from console.store.private import private_opener

LOCK_NAME = "service.lock"


class ServiceLock:
    """``acquire()`` without blocking; ``holder()`` tells who has it."""

    def __init__(self, home: Path) -> None:
        self.path = home / LOCK_NAME
        self._fh: IO[str] | None = None

    def acquire(self) -> bool:
        if self._fh is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # never through a symlink: the lock is truncated and rewritten below
        fh = open(self.path, "a+", opener=private_opener)  # noqa: SIM115 - held open for as long as the lock
        if fcntl is not None:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                fh.close()
                return False
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        self._fh = fh
        return True

    def holder(self) -> str | None:
        """The pid written by the holder, if any."""
        try:
            text = self.path.read_text().strip()
        except OSError:
            return None
        return text or None

    def release(self) -> None:
        if self._fh is None:
            return
        try:
            self._fh.seek(0)
            self._fh.truncate()
            if fcntl is not None:
                fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
        finally:
            self._fh.close()
            self._fh = None
