"""The footer: whole keys that fit, ``? keys`` for the rest, one widget that is never rebuilt."""

from __future__ import annotations

import gc
from typing import Any

from ui_helpers import run, screen_text, wait_for

from console.ui.app import OpsConsoleApp
from console.ui.widgets.key_footer import FooterItem, KeyFooter, fit_items

ITEMS = [FooterItem("enter", "⏎", "open"), FooterItem("n", "n", "new run"), FooterItem("r", "r", "rerun"),
         FooterItem("question_mark", "?", "help"), FooterItem("q", "q", "quit")]  # fmt: skip


def test_everything_fits_with_the_palette_when_wide() -> None:
    shown, more, palette = fit_items(ITEMS, 80, palette=True)
    assert shown == ITEMS and not more and palette


def test_keys_that_do_not_fit_are_dropped_whole_and_help_becomes_keys() -> None:
    width = 1 + sum(i.width for i in ITEMS[:2]) + 2 + len("? keys") + 2
    shown, more, palette = fit_items(ITEMS, width, palette=True)
    assert shown == ITEMS[:2] and more and not palette
    assert all(item.key != "question_mark" for item in shown)


def test_nothing_fits_but_keys() -> None:
    shown, more, _ = fit_items(ITEMS, 8, palette=False)
    assert shown == [] and more


def _footer_line(app: OpsConsoleApp) -> str:
    return screen_text(app).splitlines()[-1]


def test_footer_at_each_width_shows_whole_keys(session_factory: Any) -> None:
    session = session_factory()

    async def scenario(width: int) -> str:
        app = OpsConsoleApp(session, tail_interval=0.05)
        async with app.run_test(size=(width, 24)) as pilot:
            await wait_for(pilot, lambda: app.pipelines, what="pipelines listed")
            await pilot.pause(0.1)
            footer = app.screen.query_one(KeyFooter)
            line = _footer_line(app)
            # every key shown is on the line whole, in order, and the line is not wider than the screen
            words = [f"{item.display} {item.description}" for item in footer.shown]
            position = 0
            for word in words:
                found = line.find(word, position)
                assert found >= position, (word, line)
                position = found + len(word)
            assert len(line.rstrip()) <= width
            return line

    wide, mid, narrow = run(scenario(140)), run(scenario(100)), run(scenario(60))
    assert "q quit" in wide and "palette" in wide and "? keys" not in wide
    assert mid.rstrip().endswith("? keys") and "palette" not in mid
    assert narrow.rstrip().endswith("? keys") and "⏎ open" in narrow


def test_footer_follows_the_screen_and_widgets_are_not_leaked(session_factory: Any) -> None:
    """Tab switches and opening a run used to mount new footer keys and leak the old ones."""
    session = session_factory()
    session.engine.run("quick")

    def widgets() -> int:
        from textual.widget import Widget

        gc.collect()
        return sum(isinstance(o, Widget) for o in gc.get_objects())

    async def scenario() -> None:
        app = OpsConsoleApp(session, tail_interval=0.05)
        async with app.run_test(size=(140, 30)) as pilot:
            await wait_for(pilot, lambda: app.runs_pane.table.row_count == 1, what="the run listed")

            async def round_trip() -> None:
                for key in ("enter", "escape", "2", "1"):
                    await pilot.press(key)
                    await pilot.pause(0.05)

            await round_trip()
            await pilot.press("enter")
            await wait_for(pilot, lambda: "back" in _footer_line(app), what="the detail's keys")
            assert "new run" not in _footer_line(app)
            await pilot.press("escape")
            await wait_for(pilot, lambda: "new run" in _footer_line(app), what="the runs keys again")
            before = widgets()
            for _ in range(5):
                await round_trip()
            assert widgets() <= before + 2

    run(scenario())


def test_column_fit_drops_optional_columns_and_flexes_one() -> None:
    from console.ui.widgets.column_fit import Column, fit_columns

    cols = [Column("name", 10, flex=True, cap=30), Column("a", 6), Column("b", 6, drop=1), Column("c", 6, drop=2)]
    assert fit_columns(cols, 200) == [("name", 30), ("a", 6), ("b", 6), ("c", 6)]
    narrow = fit_columns(cols, 30)  # room 28: name 10+2, a 8 -> b 8 fits, c dropped first
    assert [k for k, _ in narrow] == ["name", "a", "b"]
    assert sum(w + 2 for _, w in narrow) <= 28


def test_monitoring_tables_never_scroll_sideways(ui_project: Any, session_factory: Any) -> None:
    from demo_store import BROKEN, fill

    ui_project.write("broken_thing.py", BROKEN)
    session = session_factory()
    fill(session)  # series, a monitor's drift, alerts

    def no_sideways_scroll(width: int, table: Any) -> None:
        assert table.region.width > 0, (width, table.id)
        assert table.virtual_size.width <= table.region.width, (width, table.id)
        assert table.max_scroll_x == 0, (width, table.id)

    async def scenario(width: int) -> None:
        app = OpsConsoleApp(session, live=False)
        async with app.run_test(size=(width, 24)) as pilot:
            await wait_for(pilot, lambda: app.pipelines, what="pipelines listed")
            await pilot.press("2")
            quality = app.query_one("QualityPane")
            await wait_for(pilot, lambda: quality.rows, what="checks")
            await pilot.pause(0.3)
            no_sideways_scroll(width, quality.query_one("#checks"))
            await pilot.press("4")
            pane = app.query_one("MonitoringPane")
            await wait_for(pilot, lambda: pane.data.series, what="series")
            await pilot.pause(0.3)
            for table_id in ("metrics", "drift", "alerts"):
                no_sideways_scroll(width, pane.query_one(f"#{table_id}"))

    for width in (60, 80, 100, 140):
        run(scenario(width))
