"""Rich cells for the console's tables: status marks, times and durations against a clock."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from rich.text import Text

from console.presentation import STATUS_STYLE, fmt_duration, printable

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
    text = printable(" ".join(text.split()))
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def safe(value: Any, style: str = "") -> Text:
    """User or data text as a cell: never markup, control characters shown as ``\\xNN``."""
    return Text(printable(value), style=style)


def safe_text(text: Text) -> Text:
    """``text`` unchanged, or, when it holds control characters, rebuilt plain in its base style."""
    shown = printable(text.plain)
    if shown == text.plain:
        return text
    return Text(shown, style=text.style, justify=text.justify)


def safe_line(value: Any) -> str:
    """User or data text for a place that reads markup (a notification, a Static): escaped."""
    from console.presentation import escape_markup

    return escape_markup(value)


def fields_on_lines(text: Text, fields: list[Text], width: int, gap: int = 2, indent: str = " ") -> None:
    """Append ``fields`` to ``text``, ``gap`` spaces apart, starting a new line (after
    ``indent``, as the text's other lines start) before a field that would not fit in
    ``width`` cells: a line breaks between two fields, never inside one."""
    used = text.cell_len
    for field in fields:
        if used and used + gap + field.cell_len > width:
            text.append("\n" + indent)
            used = len(indent)
        elif used:
            text.append(" " * gap)
            used += gap
        text.append_text(field)
        used += field.cell_len
