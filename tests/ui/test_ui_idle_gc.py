"""Full collections wait for a quiet moment, and never longer than max_wait_s."""

from __future__ import annotations

import gc
from typing import Any

import pytest

from console.ui.idle_gc import NEVER, IdleCollector


def test_collects_only_when_quiet_or_overdue(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr("console.ui.idle_gc.time.monotonic", lambda: now[0])
    before = gc.get_threshold()
    collector = IdleCollector(quiet_s=1.5, every_s=20.0, max_wait_s=120.0)
    collector.start()
    try:
        assert gc.get_threshold()[2] == NEVER and gc.get_threshold()[:2] == before[:2]
        now[0] += 10
        assert not collector.tick()  # too soon since the last full collection
        now[0] += 15
        collector.poke()
        assert not collector.tick()  # due, but a key was just pressed
        now[0] += 2
        assert collector.tick() and collector.collections == 1  # due and quiet
        for _ in range(12):  # a user pressing keys without pause for two minutes
            now[0] += 10
            collector.poke()
            collector.tick()
        assert collector.collections == 2  # overdue: collected anyway
    finally:
        collector.stop()
    assert gc.get_threshold() == before


def test_each_full_collection_freezes_its_survivors(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr("console.ui.idle_gc.time.monotonic", lambda: now[0])
    collector = IdleCollector(quiet_s=1.5, every_s=5.0, max_wait_s=15.0)
    collector.start()
    try:
        after_start = gc.get_freeze_count()
        survivors = [[i] for i in range(5000)]  # made after start: tracked, not yet frozen
        now[0] += 10
        assert collector.tick()
        assert gc.get_freeze_count() >= after_start + len(survivors)  # the next scan skips them
    finally:
        collector.stop()
    assert gc.get_freeze_count() == 0


def test_every_few_collections_the_whole_heap_is_scanned_again(monkeypatch: pytest.MonkeyPatch) -> None:
    import weakref

    now = [1000.0]
    monkeypatch.setattr("console.ui.idle_gc.time.monotonic", lambda: now[0])
    collector = IdleCollector(quiet_s=1.5, every_s=5.0, max_wait_s=15.0, thaw_every=3)
    collector.start()

    class Node:
        other: Any = None

    try:
        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle
        alive = weakref.ref(a)
        now[0] += 10
        collector.tick()  # 1: the cycle survives (still referenced) and is frozen
        del a, b  # now garbage, but frozen
        now[0] += 10
        collector.tick()  # 2: frozen: not scanned
        assert alive() is not None
        now[0] += 10
        collector.tick()  # 3: thawed, scanned, freed
        assert alive() is None
    finally:
        collector.stop()
