"""``S``: search the logs of every run; enter on a match opens its run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from console.errors import OpsConsoleError
from console.presentation import strip_controls, times_note
from console.store.log_search import LogMatch, compile_pattern, search_logs
from console.store.log_stamps import local_line
from console.ui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from console.ui.app import OpsConsoleApp

LIMIT = 500


class LogSearchScreen(Screen[None]):
    DEFAULT_CSS = """
    LogSearchScreen #search-input { dock: top; }
    LogSearchScreen #search-caption { height: 1; padding: 0 1; }
    LogSearchScreen #search-results { height: 1fr; }
    """
    BINDINGS = [Binding("escape", "back", "back")]

    def __init__(self) -> None:
        super().__init__()
        self.matches: list[LogMatch] = []

    @property
    def console_app(self) -> OpsConsoleApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Input(placeholder="regex to find in every run's logs; enter searches", id="search-input")
        yield Static(Text(" SEARCH LOGS  newest runs first", style="bold"), id="search-caption")
        yield DataTable(cursor_type="row", id="search-results")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label, width in (("run", "run", 6), ("task", "task", 18), ("line", "line", 6), ("text", "text", None)):
            table.add_column(label, key=key, width=width)
        self.query_one(Input).focus()

    @on(Input.Submitted, "#search-input")
    def _submitted(self, event: Input.Submitted) -> None:
        self.search(event.value)

    @work(exclusive=True, group="log-search")
    async def search(self, text: str) -> None:
        caption = self.query_one("#search-caption", Static)
        if not text:
            return
        store = self.console_app.store
        try:
            pattern = compile_pattern(text)
        except OpsConsoleError as exc:
            caption.update(Text(f" {exc}", style="red"))
            return
        caption.update(Text(" searching…", style="dim"))
        found = await self.console_app.threads.read(
            lambda: list(search_logs(store.logs_dir, pattern, limit=LIMIT))
        )
        self.matches = found
        table = self.query_one(DataTable)
        table.clear()
        for i, m in enumerate(found):
            table.add_row(
                Text(str(m.run_id), justify="right"), Text(m.task), Text(str(m.line_no), justify="right"),
                Text(strip_controls(local_line(m.line))[:300]), key=str(i),
            )
        more = f" (first {LIMIT})" if len(found) >= LIMIT else ""
        caption.update(
            Text(f" {len(found)} match(es){more} for /{text}/; enter opens the run; {times_note()}", style="bold")
        )
        if found:
            table.focus()

    @on(DataTable.RowSelected, "#search-results")
    def _open(self, event: DataTable.RowSelected) -> None:
        m = self.matches[int(event.row_key.value or 0)]
        self.app.pop_screen()
        self.console_app.open_run_at(m.run_id, m.task)

    def action_back(self) -> None:
        self.app.pop_screen()
