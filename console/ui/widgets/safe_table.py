"""A DataTable that never reads its cells as markup.

Textual's DataTable parses a ``str`` cell as console markup, so a data value like ``[/]``
raises ``MarkupError`` and ``[bold]`` restyles the row. Every table in the console derives
from :class:`SafeTable`: ``str`` cells and labels become plain ``Text`` with terminal control
characters shown as ``\\xNN``; ``Text`` cells built by the console keep their style.

It also keeps its rendered cells across focus changes and tab switches. DataTable drops every cached cell
and line on any style update, and focus moving in or out (each tab switch, each run
detail opened or closed) is a style update: the whole visible table was rendered again,
cell by cell (a third of a tab switch). Its caches are keyed by the focus/hover state
already, so when the styles for the new state are the ones last seen in that state the
cached cells are still right and only the per-state style lookups are reset. A hidden tab's
table is resized to 0x0 and back when shown, which DataTable also takes as a reason to render
every cell again; a resize to the size it had is ignored.

Its caches are emptied with :func:`~console.ui.widgets.lru_rings.clear_lru`.
"""

from __future__ import annotations

from typing import Any

from rich.style import Style
from rich.text import Text
from textual import events
from textual.cache import LRUCache
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

from console.ui.cells import safe, safe_text
from console.ui.widgets.lru_rings import clear_lru


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return safe(value)
    if isinstance(value, Text):
        return safe_text(value)
    return value


def still_highlighted(event: DataTable.RowHighlighted) -> bool:
    """Whether the row ``event`` names is where the cursor is now: a highlight queued before a
    move (row 0 as the rows came in, then a move to the row wanted) arrives after the move."""
    return event.cursor_row == event.data_table.cursor_row


FOCUS_STATES = 8  # focus states a table's styles are kept for (focused, blurred, hovered, ...)


class SafeTable(DataTable[Any]):
    """DataTable whose ``str`` cells, labels and column headers are shown literally."""

    _seen_styles: dict[object, tuple[Style, ...]] | None = None
    _focus_styles: dict[tuple[object, ...], tuple[dict[str, Any], dict[str, Any]]] | None = None
    _focus_rules: object = None  # the stylesheet's rules the kept styles were matched against
    _style_context: tuple[object, ...] = ()
    _last_size: tuple[int, int] = (0, 0)

    def _on_resize(self, event: events.Resize) -> None:
        # DataTable drops every cached cell on any resize, and a table on a tab that is hidden
        # and shown again is resized to 0x0 and back: same size as before, nothing to redo
        # (Textual calls every class's handler: prevent_default keeps DataTable's from running;
        # no other class in the MRO handles Resize)
        size = (event.size.width, event.size.height)
        if size == (0, 0) or size == self._last_size:
            event.prevent_default()
            return
        if size[0] != self._last_size[0]:
            self.post_message(self.Resized())  # a pane fitting its columns to the width hears it
        self._last_size = size

    class Resized(Message):
        """The table's width changed (its pane may show other columns now)."""

    def watch_has_focus(self, has_focus: bool) -> None:
        """Focus in or out restyles the table: Textual matches the whole stylesheet against it
        and against each of its ~10 component classes (a fifth of a tab switch, twice: one table
        blurred, one focused). What CSS can match is the same each time the table is in a state
        it was in before (the same rules; for every node from the app down, its type, id,
        classes and pseudo-classes), so that state's result is put back instead."""
        key = self._css_state()
        rules_now = getattr(self.app.stylesheet, "_rules", None) if key else None
        if rules_now is not self._focus_rules:  # the stylesheet was parsed again (CSS, theme)
            self._focus_styles, self._focus_rules = None, rules_now
        cached = self._focus_styles.get(key) if self._focus_styles is not None and key else None
        if cached is None:
            super().watch_has_focus(has_focus)
            if key:
                if self._focus_styles is None or len(self._focus_styles) >= FOCUS_STATES:
                    self._focus_styles = {}
                self._focus_styles[key] = (dict(self.styles.base._rules), dict(self._component_styles))
            return
        rules, components = cached
        self._component_styles.clear()
        self._component_styles.update(components)
        base = self.styles.base
        for name in base._rules.keys() | rules.keys():  # as Stylesheet.replace_rules, unanimated
            setattr(base, name, rules.get(name))
        # the styles are this state's last ones: its cached renders stand (see notify_style_update)
        Widget.notify_style_update(self)
        self._styles_cache.clear()
        self._get_styles_to_render_cell.cache_clear()
        sheet = self.app.stylesheet
        # the scrollbars shown, as Textual's restyle does (reading one that is not there makes it)
        vertical = self.show_vertical_scrollbar and self.scrollbar_size_vertical
        horizontal = self.show_horizontal_scrollbar and self.scrollbar_size_horizontal
        if vertical:
            sheet.apply(self.vertical_scrollbar)
        if horizontal:
            sheet.apply(self.horizontal_scrollbar)
        if vertical and horizontal:
            sheet.apply(self.scrollbar_corner)
        self.refresh()

    _frame_style: Style | None = None

    @property
    def rich_style(self) -> Style:
        """The table's style; while a frame's lines are rendered, the one worked out for the frame
        (DataTable's ``render_line`` walked every ancestor's styles for each line it drew)."""
        frame = self._frame_style
        return frame if frame is not None else super().rich_style

    def render_lines(self, crop: Region) -> list[Strip]:
        self._frame_style = self.rich_style  # the styles cannot change while the lines are drawn
        try:
            return super().render_lines(crop)
        finally:
            self._frame_style = None

    def _css_state(self) -> tuple[object, ...]:
        """Everything the stylesheet can match this table by (empty when it cannot be told)."""
        try:
            app = self.app
            if getattr(app.stylesheet, "_require_parse", True) or app.stylesheet._rules is None:
                return ()  # the stylesheet is to be parsed again (reading its rules would do it now)
            path = tuple(
                (type(node), node.id, frozenset(node.classes), node.pseudo_classes) for node in self.css_path_nodes
            )
            return (app.theme, path)
        except Exception:  # noqa: BLE001 - not mounted, no app: let Textual restyle
            return ()

    def _style_signature(self) -> tuple[Style, ...]:
        return (
            self.rich_style,
            *(self.get_component_rich_style(name) for name in sorted(self.COMPONENT_CLASSES)),
        )

    def notify_style_update(self) -> None:
        # what CSS can match besides the pseudo state: the theme and the classes up the tree
        context = (self.app.theme, *(tuple(node.classes) for node in self.ancestors_with_self))
        state = self.get_pseudo_class_state()
        try:
            signature = self._style_signature()
        except KeyError:  # the component styles are not set up yet (first styling)
            self._seen_styles = None
            super().notify_style_update()
            return
        seen = self._seen_styles
        if seen is not None and context == self._style_context and seen.get(state, signature) == signature:
            # the cell, row and line caches hold this state's renders (they are keyed by it)
            seen[state] = signature
            Widget.notify_style_update(self)
            self._styles_cache.clear()
            self._get_styles_to_render_cell.cache_clear()
            self.refresh()
            return
        self._style_context = context
        self._seen_styles = {state: signature}
        super().notify_style_update()

    def _clear_caches(self) -> None:
        caches: tuple[LRUCache[Any, Any], ...] = (
            self._row_render_cache, self._cell_render_cache, self._row_renderable_cache,
            self._line_cache, self._offset_cache, self._ordered_row_cache,
        )  # fmt: skip
        for cache in caches:
            clear_lru(cache)
        super()._clear_caches()

    def add_row(self, *cells: Any, height: int | None = 1, key: str | None = None, label: Any = None) -> Any:
        return super().add_row(*map(_cell, cells), height=height, key=key, label=_cell(label))

    def add_column(
        self, label: Any, *, width: int | None = None, key: str | None = None, default: Any = None
    ) -> Any:
        return super().add_column(_cell(label), width=width, key=key, default=default)

    def update_cell(self, row_key: Any, column_key: Any, value: Any, *, update_width: bool = False) -> None:
        """Like DataTable's, but only the updated row is rendered again.

        DataTable bumps a counter that is part of every cache key, so one cell update (a
        running run's duration ticking, a task changing state) rendered every visible cell
        of the table again; here the cached renders of that one row are dropped.
        """
        row = RowKey(row_key) if isinstance(row_key, str) else row_key
        column = ColumnKey(column_key) if isinstance(column_key, str) else column_key
        if update_width or row not in self._row_locations or column not in self._column_locations:
            super().update_cell(row_key, column_key, _cell(value), update_width=update_width)
            return
        self._data[row][column] = _cell(value)
        caches: tuple[LRUCache[Any, Any], ...] = (self._cell_render_cache, self._row_render_cache)
        for cache in caches:
            for key in [k for k in cache.keys() if k[0] == row]:  # noqa: SIM118 - not iterable
                cache.discard(key)
        index = self._row_locations.get(row)
        assert index is not None  # checked above
        self._row_renderable_cache.discard((self._update_count, index))
        clear_lru(self._line_cache)  # keyed by screen line; rebuilt from the cached rows
        self.refresh_row(index)

    def update_cell_at(self, coordinate: Any, value: Any, *, update_width: bool = False) -> None:
        super().update_cell_at(coordinate, _cell(value), update_width=update_width)
