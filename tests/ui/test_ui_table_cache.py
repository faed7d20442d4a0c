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


async def settled(pilot: Any, table: DataTable[Any]) -> None:
    """Until the table's rendered cells stop changing (a slow machine lays it out in steps)."""
    before = -1
    for _ in range(40):
        await pilot.pause(0.05)
        now = len(table._cell_render_cache)
        if now == before and now:
            return
        before = now


def test_update_cell_renders_one_row_and_shows_the_value() -> None:
    async def scenario() -> None:
        app = TableApp()
        async with app.run_test(size=(60, 20)) as pilot:
            table = app.query_one(SafeTable)
            await settled(pilot, table)
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


class StyledApp(App[None]):
    CSS = """
    SafeTable:focus { background: $error 30%; }
    SafeTable:focus > .datatable--cursor { background: $success; }
    SafeTable.marked > .datatable--header { color: $warning; }
    """

    def compose(self) -> ComposeResult:
        yield SafeTable(id="a", cursor_type="row")
        yield SafeTable(id="b", cursor_type="row")

    def on_mount(self) -> None:
        for table in self.query(SafeTable):
            table.add_column("id", key="id")
            for i in range(5):
                table.add_row(str(i), key=str(i))
        self.query_one("#a", SafeTable).focus()


def _restyled(app: App[Any], table: SafeTable) -> tuple[Any, ...]:
    """What Textual's own restyle gives the table in its present state."""
    fresh = dict(table.styles.base._rules), {k: v for k, v in table._component_styles.items()}
    App.update_styles(app, table, animate=False)  # the stylesheet matched against it from scratch
    return fresh, (dict(table.styles.base._rules), dict(table._component_styles))


def test_kept_focus_styles_are_the_ones_textual_computes() -> None:
    """A focus change into a state seen before puts that state's styles back: the same rules and
    component styles a full restyle gives, through focus round trips, a class and a theme change."""

    async def scenario() -> None:
        app = StyledApp()
        async with app.run_test(size=(60, 20)) as pilot:
            a, b = app.query_one("#a", SafeTable), app.query_one("#b", SafeTable)

            async def check() -> None:
                await pilot.pause(0.05)
                for table in (a, b):
                    (rules, comps), (again, comps_again) = _restyled(app, table)
                    assert rules == again
                    assert {k: v.get_rules() for k, v in comps.items()} == {
                        k: v.get_rules() for k, v in comps_again.items()
                    }

            await check()
            b.focus()
            await check()
            a.focus()
            await check()
            from textual.widget import Widget

            restyled: list[Any] = []
            textual_restyle = Widget.watch_has_focus

            def counting(self: Widget, has_focus: bool) -> None:
                restyled.append(self)
                textual_restyle(self, has_focus)

            Widget.watch_has_focus = counting  # type: ignore[method-assign]
            try:
                for _ in range(2):  # states seen before: their styles put back, nothing matched
                    b.focus()
                    await check()
                    a.focus()
                    await check()
                assert restyled == []
                cursor = a.get_component_rich_style("datatable--cursor")
                b.focus()
                await pilot.pause(0.05)
                assert a.get_component_rich_style("datatable--cursor") != cursor  # blurred looks blurred
                a.add_class("marked")  # a class up the path: another state, matched afresh
                a.focus()
                await check()
                assert restyled == [a]
                app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
                await pilot.pause(0.05)
                b.focus()
                await check()
                a.focus()
                await check()
                assert restyled[1:] == [a, b, b, a]  # the new theme: a new stylesheet, matched afresh
            finally:
                Widget.watch_has_focus = textual_restyle  # type: ignore[method-assign]

    run(scenario())


def test_a_frame_works_out_the_table_style_once_and_draws_the_same_lines() -> None:
    from textual.dom import DOMNode
    from textual.geometry import Region

    async def scenario() -> None:
        app = TableApp()
        async with app.run_test(size=(60, 20)) as pilot:
            table = app.query_one(SafeTable)
            await settled(pilot, table)
            crop = Region(0, 0, table.size.width, table.size.height)
            walks: list[int] = []
            original = DOMNode.__dict__["rich_style"]
            walk = original.fget

            def fresh() -> None:
                table._line_cache.clear()
                table._styles_cache.clear()

            def counting(node: DOMNode) -> Any:
                walks.append(1)
                return walk(node)

            DOMNode.rich_style = property(counting)  # type: ignore[method-assign,assignment]
            try:
                fresh()
                lines = table.render_lines(crop)
                per_frame = len(walks)
                fresh()
                walks.clear()
                unpatched = DataTable.render_lines(table, crop)  # each line works the style out
                assert lines == unpatched
                assert per_frame == 1 and len(walks) >= table.size.height
            finally:
                DOMNode.rich_style = original  # type: ignore[method-assign]

    run(scenario())
