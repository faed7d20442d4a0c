"""Shared helpers of the trigger tests (imported by name: the tests folder is not a package)."""

from __future__ import annotations

import textwrap
import time
from collections.abc import Callable
from typing import Any

T0 = 1767225600.0  # 2026-01-01T00:00:00Z


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, t: float = T0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> float:
        self.t += seconds
        return self.t


def write(project: Any, name: str, source: str) -> Any:
    return project.write(name, textwrap.dedent(source))


def wait_until(predicate: Callable[[], Any], timeout: float = 10.0, step: float = 0.05) -> Any:
    """Poll ``predicate`` until it is truthy; fail the test with a clear message otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"condition not met within {timeout}s")


def runs_of(engine: Any, pipeline: str | None = None) -> list[dict[str, Any]]:
    from console.store.runs import list_runs

    engine.store.writer.flush()
    return sorted(list_runs(engine.store.db, pipeline=pipeline, limit=1000), key=lambda r: r["id"])
