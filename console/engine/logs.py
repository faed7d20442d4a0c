"""Per-task log files: ``print`` and ``logging`` inside a task land in that task's log.

``sys.stdout``/``sys.stderr`` are wrapped once by proxies that look at a thread-local:
in a task's worker thread they write to the task's file, elsewhere to the real stream.
A file is only created when a task writes something, so 2,000 silent tasks cost no I/O.
"""

from __future__ import annotations

import io
import logging
import sys
import threading
import time
from pathlib import Path
from typing import Any, TextIO

from console.store.private import private_opener

_current = threading.local()
_install_lock = threading.Lock()


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

    def write(self, text: str) -> None:
        if not text:
            return
        with self._lock:
            data = self._partial + text
            parts = data.split("\n")
            self._partial = parts.pop()
            if parts:
                self._emit(parts)

    def line(self, message: str) -> None:
        with self._lock:
            self._emit(message.split("\n"))

    def _emit(self, lines: list[str]) -> None:
        if self._fh is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._fh = open(  # noqa: SIM115 - owner-only, like the artifacts
                self.path, "a", encoding="utf-8", errors="replace", buffering=1, opener=private_opener
            )
        stamp = time.strftime("%H:%M:%S")
        self._fh.write("".join(f"{stamp} {self.prefix}{ln}\n" for ln in lines))
        self.lines += len(lines)

    @property
    def path(self) -> Path:
        return self.folder / f"{self.name}.log"

    def close(self) -> None:
        with self._lock:
            if self._partial:
                self._emit([self._partial])
                self._partial = ""
            if self._fh is not None:
                self._fh.close()
                self._fh = None


def append_lines(folder: Path, name: str, lines: list[str]) -> None:
    """Append already-stamped lines (from a remote worker) to a task's log file."""
    if not lines:
        return
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{name}.log", "a", encoding="utf-8", errors="replace", opener=private_opener) as fh:
        fh.write("".join(f"{ln}\n" for ln in lines))


class _StreamProxy(io.TextIOBase):
    """Routes writes to the current thread's task log, else to the wrapped stream."""

    def __init__(self, real: TextIO) -> None:
        self.real = real

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


class _TaskLogHandler(logging.Handler):
    """A root logging handler that writes records emitted inside a task to its log."""

    def emit(self, record: logging.LogRecord) -> None:
        log: TaskLog | None = getattr(_current, "log", None)
        if log is None:
            return
        try:
            log.line(f"{record.levelname} {record.name}: {record.getMessage()}")
        except Exception:  # noqa: BLE001 - logging must never break a task
            self.handleError(record)


def install() -> None:
    """Wrap stdout/stderr and add the logging handler, once per process."""
    with _install_lock:
        if not isinstance(sys.stdout, _StreamProxy):
            sys.stdout = _StreamProxy(sys.stdout)
        if not isinstance(sys.stderr, _StreamProxy):
            sys.stderr = _StreamProxy(sys.stderr)
        root = logging.getLogger()
        if not any(isinstance(h, _TaskLogHandler) for h in root.handlers):
            root.addHandler(_TaskLogHandler(level=logging.DEBUG))


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
