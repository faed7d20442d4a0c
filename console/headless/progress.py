"""Live progress of a run in the terminal: a rich table on a TTY, plain lines when piped."""

from __future__ import annotations

import sys
import threading
import time
from collections import deque
from typing import Any

from console.headless.output import STATUS_STYLE, console, fmt_duration, printable
from console.store.vocabulary import TERMINAL_TASK_STATES


class PlainPrinter:
    """One line per event, for pipes, cron and CI logs.

    The engine calls listeners on its own threads, so this one only formats the line and queues it;
    a printer thread writes what queued up every ``interval`` seconds, in one write and one flush
    (a flush per line cost more than the tasks of a big fan-out).
    """

    def __init__(self, stream: Any = None, interval: float = 0.1) -> None:
        # listeners run on task threads too: write to the real stdout, not the task-log proxy
        self.stream: Any = stream or getattr(sys.stdout, "real", sys.stdout)
        self.interval = interval
        self._pending: deque[str] = deque()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._zone_said = False
        self._thread = threading.Thread(target=self._loop, name="opsconsole-progress", daemon=True)
        self._thread.start()

    def __call__(self, event: dict[str, Any]) -> None:
        # the line, not the event: a queue of thousands of event dicts kept every collection of
        # the garbage collector busy while the run went on (a str is not tracked)
        line = format_event(event)
        if line:
            self._pending.append(line)  # deque.append is atomic: no lock on the engine's thread

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._drain()

    def _drain(self) -> None:
        with self._lock:
            lines = []
            pending = self._pending
            while pending:
                lines.append(pending.popleft())
            if lines and not self._zone_said:
                self._say_zone()
            if lines:
                lines.append("")
                # one pass over the batch (newlines are kept), not one per line
                self.stream.write(printable("\n".join(lines)))
                self.stream.flush()

    def _say_zone(self) -> None:
        """Stamps are local: the zone is named once, before the lines (on stderr when piped, so a
        pipe reads only the event lines), as ``logs`` does."""
        from console.presentation import times_note

        self._zone_said = True
        tty = getattr(self.stream, "isatty", lambda: False)()
        note = self.stream if tty else getattr(sys.stderr, "real", sys.stderr)
        note.write(f"progress, {times_note()}\n")
        note.flush()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self._drain()


_last_head: tuple[Any, ...] = (None, None, None, "")  # second, run id, pipeline and the head made for them
_MS = [f"{ms}ms" for ms in range(1001)]  # what fmt_duration says of any time under 0.9995 s (to "1000ms")


def _head(at: float, run_id: Any, pipeline: str) -> str:
    """A line's ``HH:MM:SS run N pipeline`` (local time), made once per second and run: a big run
    prints tens of thousands of lines a second, and this was most of each line's cost."""
    global _last_head
    second, last = int(at), _last_head  # one tuple, read once: whole even while another thread sets it
    if second == last[0] and run_id == last[1] and pipeline == last[2]:
        return str(last[3])
    stamp = time.strftime("%H:%M:%S", time.localtime(second))
    # a pipeline or model event is not a run's: its stamp alone
    head = stamp if run_id is None else f"{stamp} run {run_id} {pipeline}".rstrip()
    _last_head = (second, run_id, pipeline, head)
    return head


def _took(seconds: float | None) -> str:
    # round() is the half-even rounding of format's ".0f": the same text, without formatting it
    return _MS[round(seconds * 1000)] if seconds is not None and 0 <= seconds < 0.9995 else fmt_duration(seconds)


def format_event(event: dict[str, Any]) -> str | None:
    kind, data = event["kind"], event.get("data") or {}
    head = _head(event.get("at") or time.time(), event.get("run_id"), event.get("pipeline", ""))
    if kind == "task.finished":
        if event["status"] == "succeeded":  # most lines of a big run: first
            return f"{head} task {event['task']} succeeded in {_took(data.get('duration_s'))}"
    elif kind == "task.started":
        attempt = data.get("attempt")
        if attempt:
            return f"{head} task {event['task']} running (attempt {attempt})"
        return f"{head} task {event['task']} running"
    if kind == "run.created":
        return f"{head} created (trigger {data.get('trigger', '?')})"
    if kind == "run.started":
        return f"{head} started"
    if kind == "run.finished":
        took = fmt_duration(data.get("duration_s"))
        err = f": {data['error']}" if data.get("error") else ""
        return f"{head} {event['status']} in {took}{err}"
    if kind == "task.retrying":
        return (
            f"{head} task {event['task']} retrying in {data.get('delay_s', 0):g}s "
            f"after attempt {data.get('attempt')}: {data.get('error')}"
        )
    if kind == "task.finished":
        status = event["status"]
        if status == "failed":
            return f"{head} task {event['task']} failed: {data.get('error')}"
        if status == "skipped":
            return f"{head} task {event['task']} skipped (upstream {data.get('upstream')} failed)"
        return f"{head} task {event['task']} {status}"
    if kind == "task.reused":
        return f"{head} task {event['task']} reused from the earlier run"
    if kind == "metric.logged":
        return f"{head} task {event['task']} metric {data.get('name')}={data.get('value'):.6g}"
    if kind.startswith("check."):
        return f"{head} task {event['task']} {data.get('summary', kind)}"
    if kind in ("model.registered", "alias.changed", "gate.decided", "alert.fired", "sla.missed",
                "task.marked", "run.marked", "pipeline.paused", "pipeline.resumed"):
        return f"{head} {data.get('summary', kind)}"
    return None


NAME_WIDTH = 48  # a longer task name is cut with an ellipsis in the live table
NOTE_WIDTH = 70
SHOWN = 40  # a run with more tasks shows the ones that changed last, not its first 40
TaskView = tuple[str, str, "float | None", "float | None", int]  # status, note, took, started at, attempt
QUEUED: TaskView = ("queued", "", None, None, 1)
_CHANGES = frozenset(("task.started", "task.finished", "task.retrying", "task.reused"))


def _flat(text: Any) -> str:
    """User or data text on one line of the frame: control characters shown as ``\\xNN``, tabs
    and newlines as spaces (a multi-line error would break the rows apart)."""
    return printable(text).replace("\n", " ").replace("\t", " ")


def _fit(text: str, width: int) -> str:
    """``text`` padded or cut (with an ellipsis) to ``width`` terminal cells."""
    from rich.cells import cell_len, set_cell_size

    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


class LiveTable:
    """A rich Live table of the run's tasks, refreshed a few times a second.

    Counts are kept as events arrive (never recounted per frame), and a run with more than
    ``SHOWN`` tasks lists the ones that changed most recently, so a frame costs the same for 20
    tasks or 20,000.
    """

    def __init__(self, pipeline: str, tasks: list[str], *, live: bool = True) -> None:
        self.pipeline = pipeline
        # a task's (status, note, took, started at, attempt): tuples of plain values, one shared
        # for every queued task, so 20,000 tasks are not 20,000 dicts for the collector to walk
        self.state: dict[str, TaskView] = dict.fromkeys(tasks, QUEUED)
        self.counts: dict[str, int] = {"queued": len(tasks)}
        # the tasks of the latest changes, latest last (a name once per change: one append per
        # event on the engine's thread; the frame keeps each name's latest)
        self.recent: deque[str] = deque(maxlen=8 * SHOWN)
        self.run_id: int | None = None
        self.started = time.time()
        self.lines: list[str] = []
        self._live: Any = None
        if live:
            from rich.live import Live

            self._live = Live(
                self._render(),
                console=console(),
                refresh_per_second=4,
                redirect_stdout=False,
                redirect_stderr=False,
                transient=False,
                get_renderable=self._render,
            )
            self._live.start()

    def __call__(self, event: dict[str, Any]) -> None:
        """One event, on the engine's thread: a big run sends tens of thousands a second, so this
        does the least it can (the frame does the rest, four times a second)."""
        kind = event["kind"]
        self.run_id = event.get("run_id", self.run_id)
        if kind in _CHANGES:
            task = event["task"]
            view = self.state.get(task)
            if view is None:
                return
            status, note, took, t0, attempt = view
            counts = self.counts
            counts[status] -= 1
            status = event["status"]
            counts[status] = counts.get(status, 0) + 1
            data = event.get("data")
            if data:
                note = data.get("error") or ""
                took = data.get("duration_s", took)
                attempt = data.get("attempt", attempt)
            else:
                note = ""
            if kind == "task.started":
                t0 = event.get("at") or time.time()
            self.state[task] = (status, note, took, t0, attempt)
            self.recent.append(task)
        elif kind == "metric.logged":
            data = event.get("data") or {}
            self.lines.append(f"{event.get('task')}: {data.get('name')} = {data.get('value'):.6g}")
            self.lines = self.lines[-5:]

    def _latest(self, rows: int) -> list[str]:
        """The tasks of the latest ``rows`` changes, latest first, each once."""
        names: dict[str, None] = {}
        for task in reversed(list(self.recent)):  # a copy: events arrive while this draws
            names[task] = None
            if len(names) == rows:
                break
        return list(names)

    def _render(self) -> Any:
        """The frame: one ``Text`` of aligned lines (a rich ``Table`` of the same rows took ~20 ms
        to lay out, several times a second, on the GIL the run's tasks need; this ~3 ms)."""
        from rich.cells import cell_len
        from rich.text import Text

        counts = dict(self.counts)
        done = sum(counts.get(s, 0) for s in TERMINAL_TASK_STATES)
        title = f"run {self.run_id or ''} {_flat(self.pipeline)}  {done}/{len(self.state)} tasks  {fmt_duration(time.time() - self.started)}"
        if len(self.state) > SHOWN:
            title += "  (" + ", ".join(f"{n} {s}" for s, n in counts.items() if n) + ")"
        # events arrive on the engine's thread while this draws: work on copies (made in one C call)
        names = self._latest(self._rows()) if len(self.state) > SHOWN else list(self.state)
        rows: list[tuple[str, str, str, str, str]] = []
        now = time.time()
        for name in names:
            status, note, took, t0, number = self.state[name]
            mark, style = STATUS_STYLE.get(status, ("?", "white"))
            if took is None and status == "running" and t0 is not None:
                took = now - t0
            attempt = f" (attempt {number})" if number > 1 else ""
            rows.append((_flat(name), f"{mark} {status}{attempt}", fmt_duration(took), _flat(note), style))
        if len(self.state) > SHOWN:
            rows.append((f"... {len(self.state) - len(names)} more", "", "", "", ""))
        wide = max([4, *(cell_len(r[0]) for r in rows)])
        width = min(wide, NAME_WIDTH)
        status_w = max([6, *(cell_len(r[1]) for r in rows)])
        took_w = max([4, *(len(r[2]) for r in rows)])
        frame = Text(title + "\n", no_wrap=True, overflow="ellipsis", end="")
        frame.append(f"{'task':<{width}}  {'status':<{status_w}}  {'took':>{took_w}}  note\n", style="bold")
        frame.append("━" * (width + status_w + took_w + 10) + "\n", style="dim")
        for name, status_text, took_text, note, style in rows:
            frame.append(f"{_fit(name, width)}  ")
            frame.append(_fit(status_text, status_w), style=style)
            frame.append(f"  {took_text:>{took_w}}  {_fit(note, NOTE_WIDTH).rstrip()}\n")
        for line in self.lines:
            frame.append(" " * (width + status_w + took_w + 6) + _flat(line) + "\n", style="cyan")
        frame.rstrip()
        return frame

    def _rows(self) -> int:
        """How many of a big run's latest changes to list: what the terminal shows (rich's Live
        crops a taller frame, and laying out rows nobody sees was most of a frame's time)."""
        live = getattr(self, "_live", None)
        height = live.console.height if live is not None else 0
        # its title, header and "more" lines, and the summary printed under the last frame
        return SHOWN if not height else max(5, min(SHOWN, height - 7 - len(self.lines)))

    def stop(self) -> None:
        if self._live is not None:
            self._live.stop()  # draws the last frame itself (a refresh before it drew one more)
