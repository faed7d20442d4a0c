"""Helpers the console tests import by name (a conftest is not importable: several share the name)."""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any


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


def make_session(root: Any, *, read_only: bool = False) -> Any:
    from console.session import Session

    return Session(argparse.Namespace(project=str(root), read_only=read_only, executor=None, scheduler=None))
