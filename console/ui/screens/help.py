"""``?``: the keys of the view in front, with what each does."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class HelpModal(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpModal { align: center middle; }
    HelpModal > VerticalScroll {
        width: 72; max-width: 95%; height: auto; max-height: 90%;
        border: thick $accent; background: $surface; padding: 1 2;
    }
    """
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "close")]

    def __init__(self, view: str, keys: list[tuple[str, str]], notes: str = "") -> None:
        super().__init__()
        self.view = view
        self.keys = keys
        self.notes = notes

    def compose(self) -> ComposeResult:
        table = Table(show_header=False, box=None, padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for key, what in self.keys:
            table.add_row(key, what)
        with VerticalScroll():
            yield Static(f"[b]{self.view}[/b]: keys", id="help-title")
            yield Static(table)
            if self.notes:
                yield Static(f"\n{self.notes}", id="help-notes")
            yield Static("\n[dim]escape closes[/dim]")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)


def help_text(view: str) -> str:
    """The paragraph under the keys: what the view shows and where its data comes from."""
    from console.ui.panes import data_pane, models_pane, monitoring_pane, quality_pane, runs_pane
    from console.ui.screens import run_detail

    texts = {
        "runs": runs_pane.HELP,
        "run": run_detail.HELP,
        "quality": quality_pane.HELP,
        "models": models_pane.HELP,
        "monitoring": monitoring_pane.HELP,
        "data": data_pane.HELP,
    }
    return texts.get(view, "")
