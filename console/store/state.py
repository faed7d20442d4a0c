"""The state directory of a project: database, writer, artifacts and logs in one place."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from console.errors import StoreUnavailableError
from console.store.artifacts import ArtifactStore
from console.store.db import Database, recover_interrupted, translate
from console.store.writer import Writer

STATE_DIR_NAME = ".opsconsole"
# freed when the disk fills mid-run, so the run's failure still fits in the database
RESERVE_NAME = "disk-reserve"
RESERVE_BYTES = 256 * 1024


class Store:
    """Everything persisted for one project. Cheap to open; the writer starts on first use."""

    def __init__(self, home: Path | str, *, readonly: bool = False, recover: bool = True) -> None:
        home = Path(home)
        self.home = home
        self.readonly = readonly
        self.db_path = home / "state.db"
        self.logs_dir = home / "logs"
        self.runs_dir = home / "runs"
        self.artifacts = ArtifactStore(home / "artifacts")
        if not readonly:
            try:
                home.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise translate(exc, home) from exc
            if not os.access(home, os.W_OK):
                raise StoreUnavailableError(f"{home}: the state directory is not writable")
        elif not self.db_path.exists():
            raise StoreUnavailableError(f"{self.db_path}: no state database yet (nothing has run)")
        self.db = Database(self.db_path, readonly=readonly)
        self._identity = _identity(self.db_path)
        self._writer: Writer | None = None
        self._lock = threading.Lock()
        self.recovered: list[int] = []
        self.saw_none_result = False  # the None result is stored once per process
        if recover and not readonly:
            self.recovered = recover_interrupted(self.db)
        if not readonly:
            self._keep_reserve()

    @classmethod
    def for_project(cls, root: Path, **kwargs: bool) -> Store:
        home = os.environ.get("OPSCONSOLE_HOME")
        return cls(Path(home) if home else root / STATE_DIR_NAME, **kwargs)

    @property
    def writer(self) -> Writer:
        if self._writer is None:
            with self._lock:
                if self._writer is None:
                    if self.readonly:
                        raise StoreUnavailableError(f"{self.db_path}: opened read-only")
                    self._writer = Writer(self.db_path)
        return self._writer

    # -- a little disk kept back, so a failure on a full disk can still be recorded --------
    @property
    def reserve_path(self) -> Path:
        return self.home / RESERVE_NAME

    def _keep_reserve(self) -> None:
        """Hold ``RESERVE_BYTES`` of disk in a file (once; later opens only stat it)."""
        path = self.reserve_path
        if path.exists():
            return
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError:
            return  # another process made it, or no room: the store works without it
        try:
            os.posix_fallocate(fd, 0, RESERVE_BYTES)
        except (OSError, AttributeError):
            os.close(fd)
            path.unlink(missing_ok=True)
            return
        os.close(fd)

    def release_reserve(self) -> bool:
        """Free the reserve (the disk is full and something must still be written)."""
        try:
            self.reserve_path.unlink()
        except OSError:
            return False
        return True

    def vanished(self) -> bool:
        """True when ``state.db`` was deleted or replaced since this store opened it.

        SQLite keeps writing to a deleted file it holds open, so a run whose state directory
        was removed under it would otherwise "succeed" into a file nobody can read.
        """
        return self._identity is not None and _identity(self.db_path) != self._identity

    def log_path(self, run_id: int, task: str) -> Path:
        return self.logs_dir / str(run_id) / f"{task}.log"

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self.db.close()


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino)
