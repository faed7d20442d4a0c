"""Text output of ``show RUN --timeline`` and of a run's marks (audit rows) under ``show RUN``."""

from __future__ import annotations

import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from console.headless.output import console, fmt_time

if TYPE_CHECKING:
    from console.session import Session


def print_timeline(session: Session, run_id: int) -> None:
    from rich.text import Text

    from console.gantt import gantt_lines
    from console.store.timeline import run_timeline

    now = time.time()
    tl = run_timeline(session.store.db, run_id, now)
    out = console()
    title = Text(f"run {run_id} ", style="bold")
    title.append(f"{tl.pipeline}  {tl.status}  started {fmt_time(tl.start)} ({time.strftime('%Z')})")
    out.print(title)
    width = max(20, min(80, (out.width or 120) - 50))
    for line in gantt_lines(tl, now, width=width):
        out.print(line)


def print_marks(marks: list[dict[str, Any]]) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"marked by hand (times in {time.strftime('%Z')})", title_justify="left",
                  show_edge=False, pad_edge=False)
    for col in ("at", "user", "task", "from", "to", "reason"):
        table.add_column(col)
    for m in marks:
        at = datetime.fromisoformat(m["at"]).timestamp()
        table.add_row(fmt_time(at), Text(m["user"]), Text(m["task"] or "(run)"), m["from"], m["to"],
                      Text(m["reason"] or ""))
    console().print(table)
