"""The task log follows its end past any length, bounded, and wraps long lines on demand."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from ui_helpers import run, screen_text, wait_for

from console.ui.app import OpsConsoleApp
from console.ui.screens.run_detail import RunDetailScreen
from console.ui.widgets.log_view import LogView, wrap_line

CHATTY = """
    from console import Pipeline

    p = Pipeline("chatty", params={"n": 2600})

    @p.task
    def talk(n, ctx):
        for i in range(n):
            print(f"said {i}")
            if i % 25 == 0:
                ctx.sleep(0.02)  # about 1,000 lines/s
"""


class LogApp(App[None]):
    def __init__(self, log: LogView) -> None:
        super().__init__()
        self.log_view = log

    def compose(self) -> ComposeResult:
        yield self.log_view


def test_wrap_line_cuts_at_the_width_and_keeps_wide_characters_whole() -> None:
    assert wrap_line("abcdefgh", 3) == ["abc", "def", "gh"]
    assert wrap_line("short", 10) == ["short"]
    assert wrap_line("日本語です", 4) == ["日本", "語で", "す"]


def test_the_screen_shows_the_last_line_after_more_lines_than_it_keeps() -> None:
    async def scenario() -> None:
        log = LogView(keep=2000)
        app = LogApp(log)
        async with app.run_test(size=(80, 24)) as pilot:
            for batch in range(52):  # 2,600 lines in batches, as the tail posts them
                log.write_lines([f"line {batch * 50 + i}" for i in range(50)])
                await pilot.pause(0.005)
            await pilot.pause(0.1)
            shown = screen_text(app)
            assert "line 2599" in shown and "line 2577" in shown
            assert len(log.raw) == 2000 and log.dropped == 600 and log.truncated
            assert log.line_count == 2000  # bounded

    run(scenario())


def test_a_log_at_its_end_keeps_its_last_line_in_view_when_it_gets_shorter() -> None:
    """The run detail's log title can grow a line after the log scrolled to its end (a failed
    run's traceback): the log, a line shorter, still shows its last line; one scrolled up stays."""

    async def scenario() -> None:
        log = LogView(keep=500)
        app = LogApp(log)
        async with app.run_test(size=(60, 20)) as pilot:
            log.write_lines([f"line {i}" for i in range(200)])
            await pilot.pause(0.05)
            assert "line 199" in screen_text(app)
            for height in (19, 17, 12):
                log.styles.height = height
                await pilot.pause(0.05)
                assert log.scroll_y == log.max_scroll_y and "line 199" in screen_text(app), height
            log.scroll_to(y=50, animate=False)
            await pilot.pause(0.05)
            log.styles.height = 10
            await pilot.pause(0.05)
            assert log.scroll_y == 50 and "line 199" not in screen_text(app)  # the reader's place kept

    run(scenario())


def test_wrap_folds_long_lines_and_unfolds_them_again() -> None:
    async def scenario() -> None:
        log = LogView(keep=100)
        app = LogApp(log)
        async with app.run_test(size=(40, 10)) as pilot:
            log.write_lines(["x" * 50 + "TAIL" + "y" * 30, "short"])
            await pilot.pause(0.05)
            assert "TAIL" not in screen_text(app)  # cut off at the right edge
            log.toggle_wrap()
            await pilot.pause(0.05)
            assert "TAIL" in screen_text(app) and log.line_count > 2
            log.write_lines(["z" * 90])  # new lines wrap too
            await pilot.pause(0.05)
            assert log.line_count >= 6
            log.toggle_wrap()
            await pilot.pause(0.05)
            assert log.line_count == 3 and "TAIL" not in screen_text(app)

    run(scenario())


def test_the_run_detail_follows_a_2600_line_log_to_its_end_and_says_what_it_kept(
    ui_project: Any, session_factory: Any
) -> None:
    ui_project.write("chatty.py", CHATTY)
    session = session_factory()

    async def scenario() -> None:
        app = OpsConsoleApp(session, tail_interval=0.05)
        async with app.run_test(size=(140, 45)) as pilot:
            await wait_for(pilot, lambda: app.pipelines, what="pipelines listed")
            run_id = session.engine.start("chatty", {}, trigger="manual").run_id
            await wait_for(pilot, lambda: run_id in app.runs_pane.table.rows_by_id, what="run listed")
            app.open_run(run_id)
            detail = await wait_for(pilot, lambda: isinstance(app.screen, RunDetailScreen) and app.screen)
            await wait_for(pilot, lambda: detail.task_name == "talk", what="task selected")
            await wait_for(
                pilot,
                lambda: detail.run and detail.run["status"] == "succeeded",
                timeout=30,
                what="run finished",
            )
            await wait_for(pilot, lambda: "said 2599" in screen_text(app), timeout=10, what="the last line")
            assert "showing the last 2,000 lines" in screen_text(app)
            await pilot.press("w")
            await pilot.pause(0.1)
            assert detail.query_one(LogView).wrap and "wrap" in screen_text(app)

    run(scenario())
