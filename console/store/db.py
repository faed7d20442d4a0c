"""Opening the state store: paths, SQLite connections, migrations, crash recovery."""

from __future__ import annotations

import errno
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from console.errors import StoreCorruptError, StoreError, StoreUnavailableError
from console.store.private import create_private, open_private
from console.store.schema import MIGRATIONS, SCHEMA_VERSION

BUSY_TIMEOUT_MS = 30_000
HOST = socket.gethostname()


def process_start_token(pid: int) -> str | None:
    """The kernel's start time of ``pid``: tells a live process from a reused pid."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read().decode(errors="replace")
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()[19]


MY_PID = os.getpid()
MY_PID_START = process_start_token(MY_PID)


def process_alive(pid: int | None, token: str | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    if token is None:
        return True
    return process_start_token(pid) == token


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection in WAL mode with a generous busy timeout (safe across processes)."""
    try:
        if readonly:
            # WAL readers write the -shm index; where nobody can write (a read-only filesystem)
            # SQLite needs immutable=1 to open the file at all, and then nothing can change it.
            flags = "mode=ro" if os.access(path.parent, os.W_OK) else "mode=ro&immutable=1"
            conn = sqlite3.connect(
                f"file:{quote(str(path))}?{flags}",
                uri=True,
                timeout=BUSY_TIMEOUT_MS / 1000,
                check_same_thread=False,
                isolation_level=None,
            )
        else:
            conn = sqlite3.connect(
                path,
                timeout=BUSY_TIMEOUT_MS / 1000,
                check_same_thread=False,
                isolation_level=None,
            )
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if not readonly:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=OFF")
    except sqlite3.DatabaseError as exc:
        raise translate(exc, path) from exc
    conn.row_factory = sqlite3.Row
    return conn


FULL_BELOW_BYTES = 1 << 20  # SQLite needs room for its -shm/-wal files to even read in WAL mode


def free_bytes(path: Path) -> int | None:
    """Free space for unprivileged writers on the filesystem holding ``path`` (None: unknown)."""
    folder = path
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        st = os.statvfs(folder)
    except (OSError, AttributeError):
        return None
    return st.f_bavail * st.f_frsize


def disk_full(path: Path) -> bool:
    free = free_bytes(path)
    return free is not None and free < FULL_BELOW_BYTES


def full_disk_message(path: Path) -> str:
    free = free_bytes(path)
    left = f"{free // 1024} KB free" if free is not None else "no space left"
    return (
        f"{path}: the disk is full ({left}); the database is not corrupt: "
        "free some space and try again"
    )


def translate(exc: BaseException, path: Path) -> StoreError:
    """Map a sqlite3/OS error to one clear line naming the database file."""
    text = str(exc)
    if "disk is full" in text or (isinstance(exc, OSError) and exc.errno == errno.ENOSPC):
        return StoreUnavailableError(full_disk_message(path))
    if ("disk I/O error" in text or "unable to open database" in text) and disk_full(path):
        # on a full disk SQLite cannot create its -shm file and says only "disk I/O error"
        return StoreUnavailableError(full_disk_message(path))
    if isinstance(exc, sqlite3.DatabaseError) and (
        "not a database" in text or "malformed" in text or "file is encrypted" in text
    ):
        return StoreCorruptError(
            f"{path}: the state database is corrupt ({text}); "
            "run `opsconsole store --backup-and-reset` to move it aside and start fresh"
        )
    if "readonly" in text or "read-only" in text:
        return StoreUnavailableError(f"{path}: the state directory is read-only ({text})")
    if "locked" in text:
        return StoreUnavailableError(f"{path}: the database stayed locked too long ({text})")
    if isinstance(exc, OSError) and exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return StoreUnavailableError(f"{path}: cannot create the state directory ({exc.strerror})")
    if isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return StoreUnavailableError(f"{path}: the state directory is not writable ({exc.strerror})")
    return StoreError(f"{path}: {text}")


def rollback(conn: sqlite3.Connection) -> None:
    """Roll back if a transaction is still open, never masking the error that caused it.

    On a full disk (and some I/O errors) SQLite has already rolled back by itself; a second
    ROLLBACK would raise "no transaction is active" in place of the real error.
    """
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # the connection is unusable; the caller reports the original error


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version == SCHEMA_VERSION:
        return
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: schema version {version} was written by a newer ops-console "
            f"(this one knows {SCHEMA_VERSION}); upgrade ops-console"
        )
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for step in MIGRATIONS[version:]:
            for statement in step.split(";"):
                if statement.strip():
                    conn.execute(statement)
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        rollback(conn)
        raise


@contextmanager
def _opening(path: Path) -> Iterator[None]:
    """Hold an exclusive flock on ``<db>.open-lock`` (no-op where flock does not exist)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    try:
        fd = open_private(f"{path}.open-lock", os.O_RDWR | os.O_CREAT)
    except OSError as exc:
        raise translate(exc, path.parent) from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


class Database:
    """The SQLite file of a state directory, with one read connection per thread."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        self.readonly = readonly
        self._local = threading.local()
        # every connection with its lock: a query holds it, and close() takes each one first, so
        # closing from one thread never frees a connection another thread is stepping (a crash)
        self._all: list[tuple[sqlite3.Connection, threading.RLock]] = []
        self._lock = threading.Lock()
        if not readonly:
            # Two processes creating the same new database at once can deadlock in SQLite's
            # switch to WAL (one gets "database is locked" at once, no busy wait): open and
            # migrate under a lock file, which costs one flock per process start.
            with _opening(path):
                try:
                    create_private(path)
                except OSError as exc:
                    raise translate(exc, path) from exc
                conn = self.conn()
                try:
                    migrate(conn, path)
                except sqlite3.DatabaseError as exc:
                    raise translate(exc, path) from exc
        else:
            conn = self.conn()
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlite3.DatabaseError as exc:
                raise translate(exc, path) from exc

    def conn(self) -> sqlite3.Connection:
        return self._held()[0]

    def _held(self) -> tuple[sqlite3.Connection, threading.RLock]:
        held: tuple[sqlite3.Connection, threading.RLock] | None = getattr(self._local, "held", None)
        if held is None:
            held = (connect(self.path, readonly=self.readonly), threading.RLock())
            self._local.held = held
            with self._lock:
                self._all.append(held)
        return held

    def query(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        conn, lock = self._held()
        try:
            with lock:
                return conn.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise translate(exc, self.path) from exc

    def tuples(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        """As :meth:`query`, rows as plain tuples: for reading thousands of rows at once (a
        ``sqlite3.Row`` each costs about as much again as fetching it)."""
        conn, lock = self._held()
        try:
            with lock:
                cur = conn.cursor()
                cur.row_factory = None
                rows: list[tuple[Any, ...]] = cur.execute(sql, params).fetchall()
                return rows
        except sqlite3.DatabaseError as exc:
            raise translate(exc, self.path) from exc

    def query_one(self, sql: str, params: Any = ()) -> sqlite3.Row | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A ``BEGIN IMMEDIATE`` write transaction on this thread's connection."""
        conn, lock = self._held()
        with lock:
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.DatabaseError as exc:
                raise translate(exc, self.path) from exc
            try:
                yield conn
            except BaseException:
                rollback(conn)
                raise
            try:
                conn.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                rollback(conn)
                raise translate(exc, self.path) from exc

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        """One write statement in its own transaction."""
        try:
            with self.transaction() as conn:
                return conn.execute(sql, params)
        except sqlite3.DatabaseError as exc:
            raise translate(exc, self.path) from exc

    def close(self, wait_s: float = 2.0) -> None:
        """Close every thread's connection, each once no query of its thread is running.

        A connection still busy after ``wait_s`` (a thread stuck in a long query) is left
        open rather than freed under it; the process is ending anyway.
        """
        with self._lock:
            held, self._all = self._all, []
        for conn, lock in held:
            if not lock.acquire(timeout=wait_s):
                continue
            try:
                conn.close()
            except sqlite3.Error:
                pass
            finally:
                lock.release()
        self._local = threading.local()


def recover_interrupted(db: Database) -> list[int]:
    """Mark runs whose owning process died as ``interrupted``; return their ids."""
    rows = db.query("SELECT id, pid, pid_start, host FROM runs WHERE status IN ('queued', 'running')")
    dead = [r["id"] for r in rows if r["host"] == HOST and not process_alive(r["pid"], r["pid_start"])]
    if not dead:
        return []
    now = time.time()
    with db.transaction() as conn:
        for run_id in dead:
            cur = conn.execute(
                "UPDATE runs SET status='interrupted', ended_at=?, "
                "error=coalesce(error, 'the process running it stopped') "
                "WHERE id=? AND status IN ('queued', 'running')",
                (now, run_id),
            )
            if cur.rowcount:
                conn.execute(
                    "UPDATE tasks SET status='interrupted', ended_at=? "
                    "WHERE run_id=? AND status IN ('queued', 'running', 'retrying')",
                    (now, run_id),
                )
                conn.execute(
                    "INSERT INTO events (at, run_id, kind, status) VALUES (?, ?, 'run.finished', 'interrupted')",
                    (now, run_id),
                )
    return dead
