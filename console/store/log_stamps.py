"""The time stamp at the start of every task log line, and reading it back.

A line is written as ``2026-12-02T01:55:03-05:00 text``: ISO 8601 with the writer's UTC
offset, so a file read on another machine, in another zone, or after a change to daylight
saving time still says when each line happened. Readers show it in the reader's local time
(``01:55:03``, the zone named once in their header) with :func:`local_line`; ``--json``
gives the stamp as written. Lines from files written before this format (``HH:MM:SS``, the
writer's local time, zone unknown) are shown as they are.
"""

from __future__ import annotations

import re
import time
from datetime import datetime

STAMP = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[+-]\d\d:\d\d|Z)) ")
STAMP_BYTES = re.compile(rb"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[+-]\d\d:\d\d|Z) ")

_memo: dict[str, str] = {}  # stamp -> local HH:MM:SS: a log writes many lines per second


def stamp(at: float | None = None) -> str:
    """Now (or ``at``) as written at the start of a log line, with this process's offset."""
    return datetime.fromtimestamp(time.time() if at is None else at).astimezone().isoformat(timespec="seconds")


def split(line: str) -> tuple[str | None, str]:
    """``(stamp, text)`` of a written line; ``(None, line)`` when it has no ISO stamp."""
    m = STAMP.match(line)
    if m is None:
        return None, line
    return m.group(1), line[m.end() :]


def local_clock(iso: str) -> str:
    """An ISO stamp as ``HH:MM:SS`` in this process's local time."""
    shown = _memo.get(iso)
    if shown is None:
        if len(_memo) > 4096:
            _memo.clear()
        shown = datetime.fromisoformat(iso).astimezone().strftime("%H:%M:%S")
        _memo[iso] = shown
    return shown


def local_line(line: str) -> str:
    """A written line as a person reads it: the stamp in local ``HH:MM:SS``, then the text."""
    iso, text = split(line)
    return line if iso is None else f"{local_clock(iso)} {text}"


def local_lines(lines: list[str]) -> list[str]:
    return [local_line(line) for line in lines]
