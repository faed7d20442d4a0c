"""Kafka consumers kept between the batches of one process.

A service that runs a Kafka pipeline every few seconds (a ``kafka_lag`` trigger) would otherwise
make a consumer per batch: its broker connections, its first metadata and watermark requests on
fresh connections and its ``close()`` cost ~25-40 ms of a 500k-message batch here. A batch takes an
idle consumer made with the same configuration, or makes one; a batch that ended well gives it
back ``unassign()``-ed (librdkafka drops what it fetched ahead), one that failed closes it. The
offsets are never the consumer's: every batch ``assign()``s from those the warehouse stored.

At most ``KEEP`` consumers wait, each at most ``IDLE_S`` (a timer closes them then: an idle
librdkafka client is not free, ~4% of a core while its broker is gone), and all of them at exit.
A process forked from this one never touches them.
"""

from __future__ import annotations

import atexit
import os
import threading
import time
from collections.abc import Callable
from typing import Any

KEEP = 2  # idle consumers kept (say, two Kafka pipelines served by one process)
IDLE_S = 30.0  # an idle consumer older than this is closed (a lag trigger's next batch comes sooner)

Key = tuple[tuple[str, str], ...]
_idle: list[tuple[Key, float, Any]] = []  # (configuration, idle since, consumer), oldest first
_lock = threading.Lock()
_pid = os.getpid()
_atexit = False


def key_of(config: dict[str, Any]) -> Key:
    """A configuration as a key: consumers made from equal ones are interchangeable."""
    return tuple(sorted((str(k), repr(v)) for k, v in config.items()))


def take(config: dict[str, Any], make: Callable[[], Any]) -> Any:
    """An idle consumer made with ``config``, else a new one from ``make()``."""
    key = key_of(config)
    found = None
    with _lock:
        stale = _stale()
        if os.getpid() == _pid:
            for i in range(len(_idle) - 1, -1, -1):
                if _idle[i][0] == key:
                    found = _idle.pop(i)[2]
                    break
    _close(stale)
    return found if found is not None else make()


def give_back(config: dict[str, Any], consumer: Any) -> None:
    """A consumer whose batch ended well: kept for the next batch with ``config``, or closed."""
    global _atexit
    try:
        consumer.unassign()  # its queued messages and positions go with the assignment
    except Exception:  # noqa: BLE001 - a consumer in trouble is not kept
        _close([consumer])
        return
    with _lock:
        extra = _stale()
        if os.getpid() == _pid:
            _idle.append((key_of(config), time.monotonic(), consumer))
            while len(_idle) > KEEP:
                extra.append(_idle.pop(0)[2])
            if not _atexit:
                atexit.register(close_all)
                _atexit = True
            reaper = threading.Timer(IDLE_S + 0.5, _reap)
            reaper.daemon = True
            reaper.start()
        else:
            extra.append(consumer)
    _close(extra)


def _reap() -> None:
    with _lock:
        stale = _stale()
    _close(stale)


def close_all() -> None:
    """Close every idle consumer (at exit, and for tests)."""
    with _lock:
        idle = [c for _, _, c in _idle] if os.getpid() == _pid else []
        _idle.clear()
    _close(idle)


def idle_count() -> int:
    with _lock:
        return len(_idle)


def _stale() -> list[Any]:
    """Pop the consumers idle too long (the caller holds the lock and closes them after)."""
    now = time.monotonic()
    old = [c for _, since, c in _idle if now - since > IDLE_S]
    _idle[:] = [item for item in _idle if now - item[1] <= IDLE_S]
    return old


def _close(consumers: list[Any]) -> None:
    for consumer in consumers:
        try:
            consumer.close()
        except Exception:  # noqa: BLE001 - closing is best effort; the process may be ending
            pass
