"""Two of Textual's strip caches that keep every rendered line alive until a full collection.

``Strip.divide(cuts)`` with the strip's own length as the only cut returns ``[self]`` and caches
that list on the strip; ``Strip.crop_extend(0, len, style)`` returns the strip itself and caches
it too. Either way the strip refers to itself: a cycle of ~13 objects (the strip, its seven small
caches and their dicts) that reference counting never frees. The compositor divides every line
it draws, so a key press left a few hundred such cycles: a full collection under load freed
~210,000 objects, ~140,000 of them these (0.5-0.8 s of pause, see ``console.ui.idle_gc``).

:func:`apply` makes those two calls return the strip itself without caching it: the same
result, no cycle. It is applied once, when the console starts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from textual.strip import Strip

_applied = False


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
