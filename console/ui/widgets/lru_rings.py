"""Emptying Textual's LRU caches without leaving their contents to the cycle collector.

Textual's ``LRUCache`` keeps its entries on a ring of ``[prev, next, key, value]`` links, and
its ``clear()`` drops the ring whole: one reference cycle holding every cached render (strips,
each with seven small caches of its own), freed only by a full garbage collection. A table
clears its line cache on every cell update (a running run's duration, each second) and all its
caches on a new row; a live log at its line limit clears its line cache on every write. Under
load most of what a full collection had to free was such rings (the console runs full
collections itself, see ``console.ui.idle_gc``; each one is a pause). :func:`clear_lru`
breaks the ring, so reference counting frees the renders at once.
"""

from __future__ import annotations

from typing import Any

from textual.cache import LRUCache


def clear_lru(cache: LRUCache[Any, Any]) -> None:
    """Empty ``cache`` and unlink its ring, so nothing it held waits for the cycle collector."""
    link: list[Any] = cache._head  # noqa: SLF001 - the ring's entry point; no public handle
    cache.clear()
    while link:  # a cleared link is falsy: the walk ends back at the first one
        following = link[1]
        link.clear()
        link = following
