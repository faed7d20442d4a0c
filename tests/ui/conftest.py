"""Fixtures for the console tests: a small project, an app on it, and a wait helper."""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

PIPELINES = {
    "quick.py": """
        from console import Pipeline

        p = Pipeline("quick", params={"n": 3})

        @p.task
        def numbers(n):
            return list(range(n))

        @p.task
        def total(numbers, ctx):
            for i in numbers:
                print(f"line {i}")
            ctx.log_metric("total", sum(numbers))
            return sum(numbers)
    """,
    "slow.py": """
        from console import Pipeline

        p = Pipeline("slow")

        @p.task
        def wait(ctx):
            print("waiting")
            ctx.sleep(20)

        @p.task
        def after(wait):
            return 1
    """,
    "flaky.py": """
        from console import Pipeline

        p = Pipeline("flaky", params={"fail": True})

        @p.task
        def first():
            return 1

        @p.task
        def boom(first, fail):
            if fail:
                raise ValueError("boom: bad input row 7")
            return first
    """,
}


@pytest.fixture
def ui_project(project: Any) -> Any:
    for name, source in PIPELINES.items():
        project.write(name, source)
    return project


def make_session(root: Any, *, read_only: bool = False) -> Any:
    from console.session import Session

    return Session(argparse.Namespace(project=str(root), read_only=read_only, executor=None, scheduler=None))


@pytest.fixture
def session_factory(ui_project: Any) -> Iterator[Callable[..., Any]]:
    sessions: list[Any] = []

    def make(read_only: bool = False) -> Any:
        session = make_session(ui_project.root, read_only=read_only)
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        session.close()


async def wait_for(pilot: Any, check: Callable[[], Any], timeout: float = 10.0, what: str = "") -> Any:
    """Let the app run until ``check()`` is truthy; fail naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what or check}")


def run(coro: Awaitable[Any]) -> Any:
    return asyncio.run(coro)  # type: ignore[arg-type]


def screen_text(app: Any) -> str:
    """What the terminal shows now, as plain text: the compositor's full frame (stale rows included)."""
    import io

    from rich.console import Console

    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True, force_terminal=True)
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()
