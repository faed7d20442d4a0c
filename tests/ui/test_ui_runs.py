"""The Runs tab and the run detail through the real keys: n, enter, c, r, R, /, escape."""

from __future__ import annotations

from typing import Any

from ui_helpers import run, wait_for

from console.store.runs import get_run_row, get_tasks, list_runs
from console.ui.app import OpsConsoleApp
from console.ui.screens.new_run import NewRunModal
from console.ui.screens.run_detail import RunDetailScreen


def runs(session: Any) -> list[dict[str, Any]]:
    return list_runs(session.store.db, limit=100)


async def start_with_n(pilot: Any, app: OpsConsoleApp, pipeline: str, params: str = "") -> None:
    await pilot.press("n")
    modal = await wait_for(
        pilot, lambda: isinstance(app.screen, NewRunModal) and app.screen, what="new run modal"
    )
    names = list(modal.pipelines)
    steps = names.index(pipeline) - names.index(modal._selected())
    for _ in range(abs(steps)):
        await pilot.press("down" if steps > 0 else "up")
    await pilot.press("enter")  # pick the pipeline: focus goes to the params
    if params:
        await pilot.press(*params)
    await pilot.press("enter")


def test_n_starts_a_run_that_finishes_then_enter_opens_it_with_its_log(session_factory: Any) -> None:
    session = session_factory()

    async def scenario() -> None:
        app = OpsConsoleApp(session, tail_interval=0.05)
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_for(pilot, lambda: app.pipelines, what="pipelines listed")
            await start_with_n(pilot, app, "quick", "n=5")
            row = await wait_for(
                pilot,
                lambda: [r for r in app.runs_pane.table.rows_by_id.values() if r["status"] == "succeeded"],
                what="the run shown as succeeded",
            )
            stored = get_run_row(session.store.db, row[0]["id"])
            assert stored["pipeline"] == "quick" and stored["trigger"] == "manual"
            assert '"n": 5' in stored["params"]
            app.runs_pane.table.focus()
            await pilot.press("enter")
            detail = await wait_for(pilot, lambda: isinstance(app.screen, RunDetailScreen) and app.screen)
            assert detail.run_id == stored["id"]
            await wait_for(pilot, lambda: len(detail.tasks) == 2, what="tasks listed")
            await pilot.press("down")  # the `total` task, which printed five lines
            log = detail.query_one("#log")
            await wait_for(pilot, lambda: any("line 4" in ln for ln in log.lines), what="the task's log")
            await pilot.press("escape")
            assert not isinstance(app.screen, RunDetailScreen)

    run(scenario())


def test_cancel_then_rerun_then_rerun_from_failed(session_factory: Any) -> None:
    session = session_factory()

    async def scenario() -> None:
        app = OpsConsoleApp(session, tail_interval=0.05)
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_for(pilot, lambda: app.pipelines, what="pipelines listed")
            await start_with_n(pilot, app, "slow")
            table = app.runs_pane.table
            await wait_for(
                pilot, lambda: table.selected_run() and table.selected_run()["status"] == "running"
            )
            slow_id = table.selected_id()
            await pilot.press("c")
            await wait_for(
                pilot,
                lambda: get_run_row(session.store.db, slow_id)["status"] == "cancelled",
                what="cancelled",
            )
            await wait_for(pilot, lambda: table.rows_by_id[slow_id]["status"] == "cancelled", what="shown")
            table.move_cursor(row=table.get_row_index(str(slow_id)))
            await pilot.press("r")
            rerun = await wait_for(
                pilot, lambda: [r for r in runs(session) if r["parent_run_id"] == slow_id], what="rerun row"
            )
            assert rerun[0]["trigger"] == "rerun" and rerun[0]["pipeline"] == "slow"
            await wait_for(pilot, lambda: rerun[0]["id"] in table.rows_by_id, what="rerun shown")
            session.engine.cancel(rerun[0]["id"])

            await start_with_n(pilot, app, "flaky")
            await wait_for(
                pilot,
                lambda: (table.selected_run() or {}).get("pipeline") == "flaky",
                what="the cursor on the run just started",
            )
            flaky = await wait_for(
                pilot,
                lambda: [
                    r
                    for r in table.rows_by_id.values()
                    if r["pipeline"] == "flaky" and r["status"] == "failed"
                ],
                what="flaky failed",
            )
            table.move_cursor(row=table.get_row_index(str(flaky[0]["id"])))
            await pilot.press("R")
            again = await wait_for(
                pilot,
                lambda: [r for r in runs(session) if r["parent_run_id"] == flaky[0]["id"]],
                what="rerun from failed",
            )
            assert again[0]["trigger"] == "rerun-failed"
            await wait_for(pilot, lambda: get_run_row(session.store.db, again[0]["id"])["status"] == "failed")
            reused = {t["name"]: t["reused"] for t in get_tasks(session.store.db, again[0]["id"])}
            assert reused == {"first": 1, "boom": 0}

    run(scenario())


async def filter_runs(pilot: Any, table: Any, before: int, text: str, after: int) -> None:
    """With ``before`` runs listed, type ``text`` into the filter bar; ``after`` runs are left."""
    await wait_for(pilot, lambda: table.row_count == before, what=f"{before} run(s)")
    await pilot.press("slash")
    await pilot.press(*text)
    await wait_for(pilot, lambda: table.row_count == after, what=f"{text}: {after} run(s)")


def test_task_exception_shows_in_state_and_log_and_filter_narrows(session_factory: Any) -> None:
    session = session_factory()
    session.engine.run("flaky")
    session.engine.run("quick")

    async def scenario() -> None:
        app = OpsConsoleApp(session, tail_interval=0.05)
        async with app.run_test(size=(120, 36)) as pilot:
            table = app.runs_pane.table
            await filter_runs(pilot, table, 2, "status=failed", 1)
            assert table.selected_run()["pipeline"] == "flaky"
            await pilot.press("enter")  # keep the filter, back to the table
            assert table.has_focus
            await pilot.press("enter")
            detail = await wait_for(pilot, lambda: isinstance(app.screen, RunDetailScreen) and app.screen)
            await wait_for(pilot, lambda: detail.task_name == "boom", what="the failed task selected")
            log = detail.query_one("#log")
            await wait_for(pilot, lambda: any("ValueError: boom" in ln for ln in log.lines), what="traceback")
            assert detail.tasks["boom"]["status"] == "failed"
            assert "bad input row 7" in str(detail.query_one("#task-title").render())

    run(scenario())


def test_a_run_from_another_process_appears(ui_project: Any, session_factory: Any) -> None:
    session = session_factory()

    async def scenario() -> None:
        app = OpsConsoleApp(session, tail_interval=0.05)
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_for(pilot, lambda: app.tail is not None, what="tail started")
            proc = await __import__("asyncio").to_thread(ui_project.cli, "--no-ui", "run", "quick")
            assert proc.returncode == 0, proc.stderr
            table = app.runs_pane.table
            await wait_for(
                pilot,
                lambda: [r for r in table.rows_by_id.values() if r["status"] == "succeeded"],
                what="the other process's run",
            )

    run(scenario())


def test_a_pipeline_that_breaks_while_open_is_marked_broken(ui_project: Any, session_factory: Any) -> None:
    session = session_factory()

    async def scenario() -> None:
        app = OpsConsoleApp(session, tail_interval=0.05)
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_for(pilot, lambda: app.tail is not None, what="tail started")
            ui_project.write("quick.py", "from console import Pipeline\np = Pipeline('quick'\n")
            listed = app.runs_pane.query_one("#pipelines")
            await wait_for(
                pilot,
                lambda: listed.infos.get("quick") and listed.infos["quick"].status == "broken",
                timeout=15,
            )
            assert "SyntaxError" in (listed.infos["quick"].error or "")
            listed.focus()
            listed.move_cursor(row=listed.get_row_index("flaky"))
            await pilot.press("down")  # onto quick: the preview gives the whole error
            preview = str(app.runs_pane.query_one("#preview").render())
            assert "BROKEN" in preview and "quick.py" in preview and "SyntaxError" in preview

    run(scenario())


def test_the_detail_screen_is_reused_for_the_next_run(session_factory: Any) -> None:
    session = session_factory()
    session.engine.run("flaky")
    session.engine.run("quick")

    async def scenario() -> None:
        app = OpsConsoleApp(session, tail_interval=0.05)
        async with app.run_test(size=(100, 30)) as pilot:
            table = app.runs_pane.table
            await wait_for(pilot, lambda: table.row_count == 2, what="two runs")
            await pilot.press("enter")
            first = await wait_for(pilot, lambda: isinstance(app.screen, RunDetailScreen) and app.screen)
            await wait_for(pilot, lambda: set(first.tasks) == {"numbers", "total"}, what="quick's tasks")
            await pilot.press("escape", "down", "enter")
            second = await wait_for(pilot, lambda: isinstance(app.screen, RunDetailScreen) and app.screen)
            assert second is first and second.run_id == 1
            await wait_for(pilot, lambda: set(second.tasks) == {"first", "boom"}, what="flaky's tasks")
            assert second.query_one("#tasks").row_count == 2
            await pilot.press("2")  # a tab key from the detail goes back to the tabs
            assert not isinstance(app.screen, RunDetailScreen)

    run(scenario())


def test_an_empty_filter_says_no_runs_match_not_no_runs_yet(session_factory: Any) -> None:
    session = session_factory()
    session.engine.run("quick")

    async def scenario() -> None:
        app = OpsConsoleApp(session, tail_interval=0.05)
        async with app.run_test(size=(120, 36)) as pilot:
            table = app.runs_pane.table
            await filter_runs(pilot, table, 1, "status=running", 0)
            preview = app.runs_pane.query_one("RunPreview")
            said = await wait_for(pilot, lambda: str(preview.render()).strip() or None, what="the preview")
            assert said.startswith("no runs match the filter") and "no runs yet" not in said
            for _ in range(len("status=running")):
                await pilot.press("backspace")
            await wait_for(pilot, lambda: table.row_count == 1, what="the filter cleared")

    run(scenario())
