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


def test_column_fit_gives_the_width_a_capped_column_leaves_to_the_others() -> None:
    from console.ui.widgets.column_fit import Column, fit_columns

    cols = [Column("run", 5), Column("short", 10, flex=True, cap=12), Column("long", 10, flex=True, cap=60)]
    # room 98: run 7, two flex paddings 4 -> 87 spare; short takes its cap 12, long the other 75 (cap 60)
    assert fit_columns(cols, 100) == [("run", 5), ("short", 12), ("long", 60)]
    assert fit_columns(cols, 40) == [("run", 5), ("short", 12), ("long", 15)]


def test_cells_too_long_end_in_an_ellipsis_and_numbers_widen_their_column(ui_project: Any, session_factory: Any) -> None:
    from rich.text import Text

    from console.ui.app import OpsConsoleApp

    session = session_factory()

    async def scenario() -> None:
        app = OpsConsoleApp(session, live=False)
        async with app.run_test(size=(140, 30)) as pilot:
            await pilot.press("2")
            pane = app.query_one("QualityPane")
            await pilot.pause(0.2)
            layout = dict(pane._layout["checks"])
            cells = {"run": Text("12345678901", justify="right"), "pipeline": "p", "task": "t" * 80,
                     "check": "c", "sev": "a-severity-word", "result": Text("ok"),
                     "failing": Text("1/2", justify="right"), "observed": Text("1", justify="right")}
            shown = dict(zip([k for k, _ in pane._layout["checks"]], pane.pick("checks", cells), strict=True))
            assert str(shown["sev"]).endswith("…") and len(str(shown["sev"])) == layout["sev"]
            assert str(shown["task"]).endswith("…")
            assert str(shown["run"]) == "12345678901"  # a number is never cut...
            await pilot.pause(0.3)
            assert dict(pane._layout["checks"])["run"] >= 11  # ...its column grows to it

    run(scenario())


def test_the_pipeline_list_is_cut_again_when_the_layout_narrows(ui_project: Any, session_factory: Any) -> None:
    from console.ui.app import OpsConsoleApp

    ui_project.write("a_pipeline_with_a_rather_long_name.py", "from console import Pipeline\np = Pipeline('a_pipeline_with_a_rather_long_name')\n@p.task\ndef t():\n    return 1\n")
    session = session_factory()

    async def scenario() -> None:
        app = OpsConsoleApp(session, live=False)
        async with app.run_test(size=(140, 30)) as pilot:
            await wait_for(pilot, lambda: app.pipelines, what="pipelines listed")
            table = app.query_one("PipelineList")
            await pilot.resize_terminal(80, 24)
            await pilot.pause(0.5)
            rows = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
            long = next(r for r in rows if r.startswith("a_pipeline"))
            assert "…" in long and long.rstrip().endswith("ok"), rows
            assert table.max_scroll_x == 0 and len(long) <= table.region.width

    run(scenario())


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
