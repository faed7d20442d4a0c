"""Plain formatters both front ends share: status marks and styles, times, durations, numbers, escaping.

Nothing here imports rich at module level or knows about a terminal; the CLI's ``headless/output.py``
and the console's ``ui/cells.py`` build on it.
"""

from __future__ import annotations

import time
from typing import Any

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


# C0 controls but tab and newline, DEL and C1 controls: shown as ``\\xNN`` so data cannot move the cursor,
# recolour the terminal or hide what came before a carriage return.
_CONTROLS = {c: f"\\x{c:02x}" for c in (*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0))}


def printable(text: Any) -> str:
    """``text`` with terminal control characters shown as ``\\xNN`` (tab and newline kept)."""
    return str(text).translate(_CONTROLS)


def escape_markup(text: Any) -> str:
    """User or data text printed literally: control characters made visible, rich markup escaped."""
    from rich.markup import escape

    return escape(printable(text))


def fmt_number(value: Any) -> str:
    """Four significant digits for numbers, ``-`` for none."""
    if value is None:
        return "-"
    if isinstance(value, int | float):
        return f"{value:.4g}"
    return str(value)


def plain(text: Any, style: str = "") -> Any:
    """A rich ``Text`` of user or data text: never parsed as markup, control characters made visible."""
    from rich.text import Text

    return Text(printable(text), style=style)
