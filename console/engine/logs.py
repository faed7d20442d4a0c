"""Per-task log files: ``print`` and ``logging`` inside a task land in that task's log.

``sys.stdout``/``sys.stderr`` are wrapped by proxies that look at a thread-local: in a
task's worker thread (and the threads it starts, see ``log_capture``) they write to the
task's file, text and bytes (``sys.stdout.buffer``) alike, elsewhere to the real stream.
A file is only created when a task writes something, so 2,000 silent tasks cost no I/O.

Lines end at ``\n`` only (``\r\n`` counts as one end): a ``\r`` progress update stays
inside its line, so the stored line count and every reader agree.
"""

from __future__ import annotations

import io
import sys
import threading
import weakref
from pathlib import Path
from typing import Any, TextIO

from console.store import log_stamps
from console.store.private import private_opener

_current = threading.local()
_install_lock = threading.Lock()
# logs holding an open file or an unfinished line, flushed before a forced exit
_live: weakref.WeakSet[TaskLog] = weakref.WeakSet()


class TaskLog:
    """An append-only, line-buffered log file for one task attempt; counts its lines."""

    def __init__(self, folder: Path, name: str, prefix: str = "") -> None:
        self.folder = folder
        self.name = name
        self.prefix = prefix
        self.lines = 0
        self._fh: TextIO | None = None
        self._partial = ""
        self._lock = threading.Lock()
        self._live = False  # in ``_live``: a silent task's log never touches the WeakSet

    def write(self, text: str) -> None:
        if not text:
            return
        with self._lock:
            if not self._live:
                self._live = True
                _live.add(self)
            data = (self._partial + text).replace("\r\n", "\n")
            parts = data.split("\n")
            self._partial = parts.pop()
            if parts:
                self._emit(parts)

    def line(self, message: str) -> None:
        with self._lock:
            self._emit(message.split("\n"))

    def _emit(self, lines: list[str]) -> None:
        if self._fh is None:
            if not self._live:
                self._live = True
                _live.add(self)
            self.folder.mkdir(parents=True, exist_ok=True)
            self._fh = open(  # noqa: SIM115 - owner-only, like the artifacts
                self.path, "a", encoding="utf-8", errors="replace", buffering=1, opener=private_opener
            )
        stamp = log_stamps.stamp()  # ISO 8601 with the offset: unambiguous anywhere it is read
        self._fh.write("".join(f"{stamp} {self.prefix}{ln}\n" for ln in lines))
        self.lines += len(lines)

    @property
    def path(self) -> Path:
        return self.folder / f"{self.name}.log"

    def flush(self) -> None:
        """Write an unfinished last line out (before the process stops)."""
        with self._lock:
            if self._partial:
                self._emit([self._partial])
                self._partial = ""
            if self._fh is not None:
                self._fh.flush()

    def close(self) -> None:
        if not self._live:  # nothing was ever written: nothing to flush or close
            return
        with self._lock:
            if self._partial:
                self._emit([self._partial])
                self._partial = ""
            if self._fh is not None:
                self._fh.close()
                self._fh = None
            _live.discard(self)
            self._live = False


def flush_open_logs() -> None:
    """Flush every task log still in use (tasks that ignored cancel), before an exit."""
    for log in list(_live):
        try:
            log.flush()
        except (OSError, ValueError):
            pass  # a log we cannot write must not stop the exit


def append_lines(folder: Path, name: str, lines: list[str]) -> None:
    """Append already-stamped lines (from a remote worker) to a task's log file."""
    if not lines:
        return
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{name}.log", "a", encoding="utf-8", errors="replace", opener=private_opener) as fh:
        fh.write("".join(f"{ln}\n" for ln in lines))


def current() -> TaskLog | None:
    """The task log bound to this thread, if any."""
    return getattr(_current, "log", None)


class _BinaryProxy(io.RawIOBase):
    """``sys.stdout.buffer`` in a task: bytes are decoded (bad bytes replaced) into its log."""

    def __init__(self, proxy: _StreamProxy) -> None:
        self._proxy = proxy

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        raw = bytes(data)
        log = current()
        if log is not None:
            log.write(raw.decode("utf-8", errors="replace"))
        else:
            self._proxy.real.buffer.write(raw)
        return len(raw)

    def flush(self) -> None:
        if current() is None:
            self._proxy.real.buffer.flush()

    def fileno(self) -> int:
        return self._proxy.real.fileno()


class _StreamProxy(io.TextIOBase):
    """Routes writes to the current thread's task log, else to the wrapped stream."""

    def __init__(self, real: TextIO) -> None:
        self.real = real
        self._buffer = _BinaryProxy(self)

    @property
    def buffer(self) -> Any:
        if current() is None and not hasattr(self.real, "buffer"):
            raise AttributeError("buffer")
        return self._buffer

    def write(self, text: str) -> int:
        log: TaskLog | None = getattr(_current, "log", None)
        if log is not None:
            log.write(text)
        else:
            self.real.write(text)
        return len(text)

    def flush(self) -> None:
        if getattr(_current, "log", None) is None:
            self.real.flush()

    def isatty(self) -> bool:
        return self.real.isatty()

    def fileno(self) -> int:
        return self.real.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.real, "encoding", "utf-8")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def install() -> None:
    """Wrap stdout/stderr and capture logging and helper threads; safe to call again.

    Calling it again re-wraps a stream someone replaced since (Textual restores the
    terminal's stdout when the console exits, while tasks may still be printing).
    """
    from console.engine import forks, log_capture

    forks.install()
    with _install_lock:
        if not isinstance(sys.stdout, _StreamProxy):
            sys.stdout = _StreamProxy(sys.stdout)
        if not isinstance(sys.stderr, _StreamProxy):
            sys.stderr = _StreamProxy(sys.stderr)
        log_capture.install()


def bind(log: TaskLog | None) -> None:
    """Make ``log`` the destination for this thread (``None`` to unbind)."""
    _current.log = log


class TaskLogger:
    """``ctx.logger``: the usual logging methods, written to the task's log."""

    def __init__(self, log: TaskLog) -> None:
        self._log = log

    def _write(self, level: str, msg: str, *args: Any) -> None:
        text = msg % args if args else str(msg)
        self._log.line(text if level == "INFO" else f"{level} {text}")

    def debug(self, msg: str, *args: Any) -> None:
        self._write("DEBUG", msg, *args)

    def info(self, msg: str, *args: Any) -> None:
        self._write("INFO", msg, *args)

    def warning(self, msg: str, *args: Any) -> None:
        self._write("WARNING", msg, *args)

    warn = warning

    def error(self, msg: str, *args: Any) -> None:
        self._write("ERROR", msg, *args)

    def exception(self, msg: str, *args: Any) -> None:
        import traceback

        self._write("ERROR", msg, *args)
        self._log.line(traceback.format_exc().rstrip())
