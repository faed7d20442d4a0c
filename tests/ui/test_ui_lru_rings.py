"""Emptied render caches free what they held at once, not at the next full garbage collection."""

from __future__ import annotations

import gc
import weakref
from typing import Any

from textual.cache import LRUCache

from console.ui.widgets.lru_rings import clear_lru


class Render:
    """Stands for a cached strip (weak-referenceable)."""


def filled(n: int) -> tuple[LRUCache[int, Any], list[weakref.ref[Render]]]:
    cache: LRUCache[int, Any] = LRUCache(64)
    refs = []
    for i in range(n):
        value = Render()
        refs.append(weakref.ref(value))
        cache.set(i, value)
    return cache, refs


def test_clear_lru_frees_every_entry_without_the_cycle_collector() -> None:
    gc.disable()
    try:
        cache, refs = filled(100)  # more than it holds: evictions too
        textual_cache, textual_refs = filled(100)
        textual_cache.clear()
        assert any(r() is not None for r in textual_refs[-64:])  # Textual's clear: left to gc
        clear_lru(cache)
        assert all(r() is None for r in refs)
        assert len(cache) == 0
        cache.set(1, "again")  # still a working cache
        assert cache.get(1) == "again"
        for n in (0, 1, 2):
            small, small_refs = filled(n)
            clear_lru(small)
            assert all(r() is None for r in small_refs)
    finally:
        gc.enable()
        gc.collect()


def test_patched_strips_divide_and_crop_extend_as_before_without_a_cycle() -> None:
    from rich.segment import Segment
    from rich.style import Style
    from textual.strip import Strip

    from console.ui import textual_patches

    textual_patches.apply()
    textual_patches.apply()  # once is enough; twice changes nothing
    bold = Style(bold=True)
    gc.collect()
    gc.disable()
    try:
        strip = Strip([Segment("hello", bold), Segment(" world")], 11)
        assert strip.divide([11]) == [strip] and strip.divide([11])[0] is strip
        assert strip.divide([11, 20]) == [strip]  # cuts past the end are ignored, as in Textual
        assert [s.text for s in strip.divide([5, 11])] == ["hello", " world"]
        assert strip.crop_extend(0, 11, None) is strip
        assert strip.crop_extend(0, 13, None).text == "hello world  "
        assert strip.crop_extend(6, 11, None).text == "world"
        del strip
        assert gc.collect() == 0  # no self-referencing cache entries left behind
    finally:
        gc.enable()


def test_patched_strips_make_their_caches_on_first_use_with_textuals_sizes() -> None:
    from rich.segment import Segment
    from rich.style import Style
    from textual.strip import Strip

    from console.ui import textual_patches

    textual_patches.apply()
    # the patch is on for this Textual: its slots are the ones it was written for
    assert set(Strip.__slots__) == {*textual_patches.CACHES, *textual_patches.PLAIN}
    strip = Strip([Segment("hello", Style(bold=True)), Segment(" world")])
    unset = [name for name in textual_patches.CACHES if name not in _set_slots(strip)]
    assert unset == list(textual_patches.CACHES)  # none made by __init__
    assert strip.cell_length == 11 and strip.text == "hello world"
    assert strip.crop(0, 5).text == "hello" and strip.crop(0, 5) is strip.crop(0, 5)  # cached
    assert strip._crop_cache._maxsize == 16 and strip._divide_cache._maxsize == 4
    assert strip.apply_style(Style(italic=True)).text == "hello world"
    assert [s.text for s in strip.divide([5, 11])] == ["hello", " world"]
    assert strip.simplify().text == "hello world" and strip.extend_cell_length(13).text == "hello world  "
    try:
        strip.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("an unknown attribute must still raise AttributeError")


def _set_slots(obj: object) -> set[str]:
    """The slots of ``obj`` that hold a value (read through the class's descriptors)."""
    found = set()
    for name in type(obj).__slots__:  # type: ignore[attr-defined]
        try:
            type(obj).__dict__[name].__get__(obj)
        except AttributeError:
            continue
        found.add(name)
    return found


def test_the_containers_do_not_repaint_for_reactives_they_do_not_draw() -> None:
    from console.ui import textual_patches

    textual_patches.apply()
    for owner, name in textual_patches.NO_REPAINT:
        descriptor = owner.__dict__[name]  # still where the patch expects it in this Textual
        assert descriptor._repaint is False, (owner.__name__, name)
        assert not descriptor._layout and not descriptor._recompose  # so no refresh() at all
