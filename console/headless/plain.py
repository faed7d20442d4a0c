"""Tables for pipes: a rich console that prints a ``Table`` as plain tab-separated lines.

On a terminal a table is drawn as usual. When stdout is a pipe or a file (grep, cut, CI logs) each
table becomes its title line (when it has one), a header line and one line per row, with cells
separated by a tab and no box characters or styles, so ``cut -f2`` and ``awk -F'\\t'`` work.
"""

from __future__ import annotations

import re
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

# CSI/OSC escape sequences, then any other C0 control character or DEL
_CONTROL = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|[\x00-\x1f\x7f]")


def cell_text(cell: Any) -> str:
    """A table cell as plain text: markup resolved, styles dropped, tabs and newlines flattened."""
    if isinstance(cell, Text):
        text = cell.plain
    elif isinstance(cell, str):
        from rich.errors import MarkupError

        try:
            text = Text.from_markup(cell).plain
        except MarkupError:
            text = cell
    elif cell is None:
        text = ""
    else:
        text = str(cell)
    # a tab or newline inside a cell would shift the columns; other control bytes reach no terminal
    return _CONTROL.sub(lambda m: " " if m.group() in "\t\r\n" else "", text)


def table_lines(table: Table) -> list[str]:
    """The plain lines of ``table``: title, header, rows."""
    lines: list[str] = []
    if table.title:
        lines.append(cell_text(table.title))
    columns = table.columns
    if table.show_header:
        lines.append("\t".join(cell_text(c.header) for c in columns))
    cells = [list(c.cells) for c in columns]
    for i in range(table.row_count):
        lines.append("\t".join(cell_text(col[i]) if i < len(col) else "" for col in cells).rstrip("\t"))
    if table.caption:
        lines.append(cell_text(table.caption))
    return lines


class PlainTableConsole(Console):
    """A rich ``Console`` that prints tables as plain lines when ``plain_tables`` is set."""

    def __init__(self, *args: Any, plain_tables: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plain_tables = plain_tables

    def print(self, *objects: Any, **kwargs: Any) -> None:
        if self.plain_tables and any(isinstance(o, Table) for o in objects):
            for obj in objects:
                if isinstance(obj, Table):
                    for line in table_lines(obj):
                        self.file.write(line + "\n")
                    self.file.flush()
                else:
                    super().print(obj, **kwargs)
            return
        super().print(*objects, **kwargs)
