"""Task output made safe to print on a terminal: control sequences shown, never obeyed.

A task's log is untrusted text. Printed raw, ``\\x1b]0;...`` retitles the terminal,
``\\x1b[2J`` clears it, ``\\r`` overwrites the start of the line, and a NUL or a bell does
what terminals do with them. ``terminal_safe`` removes colour (SGR) sequences, which are
common and harmless to drop, and shows every other control character as a visible escape
(``\\r`` as ``\\\\r``, ESC as ``\\\\x1b``), so the line reads as the task wrote it.
"""

from __future__ import annotations

import re

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
