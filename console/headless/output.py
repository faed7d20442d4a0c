"""Output for the headless CLI: the rich console and JSON. Formatters shared with the console UI live in
``console/presentation.py`` and are re-exported here for the command modules."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from console.presentation import (
    STATUS_STYLE,
    escape_markup,
    fmt_duration,
    fmt_number,
    fmt_time,
    plain,
    printable,
    run_duration,
    status_text,
)

if TYPE_CHECKING:
    from rich.console import Console

__all__ = [
    "STATUS_STYLE",
    "console",
    "escape_markup",
    "fmt_duration",
    "fmt_number",
    "fmt_time",
    "no_color",
    "plain",
    "print_json",
    "printable",
    "run_duration",
    "status_text",
]

_console: Console | None = None


def no_color() -> bool:
    """no-color.org: ``NO_COLOR`` set to anything but the empty string turns colour off."""
    import os

    return bool(os.environ.get("NO_COLOR"))


def console() -> Console:
    """The CLI's rich console: tables as plain tab-separated lines when stdout is not a terminal."""
    global _console
    if _console is None:
        import os

        from console.headless.plain import PlainTableConsole

        tty = sys.stdout.isatty()
        # piped output (CI logs, grep) should not wrap tables at 80 columns
        width = None if tty or os.environ.get("COLUMNS") else 160
        _console = PlainTableConsole(
            plain_tables=not tty,
            highlight=False,
            soft_wrap=False,
            width=width,
            # rich's own no_color keeps bold and dim; no-color.org means no escape codes at all
            color_system=None if no_color() else "auto",
        )
    return _console


def print_json(obj: Any) -> None:
    """One JSON document: indented for a person at a terminal, one line for a pipe.

    ``json`` encodes in C only without ``indent``; indenting a 20,000-task run costs more than
    running it. Piped output is what scripts read, and one line per document also makes
    ``logs --json`` JSON Lines.
    """
    indent = 2 if sys.stdout.isatty() else None
    sys.stdout.write(json.dumps(obj, indent=indent, default=str, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def print_json_with(obj: dict[str, Any], key: str, text: str) -> None:
    """``print_json(obj | {key: json.loads(text)})`` without decoding ``text`` (already JSON) when
    the document is one line for a pipe; a terminal gets it indented as usual."""
    if sys.stdout.isatty():
        print_json(obj | {key: json.loads(text)})
        return
    head = json.dumps({k: v for k, v in obj.items() if k != key}, default=str, ensure_ascii=False)
    sep = ", " if len(head) > 2 else ""
    sys.stdout.write(f"{head[:-1]}{sep}{json.dumps(key)}: {text}}}\n")
    sys.stdout.flush()
