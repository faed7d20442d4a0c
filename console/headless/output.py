"""Shared output helpers for the headless CLI: JSON, times, durations, status styles."""

from __future__ import annotations

import json
import sys
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

STATUS_STYLE = {
    "succeeded": ("✓", "green"),
    "failed": ("✗", "bold red"),
    "running": ("●", "yellow"),
    "queued": ("·", "dim"),
    "retrying": ("↻", "magenta"),
    "skipped": ("-", "dim"),
    "cancelled": ("⊘", "dark_orange"),
    "interrupted": ("!", "red"),
    "ok": ("✓", "green"),
    "broken": ("✗", "bold red"),
}

_console: Console | None = None


def console() -> Console:
    global _console
    if _console is None:
        import os

        from rich.console import Console

        # piped output (CI logs, grep) should not wrap tables at 80 columns
        width = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 160
        _console = Console(highlight=False, soft_wrap=False, width=width)
    return _console


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, default=str, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def status_text(status: str) -> str:
    """Rich markup for a status with its symbol and colour."""
    mark, style = STATUS_STYLE.get(status, ("?", "white"))
    return f"[{style}]{mark} {status}[/]"


def fmt_time(ts: float | None) -> str:
    if ts is None:
        return "-"
    now = time.time()
    if now - ts < 20 * 3600:
        return time.strftime("%H:%M:%S", time.localtime(ts))
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts))


def fmt_duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 1:
        return f"{seconds * 1000:.0f}ms"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def run_duration(run: dict[str, Any]) -> float | None:
    if run.get("started_at") is None:
        return None
    end = run.get("ended_at") or time.time()
    return float(end - run["started_at"])


def escape_markup(text: Any) -> str:
    """User text (paths, messages) printed literally, not read as rich markup."""
    from rich.markup import escape

    return escape(str(text))


def fmt_number(value: Any) -> str:
    """Four significant digits for numbers, ``-`` for none."""
    if value is None:
        return "-"
    if isinstance(value, int | float):
        return f"{value:.4g}"
    return str(value)
