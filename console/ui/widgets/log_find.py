"""``/`` in the run detail's log: find a regex (or text) in the log shown, ``n``/``N`` to step."""

from __future__ import annotations

import re

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.widgets import Input, Log, Static


class LogFind(Input):
    """A find bar docked under the log; enter finds, escape closes (the matches stay for n/N)."""

    DEFAULT_CSS = """
    LogFind { dock: bottom; height: 3; border: tall $accent; display: none; }
    LogFind.-open { display: block; }
    """
    BINDINGS = [Binding("escape", "close", "close find", show=False)]

    def __init__(self, log: Log, status: Static) -> None:
        super().__init__(placeholder="find in log (regex); enter finds, then n / N", id="log-find")
        self.log_widget = log
        self.status = status
        self.matches: list[int] = []
        self.current = -1
        self.pattern: re.Pattern[str] | None = None

    def open(self) -> None:
        self.add_class("-open")
        self.focus()

    def action_close(self) -> None:
        self.remove_class("-open")
        self.log_widget.focus()

    @on(Input.Submitted)
    def _find(self, event: Input.Submitted) -> None:
        event.stop()
        self.find(event.value)
        self.action_close()

    def find(self, text: str) -> None:
        try:
            self.pattern = re.compile(text, re.IGNORECASE) if text else None
        except re.error:
            self.pattern = re.compile(re.escape(text), re.IGNORECASE)
        lines = self.log_widget.lines
        self.matches = [i for i, line in enumerate(lines) if self.pattern and self.pattern.search(line)]
        self.current = -1
        self.step(1)

    def step(self, direction: int) -> None:
        if not self.matches:
            self._say(Text("no match" if self.pattern else "", style="yellow"))
            return
        self.current = (self.current + direction) % len(self.matches)
        line = self.matches[self.current]
        self.log_widget.auto_scroll = False
        self.log_widget.scroll_to(y=max(line - 2, 0), animate=False)
        shown = self.log_widget.lines[line][:100]
        text = Text(f" match {self.current + 1}/{len(self.matches)} at line {line + 1}: ", style="bold yellow")
        text.append(shown)
        self._say(text)

    def _say(self, text: Text) -> None:
        self.status.update(text, layout=False)
