"""Snapshots of every screen on a fixed demo store (fixed ids, timestamps and clock; UTC)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from demo_store import BROKEN, NOW_OFFSET, T0, fill
from textual.widgets import DataTable
from ui_helpers import wait_for

from console.ui.app import OpsConsoleApp

SIZE = (100, 30)


@pytest.fixture
def demo_app(
    ui_project: Any, session_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[OpsConsoleApp]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    ui_project.write("broken_thing.py", BROKEN)
    session = session_factory()
    fill(session)
    yield OpsConsoleApp(session, clock=lambda: T0 + NOW_OFFSET, live=False)
    monkeypatch.delenv("TZ")
    time.tzset()


async def settle(pilot: Any) -> None:
    """Let every worker finish and the screen repaint, so the snapshot is deterministic."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.1)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.05)
    # a DataTable sizes its columns to new rows on its next idle; a busy loop can defer that
    await wait_for(
        pilot,
        lambda: not any(
            t._require_update_dimensions for screen in pilot.app.screen_stack for t in screen.query(DataTable)
        ),
        what="tables laid out",
    )
    await pilot.pause(0.05)


def loaded(app: OpsConsoleApp) -> Any:
    async def ready(pilot: Any) -> None:
        await wait_for(
            pilot, lambda: app.pipelines and app.runs_pane.table.row_count == 5, what="demo loaded"
        )
        await wait_for(
            pilot, lambda: "#5" in str(app.runs_pane.query_one("#preview").render()), what="preview"
        )
        await settle(pilot)

    return ready


def test_runs_tab(demo_app: OpsConsoleApp, snap_compare: Any) -> None:
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=loaded(demo_app))


def test_runs_tab_80x24(demo_app: OpsConsoleApp, snap_compare: Any) -> None:
    assert snap_compare(demo_app, terminal_size=(80, 24), run_before=loaded(demo_app))


def test_run_detail(demo_app: OpsConsoleApp, snap_compare: Any) -> None:
    async def open_failed(pilot: Any) -> None:
        await loaded(demo_app)(pilot)
        await pilot.press("down", "down", "down", "enter")
        detail = await wait_for(
            pilot, lambda: getattr(demo_app.screen, "run_id", None) == 2 and demo_app.screen
        )
        log = detail.query_one("#log")
        await wait_for(pilot, lambda: len(log.lines) == 5, what="the log")
        await wait_for(pilot, lambda: "CHECKS" in str(detail.query_one("#checks-title").render()))
        await settle(pilot)

    assert snap_compare(demo_app, terminal_size=SIZE, run_before=open_failed)


def test_quality_tab(demo_app: OpsConsoleApp, snap_compare: Any) -> None:
    async def quality(pilot: Any) -> None:
        await loaded(demo_app)(pilot)
        await pilot.press("2")
        pane = demo_app.query_one("QualityPane")
        await wait_for(pilot, lambda: pane.rows, what="checks")
        await pilot.press("down")
        await wait_for(pilot, lambda: "HISTORY between" in str(pane.query_one("#history-title").render()))
        await settle(pilot)

    assert snap_compare(demo_app, terminal_size=SIZE, run_before=quality)


def test_quality_tab_60_columns(demo_app: OpsConsoleApp, snap_compare: Any) -> None:
    """Optional columns (observed, task, failing) drop; names cut with an ellipsis."""

    async def quality(pilot: Any) -> None:
        await loaded(demo_app)(pilot)
        await pilot.press("2")
        pane = demo_app.query_one("QualityPane")
        await wait_for(pilot, lambda: pane.rows, what="checks")
        await settle(pilot)

    assert snap_compare(demo_app, terminal_size=(60, 24), run_before=quality)


def test_models_tab(demo_app: OpsConsoleApp, snap_compare: Any) -> None:
    async def models(pilot: Any) -> None:
        await loaded(demo_app)(pilot)
        await pilot.press("3")
        pane = demo_app.query_one("ModelsPane")
        await wait_for(pilot, lambda: len(pane.versions) == 3, what="versions")
        await settle(pilot)

    assert snap_compare(demo_app, terminal_size=SIZE, run_before=models)


def test_monitoring_tab(demo_app: OpsConsoleApp, snap_compare: Any) -> None:
    async def monitoring(pilot: Any) -> None:
        await loaded(demo_app)(pilot)
        await pilot.press("4")
        pane = demo_app.query_one("MonitoringPane")
        await wait_for(pilot, lambda: pane.data.series, what="series")
        await settle(pilot)

    assert snap_compare(demo_app, terminal_size=SIZE, run_before=monitoring)


def test_help_modal(demo_app: OpsConsoleApp, snap_compare: Any) -> None:
    async def help_modal(pilot: Any) -> None:
        await loaded(demo_app)(pilot)
        await pilot.press("question_mark")
        await settle(pilot)

    assert snap_compare(demo_app, terminal_size=SIZE, run_before=help_modal)


def test_new_run_modal(demo_app: OpsConsoleApp, snap_compare: Any) -> None:
    async def new_run(pilot: Any) -> None:
        await loaded(demo_app)(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: type(demo_app.screen).__name__ == "NewRunModal", what="modal")
        await settle(pilot)

    assert snap_compare(demo_app, terminal_size=SIZE, run_before=new_run)


def test_rollback_confirm_modal(demo_app: OpsConsoleApp, snap_compare: Any) -> None:
    async def confirm(pilot: Any) -> None:
        await loaded(demo_app)(pilot)
        await pilot.press("3")
        pane = demo_app.query_one("ModelsPane")
        await wait_for(pilot, lambda: len(pane.versions) == 3, what="versions")
        await settle(pilot)  # the pane behind the modal is drawn in the snapshot too: finish it first
        await pilot.press("b")
        await wait_for(pilot, lambda: type(demo_app.screen).__name__ == "ConfirmModal", what="modal")
        await settle(pilot)

    assert snap_compare(demo_app, terminal_size=SIZE, run_before=confirm)


@pytest.fixture
def no_color_app(demo_app: OpsConsoleApp, monkeypatch: pytest.MonkeyPatch) -> OpsConsoleApp:
    """The demo app as a NO_COLOR terminal sees it (the charts must still read)."""
    monkeypatch.setenv("NO_COLOR", "1")
    return OpsConsoleApp(demo_app.session, clock=lambda: T0 + NOW_OFFSET, live=False)


def monitoring_tab(app: OpsConsoleApp) -> Any:
    """Open Monitoring and wait until its series are drawn."""

    async def monitoring(pilot: Any) -> None:
        await loaded(app)(pilot)
        await pilot.press("4")
        pane = app.query_one("MonitoringPane")
        await wait_for(pilot, lambda: pane.data.series, what="series")
        await settle(pilot)

    return monitoring


def test_monitoring_tab_80x24_no_color(no_color_app: OpsConsoleApp, snap_compare: Any) -> None:
    assert snap_compare(no_color_app, terminal_size=(80, 24), run_before=monitoring_tab(no_color_app))


def test_monitoring_tab_60_columns(demo_app: OpsConsoleApp, snap_compare: Any) -> None:
    """Stacked, columns dropped by width, labels cut with an ellipsis, no sideways scrollbar."""
    assert snap_compare(demo_app, terminal_size=(60, 24), run_before=monitoring_tab(demo_app))


def test_runs_tab_60_columns(demo_app: OpsConsoleApp, snap_compare: Any) -> None:
    """The footer shows the keys that fit, whole, then ``? keys``."""
    assert snap_compare(demo_app, terminal_size=(60, 24), run_before=loaded(demo_app))


def test_models_tab_80x24(demo_app: OpsConsoleApp, snap_compare: Any) -> None:
    async def models(pilot: Any) -> None:
        await loaded(demo_app)(pilot)
        await pilot.press("3")
        pane = demo_app.query_one("ModelsPane")
        await wait_for(pilot, lambda: len(pane.versions) == 3, what="versions")
        await settle(pilot)

    assert snap_compare(demo_app, terminal_size=(80, 24), run_before=models)


def test_run_detail_60_columns(demo_app: OpsConsoleApp, snap_compare: Any) -> None:
    async def open_failed(pilot: Any) -> None:
        await loaded(demo_app)(pilot)
        await pilot.press("down", "down", "down", "enter")
        detail = await wait_for(
            pilot, lambda: getattr(demo_app.screen, "run_id", None) == 2 and demo_app.screen
        )
        await wait_for(pilot, lambda: len(detail.query_one("#log").lines) == 5, what="the log")
        await settle(pilot)

    assert snap_compare(demo_app, terminal_size=(60, 24), run_before=open_failed)


def test_new_run_modal_filtered(demo_app: OpsConsoleApp, snap_compare: Any) -> None:
    async def new_run(pilot: Any) -> None:
        await loaded(demo_app)(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: type(demo_app.screen).__name__ == "NewRunModal", what="modal")
        await pilot.press("s", "l")
        await settle(pilot)

    assert snap_compare(demo_app, terminal_size=SIZE, run_before=new_run)
