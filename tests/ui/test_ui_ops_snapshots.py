"""Snapshots of the day-2 screens on the fixed demo store: timeline, diff, mark modal, log search."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from demo_store import BROKEN, NOW_OFFSET, T0, fill
from ui_helpers import wait_for

from console.ui.app import OpsConsoleApp

SIZE = (100, 30)


@pytest.fixture
def demo_app(ui_project: Any, session_factory: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[OpsConsoleApp]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    ui_project.write("broken_thing.py", BROKEN)
    session = session_factory()
    fill(session)
    yield OpsConsoleApp(session, clock=lambda: T0 + NOW_OFFSET, live=False)
    monkeypatch.delenv("TZ")
    time.tzset()


async def settle(pilot: Any) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.1)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.05)


async def loaded(pilot: Any) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: app.pipelines and app.runs_pane.table.row_count == 5, what="demo loaded")
    await settle(pilot)


async def open_run_2(pilot: Any) -> Any:
    await loaded(pilot)
    await pilot.press("down", "down", "down", "enter")
    detail = await wait_for(pilot, lambda: getattr(pilot.app.screen, "run_id", None) == 2 and pilot.app.screen)
    await wait_for(pilot, lambda: detail.tasks, what="tasks")
    await settle(pilot)
    return detail


def test_timeline_screen(demo_app: OpsConsoleApp, snap_compare: Any) -> None:
    async def timeline(pilot: Any) -> None:
        await open_run_2(pilot)
        await pilot.press("t")
        await wait_for(pilot, lambda: getattr(pilot.app.screen, "timeline", None) is not None, what="timeline")
        await settle(pilot)

    assert snap_compare(demo_app, terminal_size=SIZE, run_before=timeline)


def test_mark_modal(demo_app: OpsConsoleApp, snap_compare: Any) -> None:
    async def modal(pilot: Any) -> None:
        await open_run_2(pilot)
        await pilot.press("m")
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "MarkModal", what="modal")
        await settle(pilot)

    assert snap_compare(demo_app, terminal_size=SIZE, run_before=modal)


def test_diff_screen(demo_app: OpsConsoleApp, snap_compare: Any) -> None:
    async def diff(pilot: Any) -> None:
        await loaded(pilot)
        await pilot.press("down", "down", "space", "down", "down", "space", "d")
        screen = await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "DiffScreen" and pilot.app.screen)
        await wait_for(pilot, lambda: "tasks:" in str(screen.query_one("#diff").render()), what="diff")
        pilot.app.clear_notifications()
        await settle(pilot)

    assert snap_compare(demo_app, terminal_size=SIZE, run_before=diff)


def test_log_search_screen(demo_app: OpsConsoleApp, snap_compare: Any) -> None:
    async def search(pilot: Any) -> None:
        await loaded(pilot)
        await pilot.press("S")
        screen = await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "LogSearchScreen" and pilot.app.screen)
        await pilot.press(*"line \\d|row 7", "enter")
        await wait_for(pilot, lambda: len(screen.matches) == 5, what="matches")
        await settle(pilot)

    assert snap_compare(demo_app, terminal_size=SIZE, run_before=search)
