"""Ending a command on time: signals that stop a run, and an exit past tasks that ignore cancel.

A task thread that never returns (``while True: sleep``) survives its timeout and its
cancel: Python cannot kill a thread, and interpreter shutdown joins the executor's worker
threads, so the command would live on after its run was recorded. Once the run's final
state is flushed to the store, ``exit_past_stuck_tasks`` ends the process with the
command's exit code instead of waiting for such a thread.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

EXIT_INTERRUPTED = 130
STUCK_GRACE_S = 2.0


def stuck_threads() -> list[threading.Thread]:
    """Threads interpreter shutdown would wait for (besides the main one)."""
    # executor workers are joined at exit even when daemonic (they inherit the flag from
    # the run's driver thread), so they count whatever their flag says
    return [
        t
        for t in threading.enumerate()
        if t is not threading.main_thread()
        and t.is_alive()
        and (not t.daemon or t.name.startswith("opsconsole-task"))
    ]


def exit_past_stuck_tasks(code: int, close: Callable[[], None], *, grace_s: float = STUCK_GRACE_S) -> None:
    """Call ``close`` (cancel, flush the logs and the store), then exit with ``code`` now if
    a task still holds a thread.

    Returns normally when nothing is stuck (the usual case), so the caller's own exit
    path runs. The store is flushed and closed before any ``os._exit``.
    """
    close()  # idempotent (Session.close): the CLI's own close afterwards does nothing
    deadline = time.monotonic() + grace_s
    stuck = stuck_threads()
    while stuck and time.monotonic() < deadline:
        # join, not a poll: the pool's threads end just after its shutdown, and sleeping 50 ms
        # between looks kept a finished command waiting up to 50 ms (seen: 100) for nothing
        waiting = [t for t in stuck if t is not threading.current_thread()]
        if not waiting:
            time.sleep(0.05)  # only this thread itself (called off the main thread): wait it out
        else:
            waiting[0].join(max(deadline - time.monotonic(), 0.0))
        stuck = stuck_threads()
    if not stuck:
        return
    sys.stderr.write(f"opsconsole: a task ignored cancel ({stuck[0].name}); exiting without waiting for it\n")
    _flush_and_exit(code)


def _flush_and_exit(code: int) -> None:
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass  # a closed or broken stream: nothing more to say
    os._exit(code)


def on_stop_signals(
    stop: threading.Event, received: list[int], *, second_exit: int | Callable[[int], int]
) -> Callable[[], None]:
    """SIGINT/SIGTERM set ``stop``; a second one exits at once with ``second_exit`` (a code, or
    a function of the signal number).

    Returns a function restoring the previous handlers (a no-op off the main thread).
    """
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum: int, frame: Any) -> None:
        if stop.is_set():
            _flush_and_exit(second_exit(signum) if callable(second_exit) else second_exit)
        received.append(signum)
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}

    def restore() -> None:
        for sig, old in previous.items():
            signal.signal(sig, old)

    return restore
