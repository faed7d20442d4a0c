"""Help, palette, tabs, quit confirmation, read-only refusal, promote and roll back."""

from __future__ import annotations

from typing import Any

from textual.command import CommandPalette
from textual.widgets import TabbedContent
from ui_helpers import run, wait_for

from console.errors import ReadOnlyError
from console.store.runs import count_runs, get_run_row
from console.ui.app import OpsConsoleApp
from console.ui.readonly import REFUSAL
from console.ui.screens.confirm import ConfirmModal
from console.ui.screens.help import HelpModal


def footer_actions(app: OpsConsoleApp) -> set[str]:
    return {b.binding.action for b in app.screen.active_bindings.values() if b.binding.show}


def test_help_palette_and_tabs(session_factory: Any) -> None:
    session = session_factory()

    async def scenario() -> None:
        app = OpsConsoleApp(session, tail_interval=0.05)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: app.pipelines, what="pipelines listed")
            tabs = app.query_one(TabbedContent)
            for key, tab in (
                ("2", "tab-quality"),
                ("3", "tab-models"),
                ("4", "tab-monitoring"),
                ("1", "tab-runs"),
            ):
                await pilot.press(key)
                assert tabs.active == tab
            await pilot.press("question_mark")
            help_screen = await wait_for(pilot, lambda: isinstance(app.screen, HelpModal) and app.screen)
            assert help_screen.view == "Runs"
            assert {"n", "r", "R", "c"} <= {k for k, _ in help_screen.keys}
            await pilot.press("escape")
            assert not isinstance(app.screen, HelpModal)
            await pilot.press("ctrl+p")
            await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="palette")
            await pilot.press(*"Monitoring")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await wait_for(pilot, lambda: tabs.active == "tab-monitoring", what="palette switched the tab")
            await pilot.press("ctrl+p")
            await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="palette")
            await pilot.press(*"Run quick")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "NewRunModal", what="new run modal")
            assert app.screen._selected() == "quick"

    run(scenario())


def test_quit_asks_while_runs_started_here_still_run(session_factory: Any) -> None:
    session = session_factory()

    async def scenario() -> None:
        app = OpsConsoleApp(session, tail_interval=0.05)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: app.pipelines, what="pipelines listed")
            await pilot.press("n")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "NewRunModal")
            names = list(app.screen.pipelines)
            for _ in range(names.index("slow") - names.index(app.screen._selected())):
                await pilot.press("down")
            await pilot.press("enter", "enter")
            run_id = await wait_for(pilot, lambda: app.session_active_runs(), what="a run started here")
            await pilot.press("q")
            modal = await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal) and app.screen)
            assert str(run_id[0]) in modal.body
            await pilot.press("n")
            assert app.is_running and not isinstance(app.screen, ConfirmModal)
            await pilot.press("q")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal))
            await pilot.press("y")
            await wait_for(pilot, lambda: not app.is_running, what="the app exited")
        session.close()  # what the CLI does after the app returns: cancels the run
        assert get_run_row(session_factory(False).store.db, run_id[0])["status"] == "cancelled"

    run(scenario())


def test_read_only_hides_and_refuses_actions(session_factory: Any) -> None:
    writer = session_factory()
    writer.engine.run("quick")
    session = session_factory(read_only=True)

    async def scenario() -> None:
        app = OpsConsoleApp(session, tail_interval=0.05)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: app.runs_pane.table.row_count == 1, what="the run listed")
            shown = footer_actions(app)
            assert "app.new_run" not in shown and "app.rerun" not in shown and "app.cancel_run" not in shown
            assert "filter" in shown
            for key in ("n", "r", "R", "c"):
                await pilot.press(key)
            await pilot.pause(0.2)
            assert [n.message for n in app._notifications].count(REFUSAL) == 4
            assert count_runs(session.store.db) == 1
            await pilot.press("ctrl+p")
            await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
            from console.ui.palette import ConsoleCommands

            names = [name for name, _, _ in ConsoleCommands(app.screen).commands()]
            assert "Runs of quick" in names and not any(n.startswith(("Run quick", "New run")) for n in names)

    run(scenario())
    try:
        session.engine.start("quick")
    except ReadOnlyError:
        pass
    else:
        raise AssertionError("the engine started a run in read-only mode")
    assert count_runs(session.store.db) == 1


def test_promote_and_roll_back_only_after_confirm(session_factory: Any) -> None:
    from console.registry import register
    from console.registry.queries import aliases_of

    session = session_factory()
    for accuracy in (0.8, 0.9, 0.85):
        register(session.store, "churn", {"weights": [accuracy]}, metrics={"accuracy": accuracy})
    from console.registry.aliases import promote

    promote(session.store, "churn", 1)

    async def scenario() -> None:
        app = OpsConsoleApp(session, tail_interval=0.05)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("3")
            pane = app.query_one("ModelsPane")
            await wait_for(pilot, lambda: len(pane.versions) == 3, what="versions listed")
            versions = pane.query_one("#versions")
            versions.focus()
            versions.move_cursor(row=versions.get_row_index("2"))
            await pilot.press("p")
            modal = await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal) and app.screen)
            assert "from v1 to v2" in modal.body
            await pilot.press("n")
            await pilot.pause(0.2)
            assert aliases_of(session.store.db, "churn")["production"] == 1
            await pilot.press("p")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal))
            await pilot.press("y")
            await wait_for(
                pilot, lambda: aliases_of(session.store.db, "churn")["production"] == 2, what="promoted"
            )
            await wait_for(pilot, lambda: pane.models["churn"]["production"] == 2, what="shown")
            await pilot.press("b")
            modal = await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal) and app.screen)
            assert "from v2 to v1" in modal.body
            await pilot.press("y")
            await wait_for(
                pilot, lambda: aliases_of(session.store.db, "churn")["production"] == 1, what="rolled back"
            )

    run(scenario())


def test_a_promotion_from_another_shell_shows_in_the_models_tab(
    session_factory: Any, ui_project: Any
) -> None:
    from console.registry import register

    session = session_factory()
    for accuracy in (0.8, 0.9):
        register(session.store, "churn", {"weights": [accuracy]}, metrics={"accuracy": accuracy})
    session.store.writer.flush()

    async def scenario() -> None:
        app = OpsConsoleApp(session, tail_interval=0.05)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("3")
            pane = app.query_one("ModelsPane")
            await wait_for(pilot, lambda: len(pane.versions) == 2, what="versions listed")
            assert pane.models["churn"]["production"] is None
            proc = ui_project.cli("promote", "churn", "2", "--reason", "from another shell")
            assert proc.returncode == 0, proc.stderr
            await wait_for(pilot, lambda: pane.models["churn"]["production"] == 2, what="the promotion shown")

    run(scenario())
