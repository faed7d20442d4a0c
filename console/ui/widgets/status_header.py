"""The top line: product, project, store path, engine state and the clock."""

from __future__ import annotations

import time

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from console.presentation import zone_label


class StatusHeader(Static):
    """``ops-console  demo  .opsconsole/state.db   engine: 2 running, 1 queued   12:04:31``."""

    DEFAULT_CSS = """
    StatusHeader { dock: top; height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    running: reactive[int] = reactive(0)
    queued: reactive[int] = reactive(0)
    here: reactive[int] = reactive(0)
    stamp: reactive[float] = reactive(0.0)

    def __init__(self, project: str, store: str, read_only: bool = False) -> None:
        super().__init__()
        self.project = project
        self.store = store
        self.read_only = read_only

    def render(self) -> Text:
        width = self.size.width - 2
        text = Text()
        text.append(" ops-console ", style="bold reverse")
        text.append(f"  {self.project}", style="bold")
        if width >= 90:
            text.append(f"  {self.store}", style="dim")
        if self.read_only:
            text.append("  READ-ONLY", style="bold yellow")
        state = Text("  engine: ")
        if self.running or self.queued:
            state.append(f"{self.running} running", style="yellow" if self.running else "")
            state.append(f", {self.queued} queued")
            if self.here:
                state.append(f" ({self.here} here)", style="dim")
        else:
            state.append("idle", style="dim")
        # every time on screen is local: the zone is named once, here
        clock = (
            f"{time.strftime('%H:%M:%S', time.localtime(self.stamp))} {zone_label(self.stamp)}"
            if self.stamp
            else ""
        )
        pad = width - text.cell_len - state.cell_len - len(clock) - 2
        text.append_text(state)
        if pad > 0:
            text.append(" " * pad)
            text.append(clock, style="dim")
        return text
