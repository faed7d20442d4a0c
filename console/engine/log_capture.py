"""What a task logs and the threads it starts reach its log, without changing logging elsewhere.

Logging: Python drops a record below a logger's effective level before any handler sees
it, and the root logger's default is WARNING, so ``logging.getLogger(__name__).info(...)``
in a task vanished. Inside a task (a thread with a task log bound) a logger is enabled
down to the level set on it or an ancestor below the root, else down to INFO. Such a
record goes to the task's log only; the process's own handlers get exactly the records
they got before. Outside tasks nothing changes (one thread-local lookup when disabled).

Threads: a thread started inside a task inherits the task's log binding, so its
``print`` and logging reach the task's log rather than the CLI's stdout. Threads of
ops-console itself (their target lives in ``console.``) never inherit.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from console.engine import logs

TASK_DEFAULT_LEVEL = logging.INFO
_installed = False
_lock = threading.Lock()
_enabled_for: Callable[[logging.Logger, int], bool] = logging.Logger.isEnabledFor
_call_handlers: Callable[[logging.Logger, logging.LogRecord], None] = logging.Logger.callHandlers
_thread_start: Callable[[threading.Thread], None] = threading.Thread.start


def task_level(logger: logging.Logger) -> int:
    """The level a logger captures at inside a task: its own (or an ancestor's), else INFO."""
    node: logging.Logger | None = logger
    while node is not None and node.parent is not None:  # stop before the root
        if node.level:
            return node.level
        node = node.parent if node.propagate else None
    return min(logging.getLogger().level or TASK_DEFAULT_LEVEL, TASK_DEFAULT_LEVEL)


def _is_enabled_for(self: logging.Logger, level: int) -> bool:
    if _enabled_for(self, level):
        return True
    if logs.current() is None or self.disabled or self.manager.disable >= level:
        return False
    return level >= task_level(self)


def _format(record: logging.LogRecord) -> str:
    text = f"{record.levelname} {record.name}: {record.getMessage()}"
    if record.exc_info:
        text += "\n" + logging.Formatter().formatException(record.exc_info)
    return text


def _handle_record(self: logging.Logger, record: logging.LogRecord) -> None:
    log = logs.current()
    if log is None:
        _call_handlers(self, record)
        return
    try:
        log.line(_format(record))
    except Exception:  # noqa: BLE001 - logging must never break a task
        pass
    # the process's own handlers see what they always saw; with none, Python's last-resort
    # handler would print the record again to stderr, which in a task is this same log
    if record.levelno >= self.getEffectiveLevel() and self.hasHandlers():
        _call_handlers(self, record)


def _start(self: threading.Thread) -> None:
    log = logs.current()
    target = getattr(self, "_target", None)
    owner = getattr(target, "__module__", None) or type(self).__module__
    if log is not None and not (owner or "").startswith("console."):
        run = self.run

        def bound_run() -> None:
            logs.bind(log)
            try:
                run()
            finally:
                logs.bind(None)

        self.run = bound_run  # type: ignore[method-assign]
    _thread_start(self)


def install() -> None:
    """Patch logging and threading once per process (idempotent)."""
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
        logging.Logger.isEnabledFor = _is_enabled_for  # type: ignore[method-assign]
        logging.Logger.callHandlers = _handle_record  # type: ignore[method-assign]
        threading.Thread.start = _start  # type: ignore[method-assign]


def installed_state() -> dict[str, Any]:
    """For tests: whether the patches are in place."""
    return {
        "logging": logging.Logger.isEnabledFor is _is_enabled_for,
        "threads": threading.Thread.start is _start,
    }
