"""Plain formatters both front ends share: status marks and styles, times, durations, numbers, escaping.

Nothing here imports rich at module level or knows about a terminal; the CLI's ``headless/output.py``
and the console's ``ui/cells.py`` build on it.
"""

from __future__ import annotations

import re
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


# -- task output on a terminal: control sequences shown, never obeyed ------------------------------
# A task's log is untrusted text. Printed raw, ``\x1b]0;...`` retitles the terminal,
# ``\x1b[2J`` clears it, ``\r`` overwrites the start of the line. Colour (SGR) sequences are
# dropped (common, harmless to lose); every other control character is shown as an escape.
# SGR colour/style sequences: ESC [ params m
_SGR = re.compile(r"\x1b\[[0-9;:]*m")
# C0 controls except TAB, DEL, and the C1 range (0x80-0x9f; 0x9b is a one-byte CSI)
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_NAMED = {"\r": "\\r", "\n": "\\n", "\x00": "\\0", "\x1b": "\\x1b"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or f"\\x{ord(char):02x}"


def terminal_safe(text: str) -> str:
    """``text`` with colour codes removed and other control characters escaped."""
    return _CONTROL.sub(_escape, _SGR.sub("", text))
