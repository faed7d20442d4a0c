"""Textual's ``Strip``: lines freed by reference counting, and made without seven caches each.

``Strip.divide(cuts)`` with the strip's own length as the only cut returns ``[self]`` and caches
that list on the strip; ``Strip.crop_extend(0, len, style)`` returns the strip itself and caches
it too. Either way the strip refers to itself: a cycle of ~13 objects (the strip, its seven small
caches and their dicts) that reference counting never frees. The compositor divides every line
it draws, so a key press left a few hundred such cycles: a full collection under load freed
~210,000 objects, ~140,000 of them these (0.5-0.8 s of pause, see ``console.ui.idle_gc``).

:func:`apply` makes those two calls return the strip itself without caching it: the same
result, no cycle.

Each ``Strip`` also makes seven ``FIFOCache`` objects (and their dicts) when it is built, though
most strips are drawn once and never cropped, styled or filtered: on a tab switch, building
strips was ~30% of the compositor's redraw and half of that the caches. :func:`apply` builds each
cache on its first use instead (``__getattr__`` runs only for a slot not yet set), the same cache
of the same size. That patch is applied only while ``Strip`` has exactly the slots it was written
for; a Textual release that changes them gets its own ``__init__``.

Three reactives repaint a container whose own lines do not depend on them: the screen's
``focused``, ``TabbedContent.active`` and ``ContentSwitcher.current``. Each repaint threw away the
container's rendered (background) lines, so a tab switch re-rendered ~130 blank lines of
containers under the panes besides the pane itself. :func:`apply` turns those repaints off: the
widgets that change (the pane shown or hidden, the tab, the widgets gaining and losing focus)
still refresh themselves.

Applied once, when the console starts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from textual.cache import FIFOCache
from textual.screen import Screen
from textual.strip import Strip
from textual.widgets import ContentSwitcher, TabbedContent

_applied = False
# Strip's caches and their sizes, as its __init__ makes them (Textual 8)
CACHES = {
    "_divide_cache": 4,
    "_crop_cache": 16,
    "_style_cache": 16,
    "_filter_cache": 4,
    "_line_length_cache": 4,
    "_crop_extend_cache": 4,
    "_offsets_cache": 4,
}
PLAIN = ("_segments", "_cell_length", "_render_cache", "_link_ids", "_cell_count")
# reactives whose change repaints a container that does not draw them
NO_REPAINT: tuple[tuple[type, str], ...] = (
    (Screen, "focused"),
    (TabbedContent, "active"),
    (ContentSwitcher, "current"),
)


def apply() -> None:
    """Patch ``Strip.divide`` and ``Strip.crop_extend`` (idempotent)."""
    global _applied
    if _applied:
        return
    _applied = True
    divide = Strip.divide
    crop_extend = Strip.crop_extend

    def whole_divide(self: Strip, cuts: Iterable[int]) -> Sequence[Strip]:
        cuts = list(cuts)
        length = self.cell_length
        if [cut for cut in cuts if cut <= length] == [length]:
            return [self]  # what Textual returns, without caching [self] on self
        return divide(self, cuts)

    def whole_crop_extend(self: Strip, start: int, end: int, style: Any) -> Strip:
        if start == 0 and end == self.cell_length:
            return self  # extend to its own length, crop to all of it: itself, uncached
        return crop_extend(self, start, end, style)

    Strip.divide = whole_divide  # type: ignore[method-assign]
    Strip.crop_extend = whole_crop_extend  # type: ignore[method-assign]
    if set(getattr(Strip, "__slots__", ())) == {*CACHES, *PLAIN}:
        _lazy_caches()
    for owner, name in NO_REPAINT:
        descriptor = owner.__dict__.get(name)
        if descriptor is not None and hasattr(descriptor, "_repaint"):
            descriptor._repaint = False


def _lazy_caches() -> None:
    def lean_init(self: Strip, segments: Iterable[Any], cell_length: int | None = None) -> None:
        self._segments = list(segments)
        self._cell_length = cell_length
        self._render_cache = None
        self._link_ids = None
        self._cell_count = None

    def first_use(self: Strip, name: str) -> Any:
        size = CACHES.get(name)
        if size is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        cache: FIFOCache[Any, Any] = FIFOCache(size)
        setattr(self, name, cache)
        return cache

    Strip.__init__ = lean_init  # type: ignore[method-assign]
    Strip.__getattr__ = first_use  # type: ignore[attr-defined]
