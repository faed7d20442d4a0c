"""Columns that fit the table's width: optional ones drop out, one flexible column takes the rest.

A DataTable wider than its box scrolls sideways, so at 60-100 columns the last columns of
the Monitoring tables were cut mid-word with a stray scrollbar thumb under them. A table
using this has a list of :class:`Column` specs; on a resize it asks :func:`fit_columns` for
the columns to show at that width, and rebuilds its columns only when the answer changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

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
    out = []
    for c in shown:
        if c.flex:
            out.append((c.key, max(min(c.width, MIN_FLEX), min(c.cap, spare // max(1, len(flexes))))))
        else:
            out.append((c.key, c.width))
    return out


def clip(text: Text | str, width: int) -> Text:
    """A cell cut to ``width`` with a visible ``…`` (a table cuts silently)."""
    cell = text.copy() if isinstance(text, Text) else Text(text)
    if cell.cell_len > width:
        cell.truncate(width, overflow="ellipsis")
    return cell
