"""Rich cells for the console's tables: status marks, times and durations against a clock."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from rich.text import Text

from console.presentation import STATUS_STYLE, fmt_duration

Clock = Callable[[], float]
duration = fmt_duration  # one formatter for the CLI and the console


def status_cell(status: str) -> Text:
    mark, style = STATUS_STYLE.get(status, ("?", "white"))
    return Text(f"{mark} {status}", style=style)


def status_mark(status: str) -> Text:
    mark, style = STATUS_STYLE.get(status, ("?", "white"))
    return Text(mark, style=style)


def clock_time(ts: float | None, now: float) -> str:
    """``HH:MM:SS`` today, ``MM-DD HH:MM`` before; ``-`` when not yet."""
    if ts is None:
        return "-"
    if now - ts < 20 * 3600:
        return time.strftime("%H:%M:%S", time.localtime(ts))
    return time.strftime("%m-%d %H:%M", time.localtime(ts))


def run_took(run: Mapping[str, Any], now: float) -> str:
    start = run.get("started_at")
    if start is None:
        return "-"
    end = run.get("ended_at") or now
    return duration(max(0.0, end - start))


def number(value: float | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:.4g}"


def truncate(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"
