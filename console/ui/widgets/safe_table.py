"""A DataTable that never reads its cells as markup.

Textual's DataTable parses a ``str`` cell as console markup, so a data value like ``[/]``
raises ``MarkupError`` and ``[bold]`` restyles the row. Every table in the console derives
from :class:`SafeTable`: ``str`` cells and labels become plain ``Text`` with terminal control
characters shown as ``\\xNN``; ``Text`` cells built by the console keep their style.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from console.ui.cells import safe, safe_text


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return safe(value)
    if isinstance(value, Text):
        return safe_text(value)
    return value


class SafeTable(DataTable[Any]):
    """DataTable whose ``str`` cells, labels and column headers are shown literally."""

    def add_row(self, *cells: Any, height: int | None = 1, key: str | None = None, label: Any = None) -> Any:
        return super().add_row(*map(_cell, cells), height=height, key=key, label=_cell(label))

    def add_column(
        self, label: Any, *, width: int | None = None, key: str | None = None, default: Any = None
    ) -> Any:
        return super().add_column(_cell(label), width=width, key=key, default=default)

    def update_cell(self, row_key: Any, column_key: Any, value: Any, *, update_width: bool = False) -> None:
        super().update_cell(row_key, column_key, _cell(value), update_width=update_width)

    def update_cell_at(self, coordinate: Any, value: Any, *, update_width: bool = False) -> None:
        super().update_cell_at(coordinate, _cell(value), update_width=update_width)
