"""The task log: follows its end for any length, keeps the last ``keep`` lines, wraps on demand.

Textual's ``Log`` stops repainting once it holds ``max_lines``: pruning keeps the line count
(so the scroll position does not move) and only the lines past the old end are refreshed,
which are gone after the prune; the screen froze at about ``max_lines`` lines. This widget
prunes itself and repaints when the window slides. Wrapping is done here, on the raw lines
kept, so turning it on or off (or resizing) re-lays the same lines out.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from rich.cells import cell_len
from textual import events
from textual.widgets import Log

from console.ui.widgets.lru_rings import clear_lru


def wrap_line(line: str, width: int) -> list[str]:
    """``line`` cut into pieces of at most ``width`` cells (wide characters kept whole)."""
    if width <= 0 or cell_len(line) <= width:
        return [line]
    pieces: list[str] = []
    piece: list[str] = []
    used = 0
    for ch in line:
        w = cell_len(ch)
        if used + w > width and piece:
            pieces.append("".join(piece))
            piece, used = [], 0
        piece.append(ch)
        used += w
    if piece:
        pieces.append("".join(piece))
    return pieces


class LogView(Log):
    """A bounded, always-following log; ``wrap`` folds long lines at the widget's width."""

    def __init__(self, keep: int = 2000, **kwargs: object) -> None:
        super().__init__(max_lines=None, auto_scroll=True, **kwargs)  # type: ignore[arg-type]
        self.keep = keep
        self.raw: deque[str] = deque(maxlen=keep)
        self.dropped = 0  # lines written since the last clear that no longer fit in ``keep``
        self.wrap = False
        self._wrapped_at = 0

    def notify_style_update(self) -> None:
        clear_lru(self._render_line_cache)  # Log's own clear would leave a cycle (see lru_rings)
        super().notify_style_update()

    @property
    def truncated(self) -> bool:
        """True when lines were dropped from the top (the title then says so)."""
        return self.dropped > 0

    def clear(self) -> LogView:
        self.raw.clear()
        self.dropped = 0
        clear_lru(self._render_line_cache)  # before Log's own clear, which would leave a cycle
        super().clear()
        self._at_end = True
        return self

    def mark_cut(self, lines: int = 1) -> None:
        """The first read already started mid-file: count what was left before it."""
        self.dropped += lines

    def write_lines(self, lines: Iterable[str], scroll_end: bool | None = None) -> LogView:
        new = [piece for line in lines for piece in line.splitlines() or [""]]
        if not new:
            return self
        overflow = max(0, len(self.raw) + len(new) - self.keep)
        self.dropped += overflow
        self.raw.extend(new)
        if overflow and (self.wrap or len(new) >= self.keep):
            self._relayout()  # the window slid: lay the kept lines out again, repainted
            return self
        if overflow:
            # one shown line per raw line: drop the oldest and repaint the whole window, since
            # every visible line moved up (Textual would only repaint the rows past the old end)
            del self._lines[:overflow]
            clear_lru(self._render_line_cache)
            super().write_lines(new, scroll_end)
            self.refresh()
            return self
        shown = [p for line in new for p in wrap_line(line, self._width_for_wrap())] if self.wrap else new
        super().write_lines(shown, scroll_end)
        return self

    def toggle_wrap(self) -> None:
        self.wrap = not self.wrap
        self._relayout()

    def _width_for_wrap(self) -> int:
        return max(10, self.scrollable_content_region.width or self.size.width or 80)

    def _relayout(self) -> None:
        at_end = self.is_vertical_scroll_end
        lines = list(self.raw)
        if self.wrap:
            width = self._width_for_wrap()
            self._wrapped_at = width
            lines = [p for line in lines for p in wrap_line(line, width)]
        self._lines.clear()
        clear_lru(self._render_line_cache)
        self._updates += 1
        self._width = 0
        Log.write_lines(self, lines, scroll_end=False)
        if at_end:
            self.follow_end()
        self.refresh()

    def follow_end(self) -> None:
        """Show the last line: now, and again once laid out (a log filled before its first
        layout, or whose virtual size just changed, would otherwise stay a few rows short)."""
        self.scroll_end(animate=False, immediate=True, x_axis=False)
        self.call_after_refresh(self.scroll_end, animate=False, x_axis=False)

    _at_end = True  # the view was at its last line when it last scrolled (or nothing scrolled it yet)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._at_end = new_value >= self.max_scroll_y

    def on_resize(self, event: events.Resize) -> None:
        if self.wrap and self.raw and self._width_for_wrap() != self._wrapped_at:
            self._relayout()
        elif self._at_end and self.raw:
            # shorter by a line (its title grew one): the last line stays in view, not one below it
            self.follow_end()
