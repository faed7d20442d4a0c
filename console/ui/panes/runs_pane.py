"""Tab 1, Runs: pipelines on the side, a window of runs, the selected run's tasks below."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Static

from console.presentation import fmt_task_counts
from console.store.runs import get_tasks, list_runs
from console.store.vocabulary import RunRow, TaskRow
from console.ui.cells import duration, safe_text, status_mark
from console.ui.host import ConsoleApp
from console.ui.tail import PipelineInfo
from console.ui.widgets.filter_bar import FilterBar
from console.ui.widgets.pipeline_list import PipelineList
from console.ui.widgets.runs_table import RunFilter, RunsTable
from console.ui.widgets.safe_table import still_highlighted

if TYPE_CHECKING:
    pass

PAGE = 200

HELP = (
    "Runs of every process appear here live (cron, `--no-ui`, other shells). The table shows "
    f"the newest {PAGE} runs and pages back through the store as the cursor reaches the bottom. "
    "Filter with `/`: free text, `status=failed`, `pipeline=NAME`."
)


class RunPreview(Static):
    """One line per selected run: its tasks with their state marks, and its error."""

    DEFAULT_CSS = "RunPreview { height: 4; padding: 0 1; border-top: solid $panel-lighten-2; }"


class RunsPane(Vertical):
    BINDINGS = [
        Binding("n", "app.new_run", "new run"),
        Binding("r", "app.rerun", "rerun"),
        Binding("R", "app.rerun_failed", "from failed"),
        Binding("c", "app.cancel_run", "cancel"),
        Binding("slash", "filter", "filter"),
        Binding("space", "app.toggle_diff_mark", "mark"),
        Binding("d", "app.diff_marked", "diff"),
        Binding("P", "app.toggle_pause", "pause"),
        Binding("S", "app.search_logs", "search"),
        Binding("y", "app.copy_run_id", "copy id", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Horizontal(id="runs-main"):
            yield PipelineList(id="pipelines")
            with Vertical(id="runs-right"):
                yield Static("", id="runs-caption")
                yield RunsTable(clock=self.console_app.clock, id="runs")
        yield RunPreview("", id="preview")
        yield FilterBar()

    preview_tasks: tuple[int, list[TaskRow]] | None = None  # the run under the cursor
    _previewed: int | None = None  # the run the preview shows
    _live_during_load: dict[int, RunRow] | None = None  # live runs seen while a page loads

    def tasks_of(self, run_id: int) -> list[TaskRow] | None:
        """The tasks of ``run_id`` if the preview read them already (else None)."""
        seen = self.preview_tasks
        return seen[1] if seen is not None and seen[0] == run_id else None

    console_app = ConsoleApp()

    @property
    def table(self) -> RunsTable:
        return self.query_one(RunsTable)

    def on_mount(self) -> None:
        self.table.on_cursor = self.show_preview
        self.load_window()
        self._caption()

    # -- loading -------------------------------------------------------------------------------
    @work(exclusive=True, group="runs-window")
    async def load_window(self) -> None:
        self._live_during_load = {}
        rows = await self._page()
        self.table.replace_rows(rows, exhausted=len(rows) < PAGE)
        # a live batch applied while the page was read would be wiped by the replace: put back
        # the runs it brought that the page missed (made after the page was read)
        missed = {i: r for i, r in self._live_during_load.items() if i not in self.table.rows_by_id}
        self._live_during_load = None
        if missed:
            self.table.apply(missed)
        self._caption()
        self.show_preview()

    @on(RunsTable.NeedMore)
    @work(exclusive=True, group="runs-page")
    async def more(self, event: RunsTable.NeedMore) -> None:
        rows = await self._page(before_id=event.before_id)
        self.table.append_page(rows, exhausted=len(rows) < PAGE)
        self._caption()

    async def _page(self, before_id: int | None = None) -> list[RunRow]:
        """One page of runs matching the filter, newest first, older than ``before_id``."""
        f = self.table.filter
        rows: list[RunRow] = await self.console_app.threads.read(
            list_runs,
            self.console_app.store.db,
            pipeline=f.pipeline,
            status=f.status,
            search=f.search,
            limit=PAGE,
            before_id=before_id,
        )
        return rows

    def _caption(self) -> None:
        table = self.table
        text = Text(" RUNS", style="bold")
        text.append(f"  {table.row_count}{'' if table.exhausted else '+'} shown", style="dim")
        if str(table.filter):
            text.append(f"   / {table.filter}", style="bold yellow")
        marks = getattr(self.console_app, "diff_marks", [])
        if marks:
            text.append("   diff: " + " ".join(f"#{r}" for r in marks), style="bold cyan")
        self.query_one("#runs-caption", Static).update(text, layout=False)

    # -- live -----------------------------------------------------------------------------------
    def apply_runs(self, runs: dict[int, RunRow]) -> None:
        if self._live_during_load is not None:
            self._live_during_load.update(runs)
        added = self.table.apply(runs)
        if added:
            self._caption()
        selected = self.table.selected_id()
        if selected in runs:
            self.show_preview()

    def select_run(self, run_id: int) -> None:
        table = self.table
        if run_id in table.rows_by_id:
            table.move_cursor(row=table.get_row_index(str(run_id)))

    def show_pipelines(self, infos: list[PipelineInfo]) -> None:
        self.query_one(PipelineList).show(infos)

    def selected_pipeline(self) -> str | None:
        """The pipeline ``n`` starts with: the one picked in the side list, or the one the runs
        are filtered to; never the highlighted run's (that is where the cursor happens to be)."""
        listed = self.query_one(PipelineList)
        if listed.has_focus:
            return listed.selected_name()
        return self.table.filter.pipeline

    def acted_pipeline(self) -> str | None:
        """The pipeline ``P`` pauses or resumes: the one picked in the side list, else the
        highlighted run's, else the one the runs are filtered to."""
        listed = self.query_one(PipelineList)
        if listed.has_focus:
            return listed.selected_name()
        run = self.table.selected_run()
        if run is not None:
            return str(run["pipeline"])
        return self.table.filter.pipeline or listed.selected_name()

    def set_level(self, level: str) -> None:
        self.table.set_level(level)
        self.query_one(PipelineList).set_class(level != "wide", "-narrow")

    # -- events --------------------------------------------------------------------------------
    @on(DataTable.RowHighlighted, "#runs")
    def _highlighted(self) -> None:
        if self.table.selected_id() != self._previewed:  # the cursor hook usually got there first
            self.show_preview()

    @on(DataTable.RowSelected, "#runs")
    def _selected(self, event: DataTable.RowSelected) -> None:
        run_id = int(event.row_key.value or 0)
        self.console_app.open_run(run_id)

    @on(DataTable.RowHighlighted, "#pipelines")
    def _pipeline_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """On the side list, the preview tells about the pipeline (a broken one: why, in full)."""
        listed = self.query_one(PipelineList)
        info = listed.infos.get(event.row_key.value or "")
        if info is None or not listed.has_focus or not still_highlighted(event):
            return
        text = Text(f"{info.name}  ", style="bold")
        if info.status == "broken":
            text.append("BROKEN  ", style="bold white on red")
            text.append(info.error or "", style="red")
        else:
            text.append(f"tasks: {', '.join(info.tasks)}")
            if info.params:
                text.append("\nparams: " + " ".join(f"{k}={v}" for k, v in info.params.items()), style="dim")
            text.append("\nenter: show only its runs (again: all)   n: start one", style="dim")
        self.query_one(RunPreview).update(safe_text(text), layout=False)

    @on(DataTable.RowSelected, "#pipelines")
    def _pipeline_chosen(self, event: DataTable.RowSelected) -> None:
        """Enter on a pipeline filters the runs to it (again: clears)."""
        name = event.row_key.value
        current = self.table.filter
        same = current.pipeline == name
        self.table.filter = RunFilter(current.status, None if same else name, current.search)
        self.load_window()
        self.table.focus()

    def show_preview(self) -> None:
        """The selected run at once from the row; its tasks' marks follow from the store."""
        run = self.table.selected_run()
        self._previewed = run["id"] if run is not None else None
        preview = self.query_one(RunPreview)
        if run is None:
            f = self.table.filter
            said = (
                "no runs match the filter: / changes it (enter on the pipeline again shows all)"
                if f.status or f.pipeline or f.search
                else "no runs yet: press n to start one"
            )
            preview.update(Text(said, style="dim"), layout=False)
            return
        preview.update(preview_text(run, None), layout=False)
        self._preview_tasks(run)

    @work(exclusive=True, group="runs-preview")
    async def _preview_tasks(self, run: Mapping[str, Any]) -> None:
        tasks = await self.console_app.threads.read(get_tasks, self.console_app.store.db, run["id"])
        self.preview_tasks = (run["id"], tasks)
        if self.table.selected_id() == run["id"]:
            self.query_one(RunPreview).update(preview_text(run, tasks), layout=False)

    # -- filter ----------------------------------------------------------------------------------
    def action_filter(self) -> None:
        bar = self.query_one(FilterBar)
        bar.value = str(self.table.filter)
        bar.open()

    @on(FilterBar.Filter)
    def _filter(self, event: FilterBar.Filter) -> None:
        self.table.filter = RunFilter.parse(event.text)
        self.load_window()
        if event.done:
            self.table.focus()


def preview_text(run: Mapping[str, Any], tasks: list[TaskRow] | None) -> Text:
    line = Text()
    line.append(f"#{run['id']} {run['pipeline']}  ", style="bold")
    line.append(f"tasks {fmt_task_counts(run)}  ", style="dim")
    if tasks is None:
        line.append_text(status_mark(run["status"]))
        line.append(f" {run['status']}", style="dim")
    for t in tasks or []:
        line.append(f"{t['name']} ")
        line.append_text(status_mark(t["status"]))
        if t["duration_s"] is not None and t["status"] != "skipped":
            line.append(f" {duration(t['duration_s'])}", style="dim")
        line.append("  ")
    params = json.loads(run["params"] or "{}")
    if params:
        line.append("\n" + " ".join(f"{k}={v}" for k, v in params.items()), style="dim")
    if run["error"]:
        line.append("\n" + (run["error"].splitlines() or [""])[0], style="red")
    return safe_text(line)  # params and errors are data
