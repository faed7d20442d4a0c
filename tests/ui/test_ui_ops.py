"""Day-2 keys in the console: m (mark), t (timeline), / n N (find in log), space + d (diff),
P (pause), S (search logs); hidden and refused in read-only mode."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable, Input, Static
from ui_helpers import run, wait_for

from console.store.marks import marks_of
from console.store.pauses import paused_names
from console.ui.app import OpsConsoleApp
from console.ui.screens.diff_screen import DiffScreen
from console.ui.screens.help import HelpModal
from console.ui.screens.log_search_screen import LogSearchScreen
from console.ui.screens.mark_modal import MarkModal
from console.ui.screens.run_detail import RunDetailScreen
from console.ui.screens.timeline_screen import TimelineScreen
from console.ui.widgets.log_find import LogFind
from console.ui.widgets.pipeline_list import PipelineList


def finished_runs(session: Any) -> tuple[int, int]:
    engine = session.engine
    bad = engine.run("flaky").run_id
    good = engine.run("quick").run_id
    engine.store.writer.flush()
    return bad, good


async def open_detail(app: OpsConsoleApp, pilot: Any, run_id: int) -> RunDetailScreen:
    await wait_for(pilot, lambda: run_id in app.runs_pane.table.rows_by_id, what="run listed")
    app.runs_pane.select_run(run_id)
    await pilot.press("enter")
    detail = await wait_for(pilot, lambda: isinstance(app.screen, RunDetailScreen) and app.screen, what="detail")
    await wait_for(pilot, lambda: detail.tasks and detail.run_id == run_id, what="tasks shown")
    return detail


def test_mark_the_failed_task_from_the_run_detail(session_factory: Any) -> None:
    session = session_factory()
    bad, _ = finished_runs(session)

    async def scenario() -> None:
        app = OpsConsoleApp(session, tail_interval=0.05)
        async with app.run_test(size=(120, 36)) as pilot:
            detail = await open_detail(app, pilot, bad)
            assert detail.task_name == "boom"  # the failed task is selected first
            await pilot.press("m")
            modal = await wait_for(pilot, lambda: isinstance(app.screen, MarkModal) and app.screen, what="modal")
            assert modal.states == ("succeeded", "failed", "skipped")
            await pilot.press("enter")  # succeeded
            await pilot.press(*"[bold]fixed")
            await pilot.press("enter")
            await wait_for(pilot, lambda: marks_of(session.store.db, bad), what="mark stored")
            await wait_for(pilot, lambda: detail.tasks["boom"]["status"] == "succeeded", what="detail refreshed")
            title = detail.query_one("#run-title", Static).render()
            assert "marked by hand" in str(title) and "[bold]fixed" in str(title)
            [row] = marks_of(session.store.db, bad)
            assert (row["task"], row["from"], row["to"], row["reason"]) == ("boom", "failed", "succeeded", "[bold]fixed")

    run(scenario())


def test_timeline_and_find_in_log(session_factory: Any) -> None:
    session = session_factory()
    _, good = finished_runs(session)

    async def scenario() -> None:
        app = OpsConsoleApp(session, tail_interval=0.05)
        async with app.run_test(size=(120, 36)) as pilot:
            detail = await open_detail(app, pilot, good)
            await pilot.press("t")
            screen = await wait_for(pilot, lambda: isinstance(app.screen, TimelineScreen) and app.screen)
            await wait_for(pilot, lambda: screen.timeline is not None, what="timeline read")
            chart = str(screen.query_one("#timeline", Static).render())
            assert "★ numbers" in chart and "★ total" in chart
            await pilot.press("t")
            assert app.screen is detail
            app.query_one  # noqa: B018
            table = detail.query_one("#tasks", DataTable)
            table.move_cursor(row=table.get_row_index("total"))
            await wait_for(pilot, lambda: len(detail.query_one("#log").lines) >= 3, what="log shown")
            await pilot.press("slash")
            bar = await wait_for(pilot, lambda: detail.query(LogFind) and detail.query_one(LogFind))
            await pilot.press(*"line [12]")
            await pilot.press("enter")
            assert len(bar.matches) == 2 and bar.current == 0
            await pilot.press("n")
            assert bar.current == 1
            await pilot.press("N")
            assert bar.current == 0
            assert "match 1/2" in str(detail.query_one("#task-title", Static).render())

    run(scenario())


def test_the_timeline_keeps_each_task_on_one_line_at_60_columns_and_widens_on_resize(
    ui_project: Any, session_factory: Any
) -> None:
    import re

    from ui_helpers import screen_text

    ui_project.write("long_names.py", """
from console import Pipeline
p = Pipeline("long_names")
@p.task
def the_first_task_with_a_rather_long_name():
    return 1
@p.task
def the_second_task_with_a_rather_long_name(the_first_task_with_a_rather_long_name):
    import time
    time.sleep(0.15)  # a took of five characters: 150ms
    return 2
""")
    session = session_factory()
    run_id = session.engine.run("long_names").run_id
    session.engine.store.writer.flush()

    async def scenario() -> None:
        app = OpsConsoleApp(session, tail_interval=0.05)
        async with app.run_test(size=(60, 24)) as pilot:
            await open_detail(app, pilot, run_id)
            await pilot.press("t")
            screen = await wait_for(pilot, lambda: isinstance(app.screen, TimelineScreen) and app.screen)
            await wait_for(pilot, lambda: screen.timeline is not None, what="timeline read")
            widths = []
            for width in (60, 120):
                await pilot.resize_terminal(width, 24)
                await pilot.pause(0.2)
                rows = [line for line in screen_text(app).splitlines() if "│" in line and "_task_with_" in line]
                assert len(rows) == 2, screen_text(app)
                for line in rows:  # its bar and its took on the task's own line
                    assert re.search(r"│[ █]+│ \d+ms", line), (width, line)
                widths.append(rows[0].rindex("│") - rows[0].index("│"))
            assert widths[1] > widths[0] >= 20

    run(scenario())


def test_the_diff_at_60_columns_scrolls_sideways_and_never_wraps_a_row(session_factory: Any) -> None:
    from textual.containers import ScrollableContainer

    from console.diff_text import diff_text
    from console.store.run_diff import diff_runs

    session = session_factory()
    bad, good = finished_runs(session)
    expected = diff_text(diff_runs(session.store.db, bad, good))

    async def scenario() -> None:
        app = OpsConsoleApp(session, tail_interval=0.05)
        async with app.run_test(size=(60, 24)) as pilot:
            await wait_for(pilot, lambda: {bad, good} <= set(app.runs_pane.table.rows_by_id), what="runs listed")
            app.diff_marks = [bad, good]
            await pilot.press("d")
            screen = await wait_for(pilot, lambda: isinstance(app.screen, DiffScreen) and app.screen)
            diff = screen.query_one("#diff", Static)
            await wait_for(pilot, lambda: "different pipelines" in str(diff.render()), what="the diff")
            await pilot.pause(0.1)
            assert str(diff.render()).splitlines() == expected
            assert diff.outer_size.height == len(expected)  # one screen line per diff line: none wrapped
            assert max(map(len, expected)) > 58, "the runs' diff has a line wider than the screen"
            box = screen.query_one(ScrollableContainer)
            assert box.max_scroll_x > 0
            await pilot.press("right", "right")
            await pilot.pause(0.05)
            assert box.scroll_x > 0

    run(scenario())


def test_diff_of_two_marked_runs_pause_and_log_search(session_factory: Any) -> None:
    session = session_factory()
    bad, good = finished_runs(session)

    async def scenario() -> None:
        app = OpsConsoleApp(session, tail_interval=0.05)
        async with app.run_test(size=(120, 36)) as pilot:
            table = app.runs_pane.table
            await wait_for(pilot, lambda: {bad, good} <= set(table.rows_by_id), what="runs listed")
            table.focus()
            app.runs_pane.select_run(bad)
            await pilot.press("space")
            app.runs_pane.select_run(good)
            await pilot.press("space")
            assert app.diff_marks == [bad, good]
            await pilot.press("d")
            screen = await wait_for(pilot, lambda: isinstance(app.screen, DiffScreen) and app.screen)
            await wait_for(pilot, lambda: "different pipelines" in str(screen.query_one("#diff", Static).render()))
            await pilot.press("escape")
            # P pauses the selected run's pipeline; the sidebar says so
            await pilot.press("P")
            await wait_for(pilot, lambda: paused_names(session.store.db) == {"quick"}, what="paused")
            listed = app.query_one(PipelineList)
            await wait_for(pilot, lambda: listed.paused == {"quick"}, what="sidebar marker")
            await pilot.press("P")
            await wait_for(pilot, lambda: paused_names(session.store.db) == set(), what="resumed")
            # S searches every run's logs; enter opens the run of a match
            await pilot.press("S")
            search = await wait_for(pilot, lambda: isinstance(app.screen, LogSearchScreen) and app.screen)
            search.query_one(Input).value = "line [0-9]$"
            await pilot.press("enter")
            await wait_for(pilot, lambda: len(search.matches) == 3, what="3 matches")
            await pilot.press("enter")
            detail = await wait_for(pilot, lambda: isinstance(app.screen, RunDetailScreen) and app.screen)
            assert detail.run_id == good

    run(scenario())


def test_read_only_hides_and_refuses_mark_and_pause(session_factory: Any) -> None:
    writer = session_factory()
    bad, _ = finished_runs(writer)
    session = session_factory(read_only=True)

    async def scenario() -> None:
        app = OpsConsoleApp(session, tail_interval=0.05)
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_for(pilot, lambda: bad in app.runs_pane.table.rows_by_id)
            shown = {b.binding.action for b in app.screen.active_bindings.values() if b.binding.show}
            assert "app.toggle_pause" not in shown and "app.search_logs" in shown
            await pilot.press("P")
            assert paused_names(session.store.db) == set()
            detail = await open_detail(app, pilot, bad)
            shown = {b.binding.action for b in detail.active_bindings.values() if b.binding.show}
            assert "app.mark_task" not in shown and "app.timeline" in shown
            await pilot.press("m")
            assert not isinstance(app.screen, MarkModal)
            assert marks_of(session.store.db, bad) == []
            await pilot.press("question_mark")
            help_screen = await wait_for(pilot, lambda: isinstance(app.screen, HelpModal) and app.screen)
            keys = {k for k, _ in help_screen.keys}
            assert {"t", "/"} <= keys and "m" not in keys

    run(scenario())
