"""Enter on a run: its task tree with live states, the selected task's log, and its checks."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static

from console.errors import NotFoundError
from console.presentation import printable, times_note
from console.quality.history import check_rows
from console.store.marks import marks_of
from console.store.runs import get_run_row, get_tasks
from console.ui.cells import duration, fields_on_lines, number, status_cell, truncate
from console.ui.host import ConsoleApp
from console.ui.readonly import hide_actions
from console.ui.reused import reused_origin
from console.ui.screens.run_header import FieldsTitle, run_header
from console.ui.screens.style_key import css_inputs
from console.ui.tail import read_log_window
from console.ui.widgets.column_fit import Column, FitsColumns
from console.ui.widgets.kafka_panels import KafkaBatchPanel
from console.ui.widgets.key_footer import KeyFooter
from console.ui.widgets.log_view import LogView
from console.ui.widgets.safe_table import SafeTable, still_highlighted
from console.ui.widgets.status_header import StatusHeader

if TYPE_CHECKING:
    pass

LOG_LINES = 2000
HELP = (
    "Task states update live. Up/down picks a task; its log streams on the right (the last "
    f"{LOG_LINES} lines) with its checks below. r / R / c act on this run; w wraps long log lines; "
    "y copies the run id; enter on a reused task opens the run it was reused from. m marks the selected "
    "task by hand (an audit row), t shows the timeline, / finds in the log and n / N step through the matches."
)


def depths(tasks: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Depth of each task in the DAG (tasks come in topological order)."""
    out: dict[str, int] = {}
    for t in tasks:
        ups = json.loads(t["upstream"] or "[]")
        out[t["name"]] = 1 + max((out.get(u, 0) for u in ups), default=-1)
    return out


class RunDetailScreen(Screen[None], FitsColumns):
    BINDINGS = [
        Binding("escape", "back", "back"),
        Binding("r", "app.rerun", "rerun"),
        Binding("R", "app.rerun_failed", "from failed"),
        Binding("c", "app.cancel_run", "cancel"),
        Binding("l", "focus_log", "log", show=False),
        Binding("m", "app.mark_task", "mark"),
        Binding("t", "app.timeline", "timeline"),
        Binding("slash", "app.find_in_log", "find in log"),
        Binding("n", "app.find_next(1)", "next match", show=False),
        Binding("N", "app.find_next(-1)", "previous match", show=False),
        Binding("w", "toggle_wrap", "wrap"),
        Binding("y", "app.copy_run_id", "copy id"),
    ]

    def __init__(
        self, run_id: int, run: Mapping[str, Any] | None = None, tasks: Sequence[Mapping[str, Any]] | None = None
    ) -> None:
        super().__init__()
        self.run_id = run_id
        self.run: Mapping[str, Any] | None = run
        self._seed = tasks
        self.tasks: dict[str, Mapping[str, Any]] = {}
        self.task_name: str | None = None
        self.marks: list[dict[str, Any]] = []
        self.origins: dict[str, int | None] = {}  # reused task -> the run that computed it

    _styled_for: tuple[object, ...] | None = None

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        """Before Textual's own handler: skip its restyle of every widget when nothing it
        depends on changed since this screen was last shown (see ``style_key``)."""
        inputs = css_inputs(self.app)
        if inputs == self._styled_for:
            event.refresh_styles = False
        self._styled_for = inputs

    def show_run(
        self, run_id: int, run: Mapping[str, Any] | None = None, tasks: Sequence[Mapping[str, Any]] | None = None
    ) -> None:
        """Reuse this screen for another run (composing a new one costs a frame or two)."""
        self.run_id, self.run = run_id, run
        self.tasks, self.task_name = {}, None
        self.origins = {}
        self.query_one("#tasks", DataTable).clear()
        self.query_one("#task-checks", DataTable).clear()
        self.query_one(LogView).clear()
        self.query_one("#task-title", Static).update("", layout=False)
        self.query_one(KafkaBatchPanel).show([])
        self.console_app.sync_header(self.query_one(StatusHeader))
        if run is not None:
            self._title()
        if tasks is not None:
            self.apply(None, tasks)  # what the Runs tab already read: shown in the first frame
        self.load()
        self.query_one("#tasks", DataTable).focus()

    console_app = ConsoleApp()

    def compose(self) -> ComposeResult:
        app = self.console_app
        yield StatusHeader(app.project_label, app.store_label, app.read_only)
        yield Static("", id="run-title")
        with Horizontal(id="detail-main"):
            yield SafeTable(cursor_type="row", id="tasks")
            with Vertical(id="detail-right"):
                yield FieldsTitle("", id="task-title")
                yield LogView(keep=LOG_LINES, id="log")
                yield Static(" CHECKS", id="checks-title")
                yield SafeTable(cursor_type="row", id="task-checks")
                yield KafkaBatchPanel(id="kafka-batch")  # runs of a Kafka source only
        yield KeyFooter()

    def on_mount(self) -> None:
        tasks = self.query_one("#tasks", DataTable)
        self.fit_tables()
        self.console_app.sync_header(self.query_one(StatusHeader))
        if self.console_app.read_only:
            hide_actions(self)
        if self.run is not None:
            self._title()
        if self._seed is not None:
            self.apply(None, self._seed)
            self._seed = None
        self.load()
        tasks.focus()
        self.set_interval(1.0, self._tick_took)

    def _tick_took(self) -> None:
        """A running run's "took" in the header, and its running tasks', count up between store events."""
        if not (self.is_current and self.run is not None and self.run["status"] in ("queued", "running")):
            return
        self._title()
        if "took" not in {key for key, _ in self._layout.get("tasks", [])}:
            return
        table, now = self.query_one("#tasks", DataTable), self.console_app.clock()
        for name, t in self.tasks.items():
            if t["status"] == "running" and t.get("started_at"):
                table.update_cell(name, "took", Text(duration(now - t["started_at"]), style="dim", justify="right"))

    @work(exclusive=True, group="detail-load")
    async def load(self) -> None:
        read = self.console_app.threads.read
        db = self.console_app.store.db
        try:
            run = await read(get_run_row, db, self.run_id)
        except NotFoundError as exc:  # gc removed the run meanwhile
            self.query_one("#run-title", Static).update(Text(str(exc), style="red"))
            return
        self.marks = await read(marks_of, db, self.run_id)
        self.apply(run, await read(get_tasks, db, self.run_id))
        self.load_kafka()

    @work(exclusive=True, group="detail-kafka")
    async def load_kafka(self) -> None:
        from console.streaming.batch_report import batch_events

        run_id = self.run_id
        batches = await self.console_app.threads.read(batch_events, self.console_app.store.db, run_id)
        if run_id == self.run_id:
            self.query_one(KafkaBatchPanel).show(batches)

    # -- live ----------------------------------------------------------------------------------
    def apply(self, run: Mapping[str, Any] | None, tasks: Sequence[Mapping[str, Any]] | None) -> None:
        if run is not None:
            self.run = run
            self._title()
        if tasks is None:
            return
        table = self.query_one("#tasks", DataTable)
        level = depths(tasks)
        first = not self.tasks
        shown = {key for key, _ in self._layout.get("tasks", [])}
        for t in tasks:
            name = t["name"]
            cells = task_cells(t, level[name])
            if name in self.tasks:
                old = self.tasks[name]
                if not level[name] and old["status"] != t["status"] == "succeeded":
                    self.load_kafka()  # a source task (a root) reports its batch as it succeeds
                for key, field in (("status", "status"), ("try", "attempts"), ("took", "duration_s")):
                    if key in shown and (old[field] != t[field] or old["reused"] != t["reused"]):
                        table.update_cell(name, key, cells[key])
            elif shown:
                table.add_row(*self.pick("tasks", cells), key=name)
            self.tasks[name] = t
        if first and tasks:
            focus = next((t["name"] for t in tasks if t["status"] in ("failed", "running")), tasks[0]["name"])
            table.move_cursor(row=table.get_row_index(focus))
            self.select_task(focus)
        elif self.task_name in self.tasks:
            self._task_title()

    def _title(self) -> None:
        assert self.run is not None
        # the screen's width less the header's pad: known before the first layout
        width = max(self.app.size.width - 2, 20)
        self._show_title(run_header(self.run, self.marks, self.console_app.clock(), width))

    def on_resize(self, event: events.Resize) -> None:
        if self.run is not None:
            self._title()  # its lines break between fields for the width it has

    @on(FieldsTitle.Resized, "#task-title")
    def _task_title_resized(self) -> None:
        self._task_title()

    _shapes: Mapping[str, tuple[int, bool]] = {}  # a title's lines, and whether one may wrap

    def _show_title(self, text: Text, where: str = "#run-title") -> None:
        """A title's text, laid out again only when its height may change (a layout of the
        screen was ~9 ms of each ``enter``, twice, and of each second's tick of a running run)."""
        title = self.query_one(where, Static)
        lines = text.plain.split("\n")
        width = title.content_size.width  # 0 before the first layout
        shape = (len(lines), not width or max(map(cell_len, lines)) > width)
        title.update(text, layout=shape != self._shapes.get(where) or shape[1])
        self._shapes = {**self._shapes, where: shape}

    def _task_title(self) -> None:
        t = self.tasks.get(self.task_name or "")
        if t is None:
            return
        log = self.query_one(LogView)
        fields = [status_cell(t["status"])]
        if t["reused"]:
            origin = self.origins.get(t["name"])
            if origin is not None:
                fields.append(Text.assemble((f"reused from run {origin}", "bold cyan"),
                                            (" (its log; enter opens it)", "dim")))  # fmt: skip
            else:
                fields.append(Text("reused from an earlier run", style="cyan"))
        if log.truncated:
            fields.append(Text(f"showing the last {log.keep:,} lines", style="dim"))
        if log.wrap:
            fields.append(Text("wrap", style="dim"))
        fields.append(Text(times_note(), style="dim"))
        if t["error"]:
            fields.append(Text(truncate(t["error"], 120), style="red"))
        text = Text(f" LOG {printable(t['name'])}", style="bold")
        where = self.query_one("#task-title", Static)
        fields_on_lines(text, fields, where.content_size.width or 10**6, gap=2)
        self._show_title(text, "#task-title")

    def write_log(self, lines: list[str]) -> None:
        log = self.query_one(LogView)
        was_cut = log.truncated
        # LogView writes lines to the terminal as they are: task output must not carry escape codes
        log.write_lines([printable(line) for line in lines])
        if log.truncated != was_cut:
            self._task_title()

    def action_toggle_wrap(self) -> None:
        self.query_one(LogView).toggle_wrap()
        self._task_title()

    # -- selection -------------------------------------------------------------------------------
    @on(DataTable.RowSelected, "#tasks")
    def _task_chosen(self, event: DataTable.RowSelected) -> None:
        """Enter on a reused task opens the run that computed it."""
        origin = self.origins.get(event.row_key.value or "")
        if origin is not None:
            self.console_app.open_run(origin)

    @on(DataTable.RowHighlighted, "#tasks")
    def _task_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if not still_highlighted(event):
            return
        name = event.row_key.value
        if name and name != self.task_name:
            self.select_task(name)

    def select_task(self, name: str) -> None:
        self.task_name = name
        self.query_one(LogView).clear()
        self.console_app.watch_task(None, None)  # until what is on disk is shown
        self._task_title()
        self.load_log(name)
        self.load_checks()

    @work(exclusive=True, group="detail-log")
    async def load_log(self, name: str) -> None:
        app = self.console_app
        run_id = self.run_id
        if self.tasks.get(name, {}).get("reused"):
            # nothing ran here: show the log of the run that computed the result
            if name not in self.origins:
                self.origins[name] = await app.threads.read(reused_origin, app.store.db, run_id, name)
            if name != self.task_name:
                return
            self._task_title()
            run_id = self.origins[name] or run_id
        path = app.store.log_path(run_id, name)
        lines, offset, cut = await app.threads.read(read_log_window, path, LOG_LINES)
        if name != self.task_name:
            return
        log = self.query_one(LogView)
        log.clear()
        if cut:
            log.mark_cut()
        if lines:
            log.write_lines([printable(line) for line in lines])
            log.follow_end()  # a task's log opens on its end (the traceback of a failed one)
        self._task_title()
        if run_id == self.run_id:
            app.watch_task(self.run_id, name, offset)

    @work(exclusive=True, group="detail-checks")
    async def load_checks(self) -> None:
        rows = await self.console_app.threads.read(check_rows, self.console_app.store.db, self.run_id, None)
        table = self.query_one("#task-checks", DataTable)
        table.clear()
        mine = [r for r in rows if r["task"] == self.task_name]
        for r in mine if self.fitted("task-checks") else []:
            cells = {
                "check": r["check"],  # SafeTable: str cells are shown literally
                "sev": r["severity"],
                "result": check_result(r),
                "failing": f"{r['failing']:,}/{r['total']:,}",
                "observed": r["error"] or number(r["observed"]),
            }
            table.add_row(*self.pick("task-checks", cells))
        title = f" CHECKS {len(mine)}" if mine else " CHECKS none on this task"
        self.query_one("#checks-title", Static).update(Text(title, style="bold"), layout=False)

    TABLE_COLUMNS = {
        "tasks": [Column("task", 14, flex=True, cap=40), Column("status", 13), Column("try", 3, drop=1),
                  Column("took", 7)],
        "task-checks": [Column("check", 12, flex=True, cap=40), Column("sev", 5, drop=2), Column("result", 13),
                        Column("failing", 10, drop=1), Column("observed", 8, flex=True, cap=24)],
    }  # fmt: skip

    def refill(self, table_id: str) -> None:
        if table_id != "tasks":
            self.load_checks()
            return
        table = self.query_one("#tasks", DataTable)
        level = depths(list(self.tasks.values()))
        for name, t in self.tasks.items():
            table.add_row(*self.pick("tasks", task_cells(t, level[name])), key=name)
        if self.task_name in self.tasks:  # the selected task stays selected
            table.move_cursor(row=table.get_row_index(self.task_name))

    def action_back(self) -> None:
        self.console_app.watch_task(None, None)
        self.app.pop_screen()

    def action_focus_log(self) -> None:
        self.query_one(LogView).focus()


def task_cells(t: Mapping[str, Any], depth: int) -> dict[str, Any]:
    """A task's row: its name indented under its upstream, state, tries and time."""
    indent = " " * (depth - 1) + "└ " if depth else ""
    return {
        "task": Text(indent + printable(t["name"])),
        "status": status_cell(t["status"]),
        # a reused task did not run here: "0 tries, took -" would read as never run
        "try": Text("-" if t["reused"] else str(t["attempts"]), justify="right"),
        "took": Text("reused" if t["reused"] else duration(t["duration_s"]), justify="right"),
    }


def check_result(r: dict[str, Any]) -> Text:
    """The verdict; a result carried over from the run a task was reused from says so."""
    if r["passed"]:
        text = Text("✓ pass", style="green")
    elif r.get("quarantined"):
        text = Text("⇥ quarantined", style="yellow")
    elif r["severity"] == "error":
        text = Text("✗ fail", style="bold red")
    else:
        text = Text("! warn", style="yellow")
    if r.get("reused_from") is not None:
        text.append(f" ↺{r['reused_from']}", style="dim")
    return text
