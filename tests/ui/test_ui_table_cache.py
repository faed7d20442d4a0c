"""SafeTable renders again only what changed: one updated row, nothing on a focus round trip."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Input
from ui_helpers import run, screen_text

from console.ui.widgets.safe_table import SafeTable


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Input(id="other")
        yield SafeTable(id="t", cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(SafeTable)
        table.add_column("id", key="id")
        table.add_column("name", key="name")
        for i in range(30):
            table.add_row(str(i), f"row {i}".ljust(24), key=str(i))
        table.focus()


def count_renders(table: DataTable[Any]) -> dict[str, int]:
    counts = {"cells": 0}
    original = table._render_cell

    def counting(*args: Any, **kwargs: Any) -> Any:
        before = len(table._cell_render_cache)
        result = original(*args, **kwargs)
        counts["cells"] += len(table._cell_render_cache) != before
        return result

    table._render_cell = counting  # type: ignore[method-assign]
    return counts


def test_update_cell_renders_one_row_and_shows_the_value() -> None:
    async def scenario() -> None:
        app = TableApp()
        async with app.run_test(size=(60, 20)) as pilot:
            await pilot.pause(0.1)
            table = app.query_one(SafeTable)
            counts = count_renders(table)
            table.update_cell("3", "name", "[bold]changed\x1b[31m")
            await pilot.pause(0.1)
            text = screen_text(app)
            assert "[bold]changed\\x1b[31m" in text  # literal, never markup
            assert "row 4" in text and "row 2" in text
            assert 0 < counts["cells"] <= 4  # that row's two cells, not the ~40 visible ones

    run(scenario())


def test_focus_round_trip_keeps_rendered_cells_and_restyles_the_cursor() -> None:
    async def scenario() -> None:
        app = TableApp()
        async with app.run_test(size=(60, 20)) as pilot:
            await pilot.pause(0.1)
            table = app.query_one(SafeTable)
            focused = table._render_line(1, 0, 60, table.rich_style)
            await pilot.press("tab")  # focus moves to the input
            await pilot.pause(0.1)
            blurred = table._render_line(1, 0, 60, table.rich_style)
            assert not table.has_focus and blurred != focused  # the cursor row looks unfocused
            await pilot.press("shift+tab")
            await pilot.pause(0.1)
            counts = count_renders(table)
            table.refresh()
            await pilot.pause(0.1)
            assert table.has_focus and counts["cells"] == 0
            assert table._render_line(1, 0, 60, table.rich_style) == focused

    run(scenario())
