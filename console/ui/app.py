"""The console App: wires the tabs, the run detail screen, the keys and the tail worker."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.notifications import SeverityLevel
from textual.widgets import TabbedContent, TabPane

from console.presentation import printable
from console.store.runs import last_seq
from console.ui import textual_patches
from console.ui.actions import Threads
from console.ui.cells import Clock
from console.ui.idle_gc import IdleCollector
from console.ui.ops_actions import OpsActions
from console.ui.palette import ConsoleCommands
from console.ui.panes.data_pane import DataPane
from console.ui.panes.models_pane import ModelsPane
from console.ui.panes.monitoring_pane import MonitoringPane
from console.ui.panes.quality_pane import QualityPane
from console.ui.panes.runs_pane import RunsPane
from console.ui.readonly import hide_actions
from console.ui.screens.help import HelpModal, help_text
from console.ui.screens.run_detail import RunDetailScreen
from console.ui.tail import (
    PipelineInfo,
    StoreBatch,
    StoreTail,
    TailError,
    pipeline_file_mtimes,
    pipeline_infos,
)
from console.ui.widgets.chart_slot import warm_chart_imports
from console.ui.widgets.key_footer import KeyFooter
from console.ui.widgets.status_header import StatusHeader

if TYPE_CHECKING:
    from console.session import Session
    from console.store.state import Store

MEDIUM_BELOW, NARROW_BELOW, TINY_BELOW = 120, 100, 72


class OpsConsoleApp(OpsActions):
    """``opsconsole``: runs, quality, models and monitoring of one project, live."""

    CSS_PATH = "app.tcss"
    TITLE = "ops-console"
    COMMANDS = App.COMMANDS | {ConsoleCommands}
    BINDINGS = [
        Binding("1", "tab('runs')", "runs", show=False),
        Binding("2", "tab('quality')", "quality", show=False),
        Binding("3", "tab('models')", "models", show=False),
        Binding("4", "tab('monitoring')", "monitoring", show=False),
        Binding("5", "tab('data')", "data", show=False),
        Binding("question_mark", "help", "help"),
        Binding("q", "quit_console", "quit"),
    ]

    def __init__(
        self,
        session: Session,
        *,
        clock: Clock = time.time,
        tail_interval: float = 0.15,
        live: bool = True,
        idle_gc: bool = False,
    ) -> None:
        super().__init__()
        textual_patches.apply()  # rendered lines freed by reference counting, not a full collection
        # no animations unless asked for (TEXTUAL_ANIMATIONS): the tab underline's slide drew
        # ~20 frames per tab switch, and the next key waited behind them
        if "TEXTUAL_ANIMATIONS" not in os.environ:
            self.animation_level = "none"
        self.session = session
        self.clock = clock
        self.tail_interval = tail_interval
        self.live = live
        self.idle_gc = IdleCollector() if idle_gc else None
        self.read_only = session.read_only
        self.threads = Threads()
        self.pipelines: list[PipelineInfo] = []
        self.started_here: set[int] = set()
        self.tail: StoreTail | None = None
        self._detail: RunDetailScreen | None = None
        self._select_next: int | None = None  # a run started here: the cursor goes to it
        self.diff_marks: list[int] = []  # runs marked with space for `d` (diff)
        self.paused: set[str] = set()
        root = session.project.root
        self.project_label = session.project.name
        self.store_label = _relative(session.store.db_path, root)
        # taken before the first page of runs is read: the tail replays from here, so a run made
        # while the console starts is in the page, or in the tail, or both, never in neither
        self.start_seq = last_seq(session.store.db) if live else 0

    @property
    def store(self) -> Store:
        return self.session.store

    # -- layout -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StatusHeader(self.project_label, self.store_label, self.read_only)
        with TabbedContent(initial="tab-runs", id="tabs"):
            with TabPane("1 Runs", id="tab-runs"):
                yield RunsPane(id="runs-pane")
            with TabPane("2 Quality", id="tab-quality"):
                yield QualityPane(id="quality-pane")
            with TabPane("3 Models", id="tab-models"):
                yield ModelsPane(id="models-pane")
            with TabPane("4 Monitoring", id="tab-monitoring"):
                yield MonitoringPane(id="monitoring-pane")
            with TabPane("5 Data", id="tab-data"):
                yield DataPane(id="data-pane")
        yield KeyFooter()

    @property
    def runs_pane(self) -> RunsPane:
        return self.query_one(RunsPane)

    def on_mount(self) -> None:
        if self.read_only:
            for node in (self.runs_pane, self.query_one(ModelsPane)):
                hide_actions(node)
        self.sync_header(self.query_one(StatusHeader))
        self.load_pipelines()
        self.set_interval(1.0, self._clock_tick)
        self.set_interval(2.0, self._poll_paused)  # a pause from another shell shows within 2 s
        self.runs_pane.table.focus()
        self.fit_width()

    def on_resize(self, event: events.Resize) -> None:
        # the event's size: the app's own may not be updated yet (the layout was one resize behind)
        self.fit_width(event.size.width)

    def fit_width(self, width: int | None = None) -> None:
        """Columns drop and side panels shrink as the terminal narrows (80x24 still works)."""
        width = width or self.size.width
        level = "narrow" if width < NARROW_BELOW else "medium" if width < MEDIUM_BELOW else "wide"
        for screen in self.screen_stack:
            screen.set_class(level != "wide", "-narrow")
            screen.set_class(width < TINY_BELOW, "-tiny")  # side panels move out of the way
        self.runs_pane.set_level(level)

    @work(exclusive=True, group="pipelines")
    async def load_pipelines(self) -> None:
        engine = await self.threads.read(lambda: self.session.engine)
        catalog = engine.catalog

        def load() -> tuple[dict[Path, float], list[PipelineInfo]]:
            baseline = pipeline_file_mtimes(catalog.dir)  # before any file is read: later edits count
            return baseline, pipeline_infos(catalog.load_all())

        baseline, infos = await self.threads.read(load)
        self.show_pipelines(infos)
        self._poll_paused()
        if self.live:
            self.tail = StoreTail(
                self.store,
                self.post_message,
                catalog=catalog,
                interval=self.tail_interval,
                start_seq=self.start_seq,
                file_baseline=baseline,
            )
            self.run_worker(self.tail.run, thread=True, name="tail", group="tail")
            self.watch_task(*self._watched)
            # the charts' plotext (~100-300 ms to import) on a side thread now, not on the UI's
            # thread at the first visit of a tab with a chart (that key froze the screen meanwhile)
            self.run_worker(warm_chart_imports, thread=True, name="warm-imports", group="warm")
        if self.idle_gc is not None:
            self.idle_gc.start()
            self.set_interval(0.5, self.idle_gc.tick)

    def show_pipelines(self, infos: list[PipelineInfo]) -> None:
        self.pipelines = infos
        self.runs_pane.show_pipelines(infos)

    async def on_event(self, event: events.Event) -> None:
        if self.idle_gc is not None and isinstance(event, events.Key):
            self.idle_gc.poke()
        await super().on_event(event)

    def on_unmount(self) -> None:
        if self.idle_gc is not None:
            self.idle_gc.stop()
        if self.tail is not None:
            self.tail.stop()
        self.threads.close()

    # -- live ------------------------------------------------------------------------------------
    _watched: tuple[int | None, str | None, int] = (None, None, 0)

    def watch_task(self, run_id: int | None, task: str | None, offset: int = 0) -> None:
        self._watched = (run_id, task, offset)
        if self.tail is not None:
            self.tail.watch_task(run_id, task, offset)

    def on_store_batch(self, batch: StoreBatch) -> None:
        if batch.runs:
            self.runs_pane.apply_runs(batch.runs)
            if self._select_next in batch.runs:
                self.runs_pane.select_run(self._select_next)
                self._select_next = None
        if batch.pipelines is not None:
            self.show_pipelines(batch.pipelines)
            broken = [p for p in batch.pipelines if p.status == "broken"]
            if broken:
                self.notify(
                    "; ".join(f"{p.name}: {p.error}" for p in broken), title="broken", severity="error"
                )
        if batch.active is not None:
            for header in self.headers():
                self.sync_header(header, batch.active)
        detail = self.screen if isinstance(self.screen, RunDetailScreen) else None
        if detail is not None:
            detail.apply(batch.runs.get(detail.run_id), batch.tasks.get(detail.run_id))
            if batch.log is not None and batch.log[:2] == (detail.run_id, detail.task_name):
                detail.write_log(batch.log[2])
            if batch.checks_changed and detail.run_id in batch.runs:
                detail.load_checks()
        if batch.checks_changed:
            self.query_one(QualityPane).stale()
        if batch.n_events:
            self.query_one(ModelsPane).stale()
            self.query_one(MonitoringPane).stale()
            self.query_one(DataPane).stale()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every notification carries data (names, errors, reasons): shown literally, never as markup."""
        super().notify(
            printable(message), title=printable(title), severity=severity, timeout=timeout, markup=False
        )

    def on_tail_error(self, message: TailError) -> None:
        self.notify(message.error, title="store", severity="warning")

    def sync_header(self, header: StatusHeader, active: dict[str, int] | None = None) -> None:
        if active is None:
            from console.store.runs import active_counts

            active = active_counts(self.store.db)
        header.running = active.get("running", 0)
        header.queued = active.get("queued", 0)
        header.here = len([r for r in self.session_active_runs() if r in self.started_here])
        header.stamp = self.clock()

    def _poll_paused(self) -> None:
        self.run_worker(self.refresh_paused(), group="paused", exclusive=True)

    def _clock_tick(self) -> None:
        for header in self.headers():
            header.stamp = self.clock()

    def headers(self) -> list[StatusHeader]:
        """The header of the tabs' screen and of the run detail screen, shown or not."""
        screens = {id(s): s for s in [*self.screen_stack, *([self._detail] if self._detail else [])]}
        return [h for s in screens.values() if s.is_mounted for h in s.query(StatusHeader)]

    def session_active_runs(self) -> list[int]:
        engine = self.session._engine
        return engine.running() if engine is not None else []

    # -- navigation ------------------------------------------------------------------------------
    def action_tab(self, tab: str) -> None:
        while isinstance(self.screen, RunDetailScreen):
            self.screen.action_back()
        self.query_one(TabbedContent).active = f"tab-{tab}"
        self._focus_tab(tab)

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        tab = (event.pane.id or "tab-runs").removeprefix("tab-")
        if tab in ("models", "monitoring", "quality", "data"):
            pane: ModelsPane | MonitoringPane | QualityPane | DataPane = (
                self.query_one(ModelsPane)
                if tab == "models"
                else self.query_one(MonitoringPane)
                if tab == "monitoring"
                else self.query_one(QualityPane)
                if tab == "quality"
                else self.query_one(DataPane)
            )
            if pane._stale:
                pane._stale = False  # one refresh in flight is enough
                pane.refresh_data()
        self._focus_tab(tab)

    def _focus_tab(self, tab: str) -> None:
        targets = {"runs": "#runs", "quality": "#checks", "models": "#models", "monitoring": "#metrics",
                   "data": "#data-tables"}
        try:
            self.query_one(targets[tab]).focus()
        except NoMatches:  # a pane showing "not available" has nothing to focus
            pass

    def action_promote(self) -> None:
        if not self.refused():
            self.query_one(ModelsPane).promote()

    def action_rollback(self) -> None:
        if not self.refused():
            self.query_one(ModelsPane).rollback()

    def promote_selected(self) -> None:
        self.action_tab("models")
        self.action_promote()

    def rollback_selected(self) -> None:
        self.action_tab("models")
        self.action_rollback()

    def show_runs_of(self, pipeline: str) -> None:
        from console.ui.widgets.runs_table import RunFilter

        self.action_tab("runs")
        pane = self.runs_pane
        pane.table.filter = RunFilter(None, pipeline, None)
        pane.load_window()

    def open_run(self, run_id: int) -> None:
        """Show the run detail screen; it is composed once and reused for every run."""
        run = self.runs_pane.table.rows_by_id.get(run_id)
        tasks = self.runs_pane.tasks_of(run_id)
        if self._detail is None:
            self._detail = RunDetailScreen(run_id, run, tasks)
            self.install_screen(self._detail, name="run-detail")
        else:
            self._detail.show_run(run_id, run, tasks)
        if self.screen is not self._detail:  # from the detail itself (a reused task's run): stay
            self.push_screen("run-detail")
        self.call_after_refresh(self.fit_width)

    def action_copy_run_id(self) -> None:
        """``y``: the selected run's id to the clipboard (OSC 52, works over SSH and in tmux)."""
        run = self.current_run()
        if run is None:
            self.notify("no run selected", severity="warning")
            return
        self.copy_to_clipboard(str(run["id"]))
        self.notify(f"run id {run['id']} copied", title="copied", timeout=2)

    def current_run(self) -> Mapping[str, Any] | None:
        if isinstance(self.screen, RunDetailScreen):
            return self.screen.run
        return self.runs_pane.table.selected_run()

    def default_pipeline(self) -> str | None:
        return self.runs_pane.selected_pipeline()

    def acted_pipeline(self) -> str | None:
        run = self.current_run() if isinstance(self.screen, RunDetailScreen) else None
        if run is not None:
            return str(run["pipeline"])
        return self.runs_pane.acted_pipeline()

    def current_view(self) -> str:
        if isinstance(self.screen, RunDetailScreen):
            return "run"
        return (self.query_one(TabbedContent).active or "tab-runs").removeprefix("tab-")

    def action_help(self) -> None:
        view = self.current_view()
        keys = [
            (b.binding.key_display or self.get_key_display(b.binding), b.binding.description)
            for b in self.screen.active_bindings.values()
            if b.binding.description and (b.binding.show or b.binding.action.endswith("tab"))
        ]
        keys += [("1-5", "switch tab"), ("ctrl+p", "command palette: every action and pipeline")]
        note = help_text(view)
        if self.read_only:
            note += "\n\nRead-only mode: new run, rerun, cancel, promote and roll back are refused."
        self.push_screen(HelpModal(view.title(), keys, note))


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
