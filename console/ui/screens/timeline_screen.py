"""``t`` in the run detail: the run's tasks over time (attempts, retry waits, critical path)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from console.gantt import gantt_lines
from console.store.marks import marks_of
from console.store.timeline import Timeline, run_timeline
from console.ui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from console.ui.app import OpsConsoleApp


class TimelineScreen(Screen[None]):
    """A Gantt chart of one run, redrawn every second while the run is going."""

    DEFAULT_CSS = """
    TimelineScreen #timeline-title { height: auto; padding: 0 1; background: $boost; }
    TimelineScreen #timeline { padding: 1 1; height: auto; }
    TimelineScreen #timeline-marks { padding: 0 1; height: auto; }
    """
    BINDINGS = [Binding("escape,t", "back", "back to the run"), Binding("m", "app.mark_task", "mark", show=False)]

    def __init__(self, run_id: int) -> None:
        super().__init__()
        self.run_id = run_id
        self.timeline: Timeline | None = None

    @property
    def console_app(self) -> OpsConsoleApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static("", id="timeline-title")
        with VerticalScroll():
            yield Static("", id="timeline")
            yield Static("", id="timeline-marks")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.refresh_timeline()
        self.set_interval(1.0, self._tick)

    def _tick(self) -> None:
        if self.timeline is not None and self.timeline.status in ("queued", "running"):
            self.refresh_timeline()

    @work(exclusive=True, group="timeline")
    async def refresh_timeline(self) -> None:
        app = self.console_app
        now = app.clock()
        try:
            tl, marks = await app.threads.read(_read, app.store.db, self.run_id, now)
        except Exception as exc:  # noqa: BLE001 - e.g. gc removed the run meanwhile
            self.query_one("#timeline", Static).update(Text(str(exc), style="red"))
            return
        self.timeline = tl
        title = Text(f" TIMELINE run {tl.run_id} ", style="bold reverse")
        title.append(f"  {tl.pipeline}  {tl.status}", style="bold")
        self.query_one("#timeline-title", Static).update(title)
        # each task on one line, at any width: `★ name │bar│ took`, 8 cells kept for the took
        # (at 60 columns a 28-cell name and a 20-cell bar put every took on a line of its own)
        room = self.size.width - 2 - 14  # the pad, the marker, the bar's edges and the took
        bar = max(20, min(100, self.size.width - 50))
        names = min(28, max(8, room - bar))  # names give way first, down to 8 cells
        bar = max(10, min(bar, room - names))
        body = Text("\n").join(gantt_lines(tl, now, width=bar, name_width=names))
        self.query_one("#timeline", Static).update(body)
        self.query_one("#timeline-marks", Static).update(marks_text(marks))

    def on_resize(self, event: events.Resize) -> None:
        if self.timeline is not None:
            self.refresh_timeline()  # the bars and names are sized to the width

    def action_back(self) -> None:
        self.app.pop_screen()


def _read(db: Any, run_id: int, now: float) -> tuple[Timeline, list[dict[str, Any]]]:
    return run_timeline(db, run_id, now), marks_of(db, run_id)


def marks_text(marks: list[dict[str, Any]]) -> Text:
    """The audit rows of hand marks, one per line (user text kept as plain text)."""
    if not marks:
        return Text("")
    from datetime import datetime

    text = Text("MARKED BY HAND", style="bold")
    for m in marks:
        at = datetime.fromisoformat(m["at"]).astimezone().strftime("%H:%M:%S")
        text.append(f"\n {at} {m['user']}: {m['task'] or 'the run'} {m['from']} → {m['to']}")
        if m["reason"]:
            text.append(f"  ({m['reason']})", style="dim")
    return text


def ops_note(run: Mapping[str, Any], marks: list[dict[str, Any]]) -> Text:
    """The run detail title's extra lines: the late marker and the hand marks (audit rows)."""
    text = Text()
    if run.get("late"):
        sla = run.get("sla_s")
        text.append("\n ⚑ LATE", style="bold red")
        text.append(f": past its SLA ({sla:g}s)" if sla else ": a task missed its SLA", style="red")
    if marks:
        last = marks[-1]
        text.append(f"\n marked by hand {len(marks)}x; last: {last['user']} set ", style="yellow")
        text.append(f"{last['task'] or 'the run'} {last['from']} → {last['to']}", style="yellow")
        if last["reason"]:
            text.append(f" ({last['reason']})", style="dim")
        text.append("  (t: timeline and every mark)", style="dim")
    return text
