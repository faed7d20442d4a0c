"""Plain formatters both front ends share: status marks and styles, times, durations, numbers, escaping.

Nothing here imports rich at module level or knows about a terminal; the CLI's ``headless/output.py``
and the console's ``ui/cells.py`` build on it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
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


def to_epoch(value: float | str | None) -> float | None:
    """Seconds since the epoch from a float or an ISO 8601 string (the ``--json`` form)."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return float(value)
    from datetime import datetime

    try:
        return datetime.fromisoformat(str(value)).timestamp()
    except ValueError:
        return None


def fmt_time(ts: float | str | None) -> str:
    """Local wall-clock time: ``HH:MM:SS`` within the last 20 hours, else the date too."""
    epoch = to_epoch(ts)
    if epoch is None:
        return "-"
    now = time.time()
    if now - epoch < 20 * 3600:
        return time.strftime("%H:%M:%S", time.localtime(epoch))
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(epoch))


def zone_label(ts: float | None = None) -> str:
    """The local zone's name and UTC offset, e.g. ``EST (UTC-05:00)``: shown once next to local times."""
    moment = time.localtime(ts if ts is not None else time.time())
    offset = moment.tm_gmtoff or 0
    sign = "+" if offset >= 0 else "-"
    hours, minutes = divmod(abs(offset) // 60, 60)
    name = moment.tm_zone or "local"
    if offset == 0 and name in ("UTC", "GMT"):
        return "UTC"
    return f"{name} (UTC{sign}{hours:02d}:{minutes:02d})"


def times_note() -> str:
    """The suffix a table title carries when its rows hold local times."""
    return f"times in {zone_label()}"


def fmt_task_counts(run: Mapping[str, Any], compact: bool = False) -> str:
    """``succeeded/total``, then what did not succeed: ``2/4 (1 failed, 1 skipped)``.

    ``compact`` (a narrow table column) folds those into one mark: ``2/4 ✗2``; the full form is one
    line away (preview, detail). ``run["task_counts"]`` (status -> count, from ``console.store.runs``)
    is used when present; without it only the finished count is known.
    """
    counts = run.get("task_counts")
    total = int(run.get("n_tasks") or 0)
    if counts is None:
        return f"{run.get('n_done', 0)}/{total}"
    head = f"{counts.get('succeeded', 0)}/{total}"
    if compact:
        missed = sum(counts.get(s, 0) for s in UNSUCCESSFUL_TASK_STATES)
        return f"{head} ✗{missed}" if missed else head
    marks = [f"{counts[s]} {s}" for s in UNSUCCESSFUL_TASK_STATES if counts.get(s)]
    return f"{head} ({', '.join(marks)})" if marks else head


UNSUCCESSFUL_TASK_STATES = ("failed", "skipped", "cancelled", "interrupted")


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


def run_duration(run: Mapping[str, Any]) -> float | None:
    if run.get("started_at") is None:
        return None
    end = run.get("ended_at") or time.time()
    return float(end - run["started_at"])


# C0 controls but tab and newline, DEL and C1 controls: shown as ``\\xNN`` so data cannot move the cursor,
# recolour the terminal or hide what came before a carriage return.
_CONTROLS = {c: f"\\x{c:02x}" for c in (*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0))}
_HAS_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: Any) -> str:
    """``text`` with terminal control characters shown as ``\\xNN`` (tab and newline kept)."""
    line = str(text)
    # most text has none: one regex scan in C is ~10x cheaper than translate's per-character lookups
    return line.translate(_CONTROLS) if _HAS_CONTROL.search(line) else line


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


_CONTROL_RE = None


def strip_controls(text: str) -> str:
    """Task output made safe to print: ANSI/OSC escape sequences and control characters removed."""
    global _CONTROL_RE
    if _CONTROL_RE is None:
        import re

        _CONTROL_RE = re.compile(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b\[[0-?]*[ -/]*[@-~]|\x1b.|[\x00-\x08\x0b-\x1f\x7f]")
    return _CONTROL_RE.sub("", text)


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
