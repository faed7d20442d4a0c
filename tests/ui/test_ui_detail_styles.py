"""The reused run detail is restyled on `enter` only when something its styles depend on changed."""

from __future__ import annotations

from typing import Any

from ui_helpers import run, wait_for

from console.ui.app import OpsConsoleApp
from console.ui.screens.run_detail import RunDetailScreen


def test_reopening_the_detail_restyles_it_only_after_a_theme_or_size_change(session_factory: Any) -> None:
    session = session_factory()
    session.engine.run("quick")

    async def scenario() -> None:
        app = OpsConsoleApp(session, live=False)
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_for(pilot, lambda: app.runs_pane.table.row_count, what="loaded")
            restyled: list[int] = []
            update_nodes = app.stylesheet.update_nodes

            def counting(nodes: Any, animate: bool = False) -> None:
                nodes = list(nodes)
                restyled.append(len(nodes))
                update_nodes(nodes, animate=animate)

            app.stylesheet.update_nodes = counting  # type: ignore[method-assign]

            async def open_detail() -> int:
                await pilot.press("escape")
                await wait_for(pilot, lambda: not isinstance(app.screen, RunDetailScreen), what="runs")
                restyled.clear()
                await pilot.press("enter")
                await wait_for(pilot, lambda: isinstance(app.screen, RunDetailScreen), what="detail")
                await pilot.pause(0.1)
                return max(restyled, default=0)

            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, RunDetailScreen), what="detail")
            detail = app.screen
            whole = len(list(detail.walk_children(with_self=True)))
            assert await open_detail() < whole / 2  # nothing changed: focus restyles only

            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, RunDetailScreen), what="runs")
            app.theme = "textual-light" if app.theme != "textual-light" else "nord"
            await pilot.pause(0.1)
            theme_bg = app.current_theme.background
            assert await open_detail() >= whole
            assert app.screen is detail
            assert detail.styles.background.hex.lower() == str(theme_bg).lower()

            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, RunDetailScreen), what="runs")
            await pilot.resize_terminal(80, 24)
            await pilot.pause(0.1)
            assert await open_detail() >= whole
            assert detail.has_class("-narrow")

    run(scenario())
