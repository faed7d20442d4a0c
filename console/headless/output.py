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
    "plain",
    "print_json",
    "printable",
    "run_duration",
    "status_text",
]

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
