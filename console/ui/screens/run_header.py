"""The run detail's header and log title: fields on lines that break between two fields, never inside one.

Left to Rich's wrapping, an 80-column terminal read ``started 20:41:23   took`` on one line and
``116ms   tasks 20/20`` on the next.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import Static

from console.presentation import fmt_task_counts, printable
from console.ui.cells import clock_time, fields_on_lines, run_took, status_cell, truncate
from console.ui.screens.timeline_screen import ops_note


def run_header(run: Mapping[str, Any], marks: list[dict[str, Any]], now: float, width: int) -> Text:
    """The header of ``run`` for ``width`` cells: its fields, then its params, error and marks."""
    text = Text(f" run {run['id']} ", style="bold reverse")
    text.append(f"  {printable(run['pipeline'])}  ", style="bold")
    text.append_text(status_cell(run["status"]))
    fields = [
        Text(f"trigger {printable(run['trigger'])}"),
        Text(f"started {clock_time(run['started_at'], now)}"),
        Text(f"took {run_took(run, now)}"),
        Text(f"tasks {fmt_task_counts(run)}"),
    ]
    if run["parent_run_id"]:
        fields.append(Text(f"rerun of {run['parent_run_id']}", style="dim"))
    fields_on_lines(text, fields, width, gap=3)
    params = json.loads(run["params"] or "{}")
    if params:
        text.append("\n params " + printable(" ".join(f"{k}={v}" for k, v in params.items())), style="dim")
    if run["error"]:
        text.append("\n " + truncate(run["error"], 200), style="red")
    text.append_text(ops_note(run, marks))
    return text


class FieldsTitle(Static):
    """A title whose fields break for its width: it tells its screen when that width changed."""

    class Resized(Message):
        """The title's width changed: its text is to be made again for the new one."""

        def __init__(self, title: FieldsTitle) -> None:
            super().__init__()
            self.title = title

        @property
        def control(self) -> FieldsTitle:
            return self.title

    _width = 0

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._width:
            self._width = event.size.width
            self.post_message(self.Resized(self))
