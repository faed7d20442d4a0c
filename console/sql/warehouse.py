"""The warehouse: one DuckDB file per project, written by one run at a time.

DuckDB lets a single process open a file for writing and then refuses every other process,
readers included. So a run holds the write connection only while its SQL tasks work
(released after a short idle linger or when the run ends), writers queue on an ``flock``
beside the file (two runs wait for each other instead of failing), and the holder writes
its run id and pid next to the file so a reader that gives up can name it. Inside one
process, readers borrow a cursor of the open write connection (DuckDB refuses a second
connection to the same file with another configuration).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from console.errors import WarehouseBusyError, WarehouseError

READ_WAIT_S = 2.0  # readers retry this long, then name the writer
OPEN_WAIT_S = 60.0  # a writer that holds the flock waits this long for readers to let go
LINGER_S = 0.3  # an idle write connection stays open this long for the run's next SQL task
POLL_S = 0.02
# DuckDB's perfect hash aggregate (a direct array indexed by the key, no hashing or probing) is
# used when the group keys' statistics span at most 2**N values; its default N = 12 (4,096
# groups) sends a group-by over 100k integer keys to the general hash table, 2-3x slower. At
# 2**18 the arrays stay a few MB per thread.
SETTINGS = ("SET GLOBAL perfect_ht_threshold = 18",)


def warehouse_path(root: Path, home: Path, config: dict[str, Any]) -> Path:
    """``warehouse = "..."`` from the config (relative to the project root), else ``home/warehouse.duckdb``."""
    value = config.get("warehouse")
    if value:
        path = Path(str(value))
        return path if path.is_absolute() else root / path
    return home / "warehouse.duckdb"


@dataclass
class _Holder:
    """This process's write connection to one file, and the run it serves."""

    run_id: int
    con: Any
    lock_fd: int
    refs: int = 0
    timer: threading.Timer | None = field(default=None, repr=False)
    checkpoint: threading.Thread | None = field(default=None, repr=False)


_registry = threading.Lock()
_holders: dict[Path, _Holder] = {}
_acquiring: dict[Path, threading.Lock] = {}


def _holder_file(path: Path) -> Path:
    return path.with_name(path.name + ".writer")


def holder_info(path: Path) -> tuple[int | None, int | None]:
    """(run id, pid) of the process writing ``path``, when it says so and is alive."""
    try:
        data = json.loads(_holder_file(path).read_text())
        run_id, pid = int(data["run_id"]), int(data["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None, None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None, None
    except PermissionError:
        pass
    return run_id, pid


def busy_message(path: Path, detail: str = "") -> str:
    run_id, pid = holder_info(path)
    if run_id is not None:
        return f"the warehouse is being written by run {run_id} (pid {pid})"
    return f"the warehouse {path} is locked by another process" + (f" ({detail})" if detail else "")


def _is_lock_error(exc: BaseException) -> bool:
    text = str(exc)
    return "lock" in text.lower() or "different configuration" in text


def _open(path: Path, *, read_only: bool) -> Any:
    import duckdb

    return _configure(duckdb.connect(str(path), read_only=read_only))


def _configure(con: Any) -> Any:
    for setting in SETTINGS:
        con.execute(setting)
    return con


_canonical_paths: dict[Path, Path] = {}


def _canonical(path: Path) -> Path:
    """``path`` resolved once its folder exists (every SQL task asks; realpath costs a few stats)."""
    found = _canonical_paths.get(path)
    if found is not None:
        return found
    if not path.parent.exists():
        return path
    found = _canonical_paths[path] = path.resolve()
    return found


def _translate(path: Path, exc: BaseException) -> WarehouseError:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "not a valid DuckDB database" in text or "Corrupt" in text:
        return WarehouseError(f"{path}: not a valid DuckDB warehouse file (move it away to start afresh)")
    if "Permission denied" in text or "Read-only file system" in text:
        return WarehouseError(f"{path}: the warehouse is not writable ({text})")
    return WarehouseError(f"{path}: cannot open the warehouse ({text})")


def _take_flock(path: Path, run_id: int, cancel: threading.Event | None) -> int:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(str(path.with_name(path.name + ".lock")), os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise WarehouseError(f"{path}: the warehouse is not writable ({exc.strerror})") from exc
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if cancel is not None and cancel.wait(POLL_S * 5):
                os.close(fd)
                raise WarehouseBusyError(
                    f"run {run_id} was cancelled while waiting for the warehouse"
                ) from None
            if cancel is None:
                time.sleep(POLL_S * 5)
    try:
        tmp = _holder_file(path).with_suffix(".tmp")
        tmp.write_text(json.dumps({"run_id": run_id, "pid": os.getpid()}))
        tmp.replace(_holder_file(path))
    except OSError:
        pass  # only a nicer message for readers depends on it
    return fd


def _open_for_write(path: Path, run_id: int, cancel: threading.Event | None) -> _Holder:
    fd = _take_flock(path, run_id, cancel)
    deadline = time.monotonic() + OPEN_WAIT_S
    while True:
        try:
            return _Holder(run_id=run_id, con=_open(path, read_only=False), lock_fd=fd)
        except Exception as exc:  # noqa: BLE001 - duckdb raises several types for one cause
            if _is_lock_error(exc) and time.monotonic() < deadline and not (cancel and cancel.is_set()):
                time.sleep(POLL_S)  # a reader in another process: it lets go within READ_WAIT_S
                continue
            _release_flock(path, fd)
            raise (
                WarehouseBusyError(busy_message(path, str(exc)))
                if _is_lock_error(exc)
                else _translate(path, exc)
            ) from exc


def _release_flock(path: Path, fd: int) -> None:
    with contextlib.suppress(OSError):
        _holder_file(path).unlink()
    with contextlib.suppress(OSError):
        fcntl.flock(fd, fcntl.LOCK_UN)
    with contextlib.suppress(OSError):
        os.close(fd)


def _close(path: Path, holder: _Holder) -> None:
    with _registry:
        if _holders.get(path) is not holder or holder.refs > 0:
            return
        del _holders[path]
    if holder.checkpoint is not None:
        holder.checkpoint.join()
    with contextlib.suppress(Exception):
        holder.con.close()
    _release_flock(path, holder.lock_fd)


def checkpoint_soon(path: Path, run_id: int, *, appended: int = 0) -> None:
    """Write what ``run_id`` committed into the database file now, on a side thread, instead of
    when its connection closes at the run's end (DuckDB checkpoints on close): the work that
    follows (the engine storing the task's result) overlaps it. The close waits for it; a
    checkpoint that cannot run now (another write is active) is left to the close.

    ``appended``: rows the run appended to a table. At least a row group's worth
    (:data:`ROW_GROUP_ROWS`) and the checkpoint leaves the table's earlier row groups as they
    are (DuckDB's vacuum off for it): the append's own row groups are full but for its last, and
    merging that one with the previous append's rewrote a whole batch's rows every second batch
    (a 300k-row batch's checkpoint took 60 ms instead of 2). A smaller append is merged into the
    row groups before it, as DuckDB does by default: appends of 10k rows kept apart would leave
    one row group each."""
    path = _canonical(path)
    with _registry:
        holder = _holders.get(path)
        if holder is None or holder.run_id != run_id or holder.checkpoint is not None:
            return
        cursor = holder.con.cursor()
        holder.checkpoint = thread = threading.Thread(
            target=_checkpoint, args=(cursor, appended < ROW_GROUP_ROWS), name="warehouse-checkpoint", daemon=True
        )
    thread.start()


ROW_GROUP_ROWS = 122_880  # DuckDB's row group size


def _checkpoint(cursor: Any, vacuum: bool = True) -> None:
    try:
        if not vacuum:
            cursor.execute("SET GLOBAL max_vacuum_tasks = 0")
        cursor.execute("CHECKPOINT")
    except Exception:  # noqa: BLE001, S110 - another write transaction is active: the close checkpoints
        pass
    finally:
        if not vacuum:
            with contextlib.suppress(Exception):
                cursor.execute("RESET GLOBAL max_vacuum_tasks")
        with contextlib.suppress(Exception):
            cursor.close()


@contextlib.contextmanager
def write_cursor(path: Path, run_id: int, cancel: threading.Event | None = None) -> Iterator[Any]:
    """A cursor on the warehouse for one SQL task of ``run_id``; queues behind other runs."""
    path = _canonical(path)
    holder = _join(path, run_id)
    if holder is None:
        with _registry:
            gate = _acquiring.setdefault(path, threading.Lock())
        with gate:
            holder = _join(path, run_id)
            if holder is None:
                opened = _open_for_write(path, run_id, cancel)
                with _registry:
                    opened.refs = 1
                    _holders[path] = holder = opened
    cursor = holder.con.cursor()
    try:
        yield cursor
    finally:
        with contextlib.suppress(Exception):
            cursor.close()
        _leave(path, holder)


def _join(path: Path, run_id: int) -> _Holder | None:
    with _registry:
        holder = _holders.get(path)
        if holder is None or holder.run_id != run_id:
            return None
        holder.refs += 1
        if holder.timer is not None:
            holder.timer.cancel()
            holder.timer = None
        return holder


def _leave(path: Path, holder: _Holder) -> None:
    with _registry:
        holder.refs -= 1
        if holder.refs > 0:
            return
        timer = holder.timer = threading.Timer(LINGER_S, _close, (path, holder))
        timer.daemon = True
    timer.start()


def release_run(path: Path, run_id: int) -> None:
    """The run ended: close its write connection now instead of after the linger."""
    path = _canonical(path)
    with _registry:
        holder = _holders.get(path)
        if holder is None or holder.run_id != run_id or holder.refs > 0:
            return
        if holder.timer is not None:
            holder.timer.cancel()
    _close(path, holder)


@contextlib.contextmanager
def read_cursor(path: Path, *, wait_s: float = READ_WAIT_S) -> Iterator[Any]:
    """A read connection: this process's writer if it has one, else read-only with retries.

    A missing warehouse reads as an empty in-memory database. After ``wait_s`` of a lock
    held elsewhere, raises WarehouseBusyError naming the run and pid that write it.
    """
    path = _canonical(path)
    with _registry:
        holder = _holders.get(path)
        if holder is not None:
            holder.refs += 1
            if holder.timer is not None:
                holder.timer.cancel()
                holder.timer = None
    if holder is not None:
        cursor = holder.con.cursor()
        try:
            yield cursor
        finally:
            with contextlib.suppress(Exception):
                cursor.close()
            _leave(path, holder)
        return
    con = _connect_reader(path, wait_s)
    try:
        yield con
    finally:
        with contextlib.suppress(Exception):
            con.close()


def _connect_reader(path: Path, wait_s: float) -> Any:
    import duckdb

    if not path.exists():
        return _configure(duckdb.connect(":memory:"))
    deadline = time.monotonic() + wait_s
    while True:
        try:
            return _open(path, read_only=True)
        except Exception as exc:  # noqa: BLE001 - duckdb raises several types for one cause
            if not _is_lock_error(exc):
                raise _translate(path, exc) from exc
            if time.monotonic() >= deadline:
                raise WarehouseBusyError(busy_message(path, str(exc).splitlines()[0])) from exc
            time.sleep(POLL_S * 2)
