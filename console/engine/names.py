"""Pipeline, task and param names, and run ids typed by users: checked whole, in a safe alphabet.

Task names become log file names (``logs/RUN/TASK.log``) and every name is shown in
terminals and tables, so they are kept to letters, digits, ``_``, ``.`` and ``-``; checks
use ``fullmatch`` (``^...$`` with ``match`` lets ``"iris\\n"`` through). Run ids are ASCII
digits only (see ``console.store.runs.parse_run_id``); counts typed on the command line fit SQLite.
"""

from __future__ import annotations

import argparse
import re

from console.errors import PipelineDefinitionError
from console.store.runs import MAX_SQL_INT

NAME_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
PARAM_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
RESERVED_PARAMS = frozenset({"ctx"})
SHOWN = 80  # characters of a bad name echoed back in an error


def shorten(text: object, limit: int = SHOWN) -> str:
    """``repr`` of ``text``, cut with an ellipsis past ``limit`` characters."""
    shown = str(text)
    return repr(shown if len(shown) <= limit else shown[:limit] + "…")


def valid_name(name: object) -> bool:
    return isinstance(name, str) and NAME_RE.fullmatch(name) is not None and ".." not in name


def check_pipeline_name(name: object, file: str | None = None, line: int | None = None) -> str:
    if not valid_name(name):
        raise PipelineDefinitionError(
            f"invalid pipeline name {shorten(name)}: use 1-128 letters, digits, '_', '.', '-'", file, line
        )
    return str(name)


def check_task_name(name: object, file: str | None = None, line: int | None = None) -> str:
    if not valid_name(name):
        raise PipelineDefinitionError(
            f"invalid task name {shorten(name)}: use 1-128 letters, digits, '_', '.', '-' (it names the log file)",
            file,
            line,
        )
    return str(name)


def check_param_name(name: object, file: str | None = None, line: int | None = None) -> str:
    if not isinstance(name, str) or PARAM_RE.fullmatch(name) is None or name in RESERVED_PARAMS:
        why = (
            "'ctx' is reserved for the task context" if name in RESERVED_PARAMS else "use a Python identifier"
        )
        raise PipelineDefinitionError(f"invalid param name {shorten(name)}: {why}", file, line)
    return name


def bounded_int(text: str) -> int:
    """argparse ``type`` for counts and ids: a non-negative integer that fits in SQLite."""
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_SQL_INT:
        raise argparse.ArgumentTypeError(
            f"expected a whole number from 0 to {MAX_SQL_INT}, not {shorten(text)}"
        )
    return int(text)
