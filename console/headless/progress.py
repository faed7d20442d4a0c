"""Live progress of a run in the terminal: a rich table on a TTY, plain lines when piped."""

from __future__ import annotations

import sys
import threading
import time
from typing import Any

from console.headless.output import STATUS_STYLE, console, fmt_duration


class PlainPrinter:
    """One line per event, for pipes, cron and CI logs."""

    def __init__(self, stream: Any = None) -> None:
        # listeners run on task threads too: write to the real stdout, not the task-log proxy
        self.stream = stream or getattr(sys.stdout, "real", sys.stdout)
        self._lock = threading.Lock()

    def __call__(self, event: dict[str, Any]) -> None:
        line = format_event(event)
        if line:
            with self._lock:
                self.stream.write(line + "\n")
                self.stream.flush()

    def stop(self) -> None:
        pass


def format_event(event: dict[str, Any]) -> str | None:
    kind, data = event["kind"], event.get("data") or {}
    stamp = time.strftime("%H:%M:%S", time.localtime(event.get("at") or time.time()))
    head = f"{stamp} run {event['run_id']} {event.get('pipeline', '')}".rstrip()
    if event.get("run_id") is None:
        head = stamp  # a pipeline or model event, not a run's
    if kind == "run.created":
        return f"{head} created (trigger {data.get('trigger', '?')})"
    if kind == "run.started":
        return f"{head} started"
    if kind == "run.finished":
        took = fmt_duration(data.get("duration_s"))
        err = f": {data['error']}" if data.get("error") else ""
        return f"{head} {event['status']} in {took}{err}"
    if kind == "task.started":
        attempt = data.get("attempt")
        return f"{head} task {event['task']} running" + (f" (attempt {attempt})" if attempt else "")
    if kind == "task.retrying":
        return (
            f"{head} task {event['task']} retrying in {data.get('delay_s', 0):g}s "
            f"after attempt {data.get('attempt')}: {data.get('error')}"
        )
    if kind == "task.finished":
        status = event["status"]
        if status == "succeeded":
            return f"{head} task {event['task']} succeeded in {fmt_duration(data.get('duration_s'))}"
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


class LiveTable:
    """A rich Live table of the run's tasks, refreshed a few times a second."""

    def __init__(self, pipeline: str, tasks: list[str]) -> None:
        from rich.live import Live

        self.pipeline = pipeline
        self.state: dict[str, dict[str, Any]] = {t: {"status": "queued", "note": ""} for t in tasks}
        self.run_id: int | None = None
        self.started = time.time()
        self.lines: list[str] = []
        self._live = Live(
            self._render(),
            console=console(),
            refresh_per_second=8,
            redirect_stdout=False,
            redirect_stderr=False,
            transient=False,
            get_renderable=self._render,
        )
        self._live.start()

    def __call__(self, event: dict[str, Any]) -> None:
        self.run_id = event.get("run_id", self.run_id)
        task, data = event.get("task"), event.get("data") or {}
        if task and task in self.state:
            st = self.state[task]
            if event["kind"] in ("task.started", "task.finished", "task.retrying", "task.reused"):
                st["status"] = event["status"]
                st["note"] = data.get("error") or ""
                if "duration_s" in data:
                    st["took"] = data["duration_s"]
                if event["kind"] == "task.started":
                    st["t0"] = time.time()
                if "attempt" in data:
                    st["attempt"] = data["attempt"]
        if event["kind"] == "metric.logged":
            self.lines.append(f"{task}: {data.get('name')} = {data.get('value'):.6g}")
            self.lines = self.lines[-5:]

    def _render(self) -> Any:
        from rich.table import Table

        done = sum(1 for s in self.state.values() if s["status"] in ("succeeded", "failed", "skipped"))
        title = f"run {self.run_id or ''} {self.pipeline}  {done}/{len(self.state)} tasks  {fmt_duration(time.time() - self.started)}"
        table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
        table.add_column("task")
        table.add_column("status")
        table.add_column("took", justify="right")
        table.add_column("note", overflow="ellipsis", max_width=70)
        for name, st in list(self.state.items())[:40]:
            mark, style = STATUS_STYLE.get(st["status"], ("?", "white"))
            took = st.get("took")
            if took is None and st["status"] == "running" and "t0" in st:
                took = time.time() - st["t0"]
            attempt = f" (attempt {st['attempt']})" if st.get("attempt", 1) > 1 else ""
            table.add_row(name, f"[{style}]{mark} {st['status']}{attempt}[/]", fmt_duration(took), st["note"])
        if len(self.state) > 40:
            table.add_row(f"... {len(self.state) - 40} more", "", "", "")
        for line in self.lines:
            table.add_row("", "", "", f"[cyan]{line}[/]")
        return table

    def stop(self) -> None:
        self._live.refresh()
        self._live.stop()
