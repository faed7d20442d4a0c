"""Run detail and Runs tab: rerun moves to the new run, reused tasks name their run, took ticks,
the run id is copied, seven-digit ids are whole, and the layout follows every resize."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from ui_helpers import run, screen_text, wait_for

from console.store.runs import list_runs
from console.ui.app import OpsConsoleApp
from console.ui.screens.run_detail import RunDetailScreen


def test_rerun_from_failed_moves_to_the_new_run_whose_reused_task_names_and_links_its_run(
    session_factory: Any,
) -> None:
    session = session_factory()
    failed = session.engine.run("flaky").run_id

    async def scenario() -> None:
        app = OpsConsoleApp(session, tail_interval=0.05)
        async with app.run_test(size=(140, 45)) as pilot:
            await wait_for(pilot, lambda: app.pipelines and app.runs_pane.table.row_count, what="loaded")
            await pilot.press("R")  # on the Runs tab: the cursor moves to the new run, as after n
            await wait_for(
                pilot, lambda: app.runs_pane.table.selected_id() not in (None, failed), what="moved"
            )
            new = app.runs_pane.table.selected_id()
            assert new is not None and new > failed
            await pilot.press("enter")
            detail = await wait_for(pilot, lambda: isinstance(app.screen, RunDetailScreen) and app.screen)
            await wait_for(pilot, lambda: detail.run_id == new and len(detail.tasks) == 2, what="tasks")
            await wait_for(pilot, lambda: detail.run and detail.run["status"] == "failed", what="finished")
            await pilot.press("R")  # from the detail: the detail shows the newer run
            await wait_for(pilot, lambda: detail.run_id > new, what="detail moved to the new run")
            newer = detail.run_id
            await wait_for(pilot, lambda: len(detail.tasks) == 2, what="tasks of the newer run")
            table = detail.query_one("#tasks")
            table.move_cursor(row=table.get_row_index("first"))  # the reused one
            await wait_for(pilot, lambda: detail.origins.get("first") == failed, what="origin found")
            shown = screen_text(app)
            assert f"reused from run {failed}" in shown and "try 0" not in shown
            assert "reused" in str(table.get_cell("first", "took"))
            await pilot.press("enter")  # the link: opens the run that computed it
            await wait_for(pilot, lambda: detail.run_id == failed, what="the origin run opened")
            assert newer > new

    run(scenario())


def test_took_ticks_in_the_header_of_a_running_run(session_factory: Any) -> None:
    session = session_factory()
    now = [1_000_000.0]

    async def scenario() -> None:
        app = OpsConsoleApp(session, clock=lambda: now[0], tail_interval=0.05)
        async with app.run_test(size=(140, 45)) as pilot:
            await wait_for(pilot, lambda: app.pipelines, what="pipelines")
            run_id = session.engine.start("slow", {}, trigger="manual").run_id
            await wait_for(pilot, lambda: run_id in app.runs_pane.table.rows_by_id, what="listed")
            app.open_run(run_id)
            detail = await wait_for(pilot, lambda: isinstance(app.screen, RunDetailScreen) and app.screen)
            await wait_for(pilot, lambda: detail.run and detail.run["status"] == "running", what="running")
            started = detail.run["started_at"]
            now[0] = started + 5.0
            await wait_for(pilot, lambda: "took 5.0s" in screen_text(app), timeout=3, what="5.0s")
            now[0] = started + 9.0  # no store event in between: only the clock moved
            await wait_for(pilot, lambda: "took 9.0s" in screen_text(app), timeout=3, what="9.0s")
            # the running task's own time too, not "-" until it ends
            task = next(t for t in detail.tasks.values() if t["status"] == "running")
            table = detail.query_one("#tasks")
            elapsed = f"{now[0] - task['started_at']:.1f}s"
            await wait_for(pilot, lambda: str(table.get_cell(task["name"], "took")).strip() == elapsed,
                           timeout=3, what=f"the task's {elapsed}")
            session.engine.cancel(run_id)

    run(scenario())


def test_y_copies_the_selected_run_id(session_factory: Any) -> None:
    session = session_factory()
    run_id = session.engine.run("quick").run_id

    async def scenario() -> None:
        app = OpsConsoleApp(session, live=False)
        copied: list[str] = []
        app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_for(pilot, lambda: app.runs_pane.table.row_count, what="loaded")
            await pilot.press("y")
            assert copied == [str(run_id)]
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, RunDetailScreen), what="detail")
            await pilot.press("y")
            assert copied == [str(run_id), str(run_id)]

    run(scenario())


def test_seven_digit_run_ids_are_shown_whole(session_factory: Any) -> None:
    session = session_factory()
    db = session.store.db
    session.engine.run("quick")
    db.execute("UPDATE sqlite_sequence SET seq=999999 WHERE name='runs'")
    big = session.engine.run("quick").run_id
    assert big == 1_000_000

    async def scenario() -> None:
        app = OpsConsoleApp(session, live=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.runs_pane.table.row_count == 2, what="loaded")
            await pilot.pause(0.1)
            shown = screen_text(app)
            assert "1000000" in shown
            assert len(list_runs(db, limit=5)) == 2

    run(scenario())


def test_the_layout_follows_each_resize_at_once(session_factory: Any) -> None:
    session = session_factory()
    session.engine.run("quick")

    async def scenario() -> None:
        app = OpsConsoleApp(session, live=False)
        async with app.run_test(size=(140, 45)) as pilot:
            table = app.runs_pane.table
            await wait_for(pilot, lambda: table.row_count, what="loaded")
            assert "trigger" in table.columns_shown
            await pilot.resize_terminal(80, 24)
            await pilot.pause(0.1)
            assert table.columns_shown == ("id", "pipeline", "status", "took", "tasks")
            assert app.screen.has_class("-narrow")
            await pilot.resize_terminal(140, 45)
            await pilot.pause(0.1)
            assert "trigger" in table.columns_shown and not app.screen.has_class("-narrow")
            await pilot.resize_terminal(110, 40)
            await pilot.pause(0.1)
            assert "started" in table.columns_shown and "trigger" not in table.columns_shown

    run(scenario())


def test_new_run_picker_filters_as_typed_stops_at_the_top_and_shows_errors_inline(
    session_factory: Any,
) -> None:
    from console.ui.screens.new_run import NewRunModal

    session = session_factory()
    first = session.engine.run("quick").run_id

    async def scenario() -> None:
        app = OpsConsoleApp(session, tail_interval=0.05)
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_for(pilot, lambda: app.pipelines and app.runs_pane.table.row_count, what="loaded")
            await pilot.press("n")  # the highlighted run is a `quick` one: not preselected
            modal = await wait_for(pilot, lambda: isinstance(app.screen, NewRunModal) and app.screen)
            assert modal._selected() == "flaky"  # the first, alphabetically
            await pilot.press("up")
            assert modal._selected() == "flaky"  # no wrap to the last one
            await pilot.press(*"qui")
            assert modal.shown == ["quick"] and modal._selected() == "quick"
            await pilot.press("enter", *"nosuch=1", "enter")  # picked; a bad param
            error = modal.query_one("#error")
            await wait_for(
                pilot, lambda: "unknown param 'nosuch'" in str(error.render()), what="inline error"
            )
            assert app.screen is modal  # still open, the error stays
            for _ in range(8):
                await pilot.press("backspace")
            await pilot.press(*"n=4", "enter")
            await wait_for(pilot, lambda: not isinstance(app.screen, NewRunModal), what="dialog closed")
            await wait_for(
                pilot, lambda: (app.runs_pane.table.selected_id() or 0) > first, what="cursor on the new run"
            )

    run(scenario())


def test_pipelines_say_loading_until_listed_and_60_columns_keep_the_footer_apart(
    session_factory: Any,
) -> None:
    session = session_factory()
    session.engine.run("quick")

    async def scenario() -> None:
        app = OpsConsoleApp(session, live=False)
        gate = threading.Event()
        real = app.threads.read

        async def slow_read(fn: Any, *args: Any, **kwargs: Any) -> Any:
            if getattr(fn, "__name__", "") == "<lambda>":
                await asyncio.to_thread(gate.wait, 5)
            return await real(fn, *args, **kwargs)

        app.threads.read = slow_read  # type: ignore[method-assign]
        async with app.run_test(size=(60, 24)) as pilot:
            await pilot.pause(0.2)
            listed = app.runs_pane.query_one("PipelineList")
            assert "loading pipelines" in str(listed.get_row_at(0)[0])
            gate.set()
            await wait_for(pilot, lambda: app.pipelines, what="pipelines listed")
            assert "loading" not in str(listed.get_row_at(0)[0])
            await pilot.pause(0.1)
            footer = screen_text(app).splitlines()[-1]
            # the keys that fit, whole, then where the rest are
            assert "palette" not in footer and footer.startswith(" ⏎ open  n new run")
            assert footer.rstrip().endswith("? keys")
            assert app.screen.has_class("-tiny") and listed.region.width == 0  # the side list is hidden
            assert "tasks" in screen_text(app)  # the runs table keeps its last column at 60

    run(scenario())


def test_long_pipeline_names_end_in_an_ellipsis_when_the_runs_table_narrows(
    ui_project: Any, session_factory: Any
) -> None:
    long_name = "customer_cleaning_with_a_long_name"
    ui_project.write("long.py", f'from console import Pipeline\np = Pipeline({long_name!r})\n@p.task\ndef a():\n    return 1\n')
    session = session_factory()
    session.engine.run(long_name)

    async def scenario() -> None:
        app = OpsConsoleApp(session, live=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.runs_pane.table.row_count, what="loaded")
            await pilot.pause(0.1)
            table = app.runs_pane.table
            assert "customer_clean…" in screen_text(app)
            assert str(table.get_row_at(0)[1]) == "customer_clean…"
            await pilot.resize_terminal(140, 45)
            await pilot.pause(0.2)
            assert str(table.get_row_at(0)[1]) == long_name  # wide: the whole name

    run(scenario())


def test_the_header_grows_and_shrinks_with_the_runs_params_and_error_lines(
    ui_project: Any, session_factory: Any
) -> None:
    """The header is laid out again only when its height may change: every change of it shows."""
    ui_project.write("bare.py", "from console import Pipeline\np = Pipeline('bare')\n@p.task\ndef one():\n    return 1\n")
    session = session_factory()
    bare = session.engine.run("bare").run_id  # no params, no error: one line
    quick = session.engine.run("quick", {"n": 2}).run_id  # params: two lines
    failed = session.engine.run("flaky").run_id  # params and the run's error: three lines

    def header(app: OpsConsoleApp) -> list[str]:
        lines = screen_text(app).splitlines()
        start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("run "))
        return lines[start : start + 4]

    async def scenario() -> None:
        app = OpsConsoleApp(session, tail_interval=0.05)
        async with app.run_test(size=(140, 45)) as pilot:
            await wait_for(pilot, lambda: app.runs_pane.table.row_count == 3, what="loaded")
            for run_id, extra in ((quick, ["params n=2"]), (failed, ["params fail=True", "task 'boom' failed"]),
                                  (bare, []), (failed, ["params fail=True", "task 'boom' failed"]),
                                  (quick, ["params n=2"])):  # fmt: skip
                app.open_run(run_id)
                detail = await wait_for(pilot, lambda: isinstance(app.screen, RunDetailScreen) and app.screen)
                await wait_for(pilot, lambda r=run_id, d=detail: d.run is not None and d.run["id"] == r)
                await pilot.pause(0.1)
                shown = header(app)
                assert f"run {run_id} " in shown[0]
                assert [line.strip() for line in shown[1 : 1 + len(extra)]] == extra, shown
                below = shown[1 + len(extra)]
                assert "params" not in below and "boom' failed" not in below, shown  # nothing stale
                await pilot.press("escape")

    run(scenario())


def test_header_and_log_title_break_between_fields_at_every_width(session_factory: Any) -> None:
    """At 80 columns the header read ``started 20:41:23   took`` / ``116ms   tasks 20/20``: a line
    now breaks between two fields, and both titles are made again for each new width."""
    import re

    session = session_factory()
    run_id = session.engine.run("quick", {"n": 2}).run_id
    field = re.compile(r"(trigger|started|took|tasks) (\S+)")

    def lines_of(app: OpsConsoleApp, where: str) -> list[str]:
        return str(app.screen.query_one(where).render()).splitlines()

    async def scenario() -> None:
        app = OpsConsoleApp(session, tail_interval=0.05)
        async with app.run_test(size=(60, 24)) as pilot:
            await wait_for(pilot, lambda: app.runs_pane.table.row_count == 1, what="loaded")
            app.open_run(run_id)
            detail = await wait_for(pilot, lambda: isinstance(app.screen, RunDetailScreen) and app.screen)
            await wait_for(pilot, lambda: detail.run is not None and detail.task_name is not None)
            for width, header_lines in ((60, 3), (140, 2), (80, 3), (140, 2)):  # with the params line
                await pilot.resize_terminal(width, 24)
                await pilot.pause(0.2)
                header = lines_of(app, "#run-title")
                assert len(header) == header_lines, (width, header)
                words = " ".join(header).split()
                for line in header[:-1]:  # the last is the params line
                    assert not line.rstrip().endswith(("trigger", "started", "took", "tasks")), (width, header)
                assert [m.group(1) for m in field.finditer(" ".join(header))] == [
                    "trigger", "started", "took", "tasks"
                ], words
                title = lines_of(app, "#task-title")
                assert any("times in" in line for line in title), (width, title)  # one field, one line
                width_of = app.screen.query_one("#task-title").content_size.width
                assert all(len(line) <= width_of for line in title), (width, title)

    run(scenario())
