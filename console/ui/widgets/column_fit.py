"""Columns that fit the table's width: optional ones drop out, one flexible column takes the rest.

A DataTable wider than its box scrolls sideways, so at 60-100 columns the last columns of
the Monitoring tables were cut mid-word with a stray scrollbar thumb under them. A table
using this has a list of :class:`Column` specs; on a resize it asks :func:`fit_columns` for
the columns to show at that width, and rebuilds its columns only when the answer changes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget
from textual.widgets import DataTable

CELL_PADDING = 2  # DataTable's cell_padding=1 on each side
MIN_FLEX = 10


@dataclass(frozen=True)
class Column:
    """``width`` cells (a flexible column's least); ``drop`` > 0: may be left out, highest first;
    ``flex``: takes the spare width, up to ``cap``."""

    key: str
    width: int
    drop: int = 0
    flex: bool = False
    cap: int = 60  # the most a flexible column grows to


def fit_columns(columns: list[Column], width: int) -> list[tuple[str, int]]:
    """``(key, width)`` of the columns to show in a table ``width`` cells wide (its scrollbar's two included)."""
    room = max(0, width - 2)  # the vertical scrollbar is two cells wide
    shown = list(columns)

    def need(cols: list[Column]) -> int:
        return sum(c.width + CELL_PADDING for c in cols)

    while need(shown) > room and any(c.drop for c in shown):
        shown.remove(max((c for c in shown if c.drop), key=lambda c: c.drop))
    fixed = sum(c.width + CELL_PADDING for c in shown if not c.flex)
    flexes = [c for c in shown if c.flex]
    spare = room - fixed - CELL_PADDING * len(flexes)
    # the spare width in equal shares; a column capped below its share gives the rest back
    share: dict[str, int] = {}
    open_ = sorted(flexes, key=lambda c: c.cap)
    while open_:
        each = max(spare, 0) // len(open_)
        if open_[0].cap > each:
            share.update((c.key, each) for c in open_)
            break
        column = open_.pop(0)
        share[column.key] = column.cap
        spare -= column.cap
    return [(c.key, max(min(c.width, MIN_FLEX), share[c.key]) if c.flex else c.width) for c in shown]


def sized_to(columns: list[Column], rows: list[dict[str, Any]]) -> list[Column]:
    """``columns`` at the width of their widest cell or label: numbers are never cut, a flexible
    column grows no wider than its content."""

    def widest(key: str) -> int:
        cells = [row[key] for row in rows]
        return max([len(key)] + [c.cell_len if isinstance(c, Text) else Text(str(c)).cell_len for c in cells])

    return [
        replace(c, cap=min(c.cap, max(c.width, widest(c.key)))) if c.flex else replace(c, width=max(c.width, widest(c.key)))
        for c in columns
    ]


def clip(text: Text | str, width: int) -> Text:
    """A cell cut to ``width`` with a visible ``…`` (a table cuts silently)."""
    cell = text.copy() if isinstance(text, Text) else Text(text)
    if cell.cell_len > width:
        cell.truncate(width, overflow="ellipsis")
    return cell


class FitsColumns(Widget):
    """A pane whose tables (``TABLE_COLUMNS``: table id -> specs) fit their width on every resize.

    Listed after the container class (``class Pane(Vertical, FitsColumns)``): Textual matches
    CSS type names along the first base only.

    The pane fills a table with ``pick(table_id, {key: cell})`` rows and implements
    ``refill(table_id)``, called after the columns changed (the rows are gone then). Its
    tables are ``SafeTable``s, which say when their width changes.
    """

    TABLE_COLUMNS: ClassVar[dict[str, list[Column]]] = {}
    _layout: dict[str, list[tuple[str, int]]] = {}
    _grown: dict[str, dict[str, int]] = {}  # table id -> column -> the widest number it was given
    _growing = False

    def on_safe_table_resized(self) -> None:
        # a table's own width: a pane's may stay the same while its layout moves the tables
        self.call_after_refresh(self.fit_tables)

    def fit_tables(self) -> None:
        layout = dict(self._layout)
        changed = []
        self._growing = False
        for table_id, specs in self.table_columns().items():
            grown = self._grown.get(table_id, {})
            specs = [replace(c, width=max(c.width, grown.get(c.key, 0))) for c in specs]
            table = self.query_one(f"#{table_id}", DataTable)
            cols = fit_columns(specs, table.region.width or 140)  # not laid out yet: the wide set
            if cols != layout.get(table_id):
                layout[table_id] = cols
                table.clear(columns=True)
                for key, w in cols:
                    table.add_column(key, key=key, width=w)
                changed.append(table_id)
        self._layout = layout
        for table_id in changed:
            self.refill(table_id)

    def table_columns(self) -> dict[str, list[Column]]:
        """The specs to fit: ``TABLE_COLUMNS``, or widths a pane works out from its rows."""
        return self.TABLE_COLUMNS

    def fitted(self, table_id: str) -> bool:
        """True once the table has its columns (fill it only then)."""
        return table_id in self._layout

    def pick(self, table_id: str, cells: dict[str, Any]) -> list[Any]:
        """The cells of the shown columns: text too long for its column cut with a visible ``…``
        (a table cuts silently); a number (right-justified) is never cut: its column grows to it,
        the columns are fitted again (optional ones drop out first) and the table refilled."""
        flex = {c.key for c in self.table_columns()[table_id] if c.flex}
        out = []
        wider: dict[str, int] = {}
        for key, width in self._layout[table_id]:
            cell = cells[key]
            size = cell.cell_len if isinstance(cell, Text) else cell_len(str(cell))
            if size > width:
                if key not in flex and isinstance(cell, Text) and cell.justify == "right":
                    wider[key] = size
                else:
                    cell = clip(cell, width)
            out.append(cell)
        if wider:
            self._grow(table_id, wider)
        return out

    def _grow(self, table_id: str, wider: dict[str, int]) -> None:
        grown = dict(self._grown.get(table_id, {}))
        for key, size in wider.items():
            grown[key] = max(grown.get(key, 0), size)
        self._grown = {**self._grown, table_id: grown}  # the instance's own (the class's stays empty)
        if not self._growing:
            self._growing = True
            self.call_after_refresh(self.fit_tables)

    def refill(self, table_id: str) -> None:
        """Fill ``table_id`` again after its columns changed."""
        raise NotImplementedError
