"""Processes a task forks: none may outlive the task holding the store's files.

A forked child shares the parent's open files, the state database among them. Two ways it
goes wrong: the child returns from the task into ops-console's own code (a fork without
``os._exit``), where it would write results and events as a second, unsynchronised
writer; or the child keeps running after the task ended (a daemon left unjoined).

``os.fork`` is wrapped so each child a task forks is remembered with its task. A child
that comes back into the engine exits at once (``leave_if_forked_child``) after one line
in the task's log. When an attempt ends, children of its task still alive are killed and
reaped, and the attempt fails naming them (``end_orphans``). Children made with
``subprocess`` or the process pool do not go through ``os.fork`` and are not affected.
"""

from __future__ import annotations

import os
import signal
import threading
import time

from console.engine import logs

_lock = threading.Lock()
_children: dict[int, list[int]] = {}  # id(task log) -> pids it forked
_in_task_child = False
_installed = False
_fork = os.fork


def _tracked_fork() -> int:
    log = logs.current()
    pid = _fork()
    if pid == 0:
        global _in_task_child
        _in_task_child = log is not None
    elif log is not None:
        with _lock:
            _children.setdefault(id(log), []).append(pid)
    return pid


def install() -> None:
    """Wrap ``os.fork`` once per process."""
    global _installed
    with _lock:
        if _installed or not hasattr(os, "fork"):
            return
        _installed = True
        os.fork = _tracked_fork


def leave_if_forked_child(log: logs.TaskLog) -> None:
    """In a child a task forked that came back into the engine: note it and exit now."""
    if not _in_task_child:
        return
    line = f"{time.strftime('%H:%M:%S')} WARNING process {os.getpid()} forked by this task returned "
    line += "into ops-console without exiting; it was ended\n"
    try:
        fd = os.open(log.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.write(fd, line.encode())
        os.close(fd)
    finally:
        os._exit(0)


def end_orphans(log: logs.TaskLog, grace_s: float = 2.0) -> list[int]:
    """Kill and reap the children ``log``'s task forked that are still alive; return their pids."""
    if not _children:  # no task forked: the common case costs one dict check, no lock
        return []
    with _lock:
        pids = _children.pop(id(log), [])
    alive = [pid for pid in pids if not _reaped(pid)]
    if not alive:
        return []
    deadline = time.monotonic() + grace_s
    while alive and time.monotonic() < deadline:  # a child finishing its last line
        time.sleep(0.02)
        alive = [pid for pid in alive if not _reaped(pid)]
    for pid in alive:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
    return alive


def _reaped(pid: int) -> bool:
    """True when ``pid`` has exited (reaping it) or is not our child any more."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return done == pid
