"""``m`` in the run detail: mark the selected task (or the whole run) by hand, with a reason."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static

Mark = tuple[str, str | None]  # (state, reason)


class MarkModal(ModalScreen[Mark | None]):
    """Pick the new state (up/down, enter), type why, enter marks; escape cancels."""

    DEFAULT_CSS = """
    MarkModal { align: center middle; }
    MarkModal > Vertical {
        width: 64; max-width: 95%; height: auto; border: thick $warning; background: $surface; padding: 1 2;
    }
    MarkModal #mark-title { text-style: bold; margin-bottom: 1; }
    MarkModal OptionList { height: auto; max-height: 5; margin-bottom: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "cancel")]

    def __init__(self, what: str, current: str, states: tuple[str, ...]) -> None:
        super().__init__()
        self.what = what
        self.current = current
        self.states = states

    def compose(self) -> ComposeResult:
        with Vertical():
            title = Text(f"Mark {self.what}", style="bold")
            title.append(f"  (now {self.current})", style="dim")
            yield Static(title, id="mark-title")
            yield OptionList(*self.states, id="mark-state")
            yield Input(placeholder="reason (kept in the audit row)", id="mark-reason")
            yield Static(Text("enter: pick the state, then enter again to mark; escape cancels", style="dim"))

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _picked(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        index = self.query_one(OptionList).highlighted or 0
        self.dismiss((self.states[index], event.value.strip() or None))

    def action_cancel(self) -> None:
        self.dismiss(None)
