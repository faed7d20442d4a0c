"""A confirmation modal for anything destructive: it names what will change."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from console.presentation import printable


class ConfirmModal(ModalScreen[bool]):
    """``y``/enter confirms, ``n``/escape cancels; dismisses with the answer."""

    DEFAULT_CSS = """
    ConfirmModal { align: center middle; }
    ConfirmModal > Vertical {
        width: 64; max-width: 95%; height: auto; border: thick $warning; background: $surface; padding: 1 2;
    }
    ConfirmModal #title { text-style: bold; margin-bottom: 1; }
    ConfirmModal Horizontal { height: auto; margin-top: 1; align-horizontal: right; }
    ConfirmModal Button { margin-left: 2; }
    ConfirmModal #reason { margin-top: 1; }
    """
    BINDINGS = [
        Binding("y", "answer(True)", "yes"),
        Binding("n,escape", "answer(False)", "no"),
        Binding("r", "focus_reason", "reason", show=False),
    ]

    def __init__(self, title: str, body: str, confirm: str = "Yes", *, ask_reason: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.body = body
        self.confirm = confirm
        self.ask_reason = ask_reason

    @property
    def reason(self) -> str | None:
        """What was typed in the optional reason field (None when empty or not asked)."""
        if not self.ask_reason:
            return None
        return self.query_one("#reason", Input).value.strip() or None

    def compose(self) -> ComposeResult:
        with Vertical():
            # the body names models and versions: data, shown literally
            yield Static(Text(printable(self.title_text)), id="title")
            yield Static(Text(printable(self.body)), id="body")
            if self.ask_reason:
                yield Input(placeholder="reason (optional, kept in the audit): r to type, enter", id="reason")
            with Horizontal():
                yield Button("Cancel (n)", id="no")
                yield Button(f"{self.confirm} (y)", id="yes", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(True)

    def action_focus_reason(self) -> None:
        if self.ask_reason:
            self.query_one("#reason", Input).focus()

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)
