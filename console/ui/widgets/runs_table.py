"""The runs table: a window of the newest runs, updated cell by cell by run id.

It never holds the whole history: it shows the newest ``page`` runs matching the filter
and fetches older ones (keyset paging) when the cursor reaches the bottom. Live updates
change the cells of rows already shown and add new runs at the top; a changed row's
number flashes for a moment (the k9s habit of marking what just changed).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist

from console.presentation import fmt_task_counts
from console.ui.cells import Clock, clock_time, run_took, status_cell
from console.ui.widgets.column_fit import clip
from console.ui.widgets.safe_table import SafeTable

WIDE = ("id", "pipeline", "status", "trigger", "started", "took", "tasks")
MEDIUM = ("id", "pipeline", "status", "started", "took", "tasks")
NARROW = ("id", "pipeline", "status", "took", "tasks")
LEVELS = {"wide": WIDE, "medium": MEDIUM, "narrow": NARROW}
LABELS = {
    "id": "#",
    "pipeline": "pipeline",
    "status": "status",
    "trigger": "trigger",
    "started": "started",
    "took": "took",
    "tasks": "tasks",
}
# None: the column grows to its widest value (run ids of any length are never cut)
PIPELINE_CUT = 15  # the pipeline column's width below the wide layout
WIDTHS = {"id": None, "pipeline": None, "status": 12, "trigger": 12, "started": 8, "took": 6, "tasks": None}
FLASH_S = 1.5
MAX_ROWS = 1000  # live additions beyond this drop the oldest rows (paging brings them back)


def late_mark(run: Mapping[str, Any]) -> Text:
    """``⚑`` before the number of a run that missed its SLA."""
    return Text("⚑ ", style="bold red", justify="right") if run.get("late") else Text(justify="right")


@dataclass(frozen=True)
class RunFilter:
    """``status=failed pipeline=iris free text`` parsed."""

    status: str | None = None
    pipeline: str | None = None
    search: str | None = None

    @classmethod
    def parse(cls, text: str) -> RunFilter:
        status = pipeline = None
        words = []
        for word in text.split():
            key, sep, value = word.partition("=")
            if sep and key in ("status", "s"):
                status = value or None
            elif sep and key in ("pipeline", "p"):
                pipeline = value or None
            else:
                words.append(word)
        return cls(status, pipeline, " ".join(words) or None)

    def matches(self, run: Mapping[str, Any]) -> bool:
        if self.status and run["status"] != self.status:
            return False
        if self.pipeline and run["pipeline"] != self.pipeline:
            return False
        if self.search:
            s = self.search.lower()
            hay = (run["pipeline"].lower(), run["status"], run["trigger"].lower())
            return any(s in h for h in hay) or str(run["id"]) == s
        return True

    def __str__(self) -> str:
        parts = [
            f"status={self.status}" if self.status else "",
            f"pipeline={self.pipeline}" if self.pipeline else "",
        ]
        return " ".join(p for p in [*parts, self.search or ""] if p)


class RunsTable(SafeTable):
    """Runs, newest first, keyed by run id."""

    BINDINGS = [Binding("enter", "select_cursor", "open", show=True)]

    class NeedMore(Message):
        """The cursor reached the last row: fetch runs older than ``before_id``."""

        def __init__(self, before_id: int) -> None:
            super().__init__()
            self.before_id = before_id

    def __init__(self, clock: Clock = time.time, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self.clock = clock
        self.rows_by_id: dict[int, Mapping[str, Any]] = {}
        self.filter = RunFilter()
        self.columns_shown: tuple[str, ...] = WIDE
        self.exhausted = False
        self.flash_until: dict[int, float] = {}
        self._asked_before: int | None = None
        # called as the cursor moves, before the frame is drawn, so what follows the cursor
        # (the run preview) lands in the same frame instead of one message later
        self.on_cursor: Callable[[], None] | None = None

    def watch_cursor_coordinate(self, old_coordinate: Coordinate, new_coordinate: Coordinate) -> None:
        super().watch_cursor_coordinate(old_coordinate, new_coordinate)
        if old_coordinate != new_coordinate and self.on_cursor is not None:
            self.on_cursor()

    def on_mount(self) -> None:
        self._add_columns()
        # the live "took" of running runs: every update of a cell re-renders the visible rows, so once a second
        self.set_interval(1.0, self._tick)

    def _add_columns(self) -> None:
        for key in self.columns_shown:
            width = WIDTHS[key]
            if key == "pipeline" and self.columns_shown != WIDE:
                width = PIPELINE_CUT  # long names end in "…" rather than pushing columns off screen
            self.add_column(LABELS[key], key=key, width=width)

    def set_level(self, level: str) -> None:
        """Drop columns as the terminal narrows: ``wide``, ``medium`` or ``narrow``."""
        wanted = LEVELS[level]
        if wanted == self.columns_shown:
            return
        self.columns_shown = wanted
        rows = sorted(self.rows_by_id.values(), key=lambda r: -r["id"])
        cursor = self.cursor_row
        self.clear(columns=True)
        self._add_columns()
        self.rows_by_id = {}
        self._insert(rows)
        if rows:
            self.move_cursor(row=min(cursor, len(rows) - 1))

    # -- rows ---------------------------------------------------------------------------------
    def cells(self, run: Mapping[str, Any], flash: bool = False) -> list[Any]:
        now = self.clock()
        values = {
            "id": late_mark(run) + Text(str(run["id"]), style="bold reverse" if flash else "", justify="right"),
            "pipeline": run["pipeline"] if self.columns_shown == WIDE else clip(run["pipeline"], PIPELINE_CUT),
            "status": status_cell(run["status"]),
            "trigger": run["trigger"],
            "started": clock_time(run["started_at"] or run["created_at"], now),
            "took": Text(run_took(run, now), justify="right"),
            "tasks": Text(fmt_task_counts(run, compact=True), justify="right"),
        }
        return [values[key] for key in self.columns_shown]

    def replace_rows(self, runs: Sequence[Mapping[str, Any]], *, exhausted: bool) -> None:
        """Show exactly ``runs`` (a fresh window after a filter change or at start)."""
        keep = self.selected_id()
        self.clear()
        self.rows_by_id = {}
        self.flash_until = {}
        self._insert(runs)
        self.exhausted = exhausted
        self._asked_before = None
        if keep is not None and keep in self.rows_by_id:
            self.move_cursor(row=self.get_row_index(str(keep)))

    def append_page(self, runs: Sequence[Mapping[str, Any]], *, exhausted: bool) -> None:
        self._insert([r for r in runs if r["id"] not in self.rows_by_id])
        self.exhausted = exhausted

    def _insert(self, runs: Iterable[Mapping[str, Any]]) -> None:
        for run in runs:
            self.rows_by_id[run["id"]] = run
            self.add_row(*self.cells(run), key=str(run["id"]))

    def apply(self, runs: Mapping[int, Mapping[str, Any]]) -> list[int]:
        """Update changed rows in place, add new matching runs on top; return the new ids."""
        newest = max(self.rows_by_id, default=0)
        added: list[int] = []
        until = time.monotonic() + FLASH_S
        for run_id, run in runs.items():
            if run_id in self.rows_by_id:
                self.rows_by_id[run_id] = run
                self.flash_until[run_id] = until
                for key, value in zip(self.columns_shown, self.cells(run, flash=True), strict=True):
                    self.update_cell(str(run_id), key, value)
            elif run_id > newest and self.filter.matches(run):
                self.rows_by_id[run_id] = run
                self.flash_until[run_id] = until
                self.add_row(*self.cells(run, flash=True), key=str(run_id))
                added.append(run_id)
        if added:
            for old in sorted(self.rows_by_id)[: max(0, len(self.rows_by_id) - MAX_ROWS)]:
                del self.rows_by_id[old]
                self.flash_until.pop(old, None)
                self.remove_row(str(old))
                self.exhausted = False
            keep = self.selected_id()
            self.sort("id", key=lambda cell: -int(cell.plain), reverse=False)
            if keep is not None:
                self.move_cursor(row=self.get_row_index(str(keep)), animate=False)
        return added

    def selected_id(self) -> int | None:
        if not self.row_count:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except CellDoesNotExist:  # an empty or shrinking table
            return None
        return int(key.value) if key.value is not None else None

    def selected_run(self) -> Mapping[str, Any] | None:
        run_id = self.selected_id()
        return self.rows_by_id.get(run_id) if run_id is not None else None

    # -- timers -------------------------------------------------------------------------------
    def _tick(self) -> None:
        now = time.monotonic()
        for run_id, until in list(self.flash_until.items()):
            if until <= now and run_id in self.rows_by_id:
                del self.flash_until[run_id]
                self.update_cell(str(run_id), "id", self.cells(self.rows_by_id[run_id])[0])
        if "took" in self.columns_shown:
            for run_id, run in self.rows_by_id.items():
                if run["status"] == "running":
                    self.update_cell(str(run_id), "took", self.cells(run)[self.columns_shown.index("took")])

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.exhausted or not self.row_count or event.cursor_row < self.row_count - 5:
            return
        oldest = min(self.rows_by_id, default=None)
        if oldest is not None and oldest != self._asked_before:
            self._asked_before = oldest
            self.post_message(self.NeedMore(oldest))
