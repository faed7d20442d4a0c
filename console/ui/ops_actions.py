"""The console's day-2 actions: mark a task, pause a pipeline, diff two runs, timeline, log search.

Mixed into the App next to the run actions; store writes go through the actions thread,
reads through the reader thread, and results come back as notifications.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import DataTable, Log, Static

from console.store.marks import RUN_MARK_STATES, TASK_MARK_STATES, mark
from console.store.pauses import pause, paused_names, resume
from console.ui.actions import RunActions
from console.ui.screens.diff_screen import DiffScreen
from console.ui.screens.log_search_screen import LogSearchScreen
from console.ui.screens.mark_modal import Mark, MarkModal
from console.ui.screens.timeline_screen import TimelineScreen
from console.ui.widgets.log_find import LogFind

if TYPE_CHECKING:
    from console.ui.screens.run_detail import RunDetailScreen


class OpsActions(RunActions):
    """Keys: ``m`` mark, ``t`` timeline, ``/`` find in log (run detail); space + ``d`` diff,
    ``P`` pause/resume, ``S`` search logs (Runs tab)."""

    diff_marks: list[int]
    paused: set[str]

    def open_run(self, run_id: int) -> None:
        raise NotImplementedError

    def acted_pipeline(self) -> str | None:
        """The pipeline a pipeline-wide action (``P``) applies to; unlike ``default_pipeline``
        (what ``n`` preselects) this follows the highlighted run."""
        raise NotImplementedError

    def detail_screen(self) -> RunDetailScreen | None:
        from console.ui.screens.run_detail import RunDetailScreen

        stack = self.screen_stack
        if not stack:
            return None  # the console is closing (a timer that fired late)
        screen = stack[-1]
        if isinstance(screen, TimelineScreen):
            screen = stack[-2]
        return screen if isinstance(screen, RunDetailScreen) else None

    # -- mark -----------------------------------------------------------------------------------
    def action_mark_task(self) -> None:
        if self.refused():
            return
        detail = self.detail_screen()
        if detail is None or detail.run is None:
            self.notify("open a run first (enter), then m marks its selected task", severity="warning")
            return
        run = detail.run
        task = detail.tasks.get(detail.task_name or "")
        if run["status"] in ("queued", "running"):
            self.notify(f"run {run['id']} is {run['status']}: marks wait until it ends", severity="warning")
            return
        states: tuple[str, ...]
        if task is None:
            what, current, states, name = f"run {run['id']}", run["status"], RUN_MARK_STATES, None
        else:
            what, current, name = f"task {task['name']} of run {run['id']}", task["status"], task["name"]
            states = TASK_MARK_STATES
        self.push_screen(MarkModal(what, current, states), lambda choice: self._marked(run["id"], name, choice))

    def _marked(self, run_id: int, task: str | None, choice: Mark | None) -> None:
        if choice is None:
            return
        state, reason = choice

        async def do() -> None:
            db = self.session.store.db
            row = await self._engine_call(lambda: mark(db, run_id, task, state, reason=reason))
            if row is not None:
                self.notify(f"{task or 'run'}: {row['from']} → {row['to']}", title=f"run {run_id} marked")
                detail = self.detail_screen()
                if detail is not None and detail.run_id == run_id:
                    detail.load()

        self.run_worker(do(), group="actions")

    # -- timeline ------------------------------------------------------------------------------
    def action_timeline(self) -> None:
        detail = self.detail_screen()
        if detail is None:
            return
        if isinstance(self.screen, TimelineScreen):
            self.pop_screen()
            return
        self.push_screen(TimelineScreen(detail.run_id))

    # -- find in the log ------------------------------------------------------------------------
    def log_find(self) -> LogFind | None:
        detail = self.detail_screen()
        if detail is None:
            return None
        found = detail.query(LogFind)
        if found:
            return found.first()
        bar = LogFind(detail.query_one(Log), detail.query_one("#task-title", Static))
        detail.mount(bar)
        return bar

    def action_find_in_log(self) -> None:
        bar = self.log_find()
        if bar is not None:
            bar.open()

    def action_find_next(self, direction: int = 1) -> None:
        bar = self.log_find()
        if bar is not None:
            bar.step(direction)

    # -- pause ------------------------------------------------------------------------------------
    def action_toggle_pause(self) -> None:
        if self.refused():
            return
        name = self.acted_pipeline()
        if not name:
            self.notify("no pipeline selected", severity="warning")
            return
        was = name in self.paused

        def toggle() -> set[str]:
            db = self.session.store.db
            (resume if was else pause)(db, [name])
            return paused_names(db)

        async def do() -> None:
            now = await self._engine_call(toggle)
            if now is not None:
                self.show_paused(now)
                verb = "resumed (missed ticks follow its catchup policy)" if was else "paused: no schedule, file or monitor fires"
                self.notify(f"{name} {verb}", title="pipelines")

        self.run_worker(do(), group="actions")

    def show_paused(self, names: set[str]) -> None:
        self.paused = names
        from console.ui.widgets.pipeline_list import PipelineList

        for listed in self.query(PipelineList):
            listed.set_paused(names)

    async def refresh_paused(self) -> None:
        names = await self.threads.read(paused_names, self.session.store.db)
        if names != self.paused:
            self.show_paused(names)

    # -- diff -------------------------------------------------------------------------------------
    def action_toggle_diff_mark(self) -> None:
        run = self.current_run()
        if run is None:
            return
        if run["id"] in self.diff_marks:
            self.diff_marks.remove(run["id"])
        else:
            self.diff_marks = [*self.diff_marks, run["id"]][-2:]
        from console.ui.panes.runs_pane import RunsPane

        for pane in self.query(RunsPane):
            pane._caption()
        marks = " and ".join(f"#{r}" for r in self.diff_marks) or "none"
        hint = "; d shows the diff" if len(self.diff_marks) == 2 else "; mark one more (space)"
        self.notify(f"marked for diff: {marks}{hint if self.diff_marks else ''}", title="diff", timeout=3)

    def action_diff_marked(self) -> None:
        marks = list(self.diff_marks)
        run = self.current_run()
        if len(marks) == 1 and run is not None and run["id"] != marks[0]:
            marks.append(run["id"])
        if len(marks) != 2:
            self.notify("mark two runs with space (or one, then move to the other), then d", severity="warning")
            return
        a, b = sorted(marks)
        self.push_screen(DiffScreen(a, b))

    # -- search -----------------------------------------------------------------------------------
    def action_search_logs(self) -> None:
        self.push_screen(LogSearchScreen())

    def open_run_at(self, run_id: int, task: str) -> None:
        """Open a run with ``task`` selected (a search hit)."""
        self.open_run(run_id)

        def pick() -> None:
            detail = self.detail_screen()
            if detail is None:
                return
            table = detail.query_one("#tasks", DataTable)
            if task in detail.tasks:
                table.move_cursor(row=table.get_row_index(task))

        self.set_timer(0.3, pick)

