"""``/``: an input under a table; typing filters it, escape clears and hides the bar."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input


class FilterBar(Input):
    """Posts ``FilterBar.Changed`` as the user types; enter keeps the filter, escape drops it."""

    DEFAULT_CSS = """
    FilterBar { dock: bottom; height: 3; display: none; border: tall $accent; }
    FilterBar.-shown { display: block; }
    """
    BINDINGS = [Binding("escape", "clear", "clear filter")]

    class Filter(Message):
        def __init__(self, bar: FilterBar, text: str, done: bool) -> None:
            super().__init__()
            self.bar = bar
            self.text = text
            self.done = done

    def __init__(self, placeholder: str = "filter: text, or status=failed / pipeline=name") -> None:
        super().__init__(placeholder=placeholder)

    def open(self) -> None:
        self.add_class("-shown")
        self.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Filter(self, event.value.strip(), done=False))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Filter(self, event.value.strip(), done=True))
        if not event.value.strip():
            self.remove_class("-shown")

    def action_clear(self) -> None:
        self.value = ""
        self.remove_class("-shown")
        self.post_message(self.Filter(self, "", done=True))
