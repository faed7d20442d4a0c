"""Aliases: promote, rollback chains, audit rows, history, events."""

from __future__ import annotations

import getpass
import json
from typing import Any

import pytest

from console import registry
from console.errors import NoPreviousVersionError, NotFoundError, ReadOnlyError
from console.registry import aliases, queries
from console.store.state import Store


def _three_versions(store: Store, model: Any) -> None:
    for _ in range(3):
        mv = registry.register(store, "iris", model)
        registry.promote(store, "iris", mv.version, reason=f"ship v{mv.version}")


def _production(store: Store) -> int | None:
    return queries.aliases_of(store.db, "iris").get("production")


def test_promote_writes_an_audit_row(store: Store, good_model: Any) -> None:
    registry.register(store, "iris", good_model)
    change = registry.promote(store, "iris", 1, reason="first ship", command="opsconsole promote iris 1")
    assert (change.from_version, change.to_version, change.changed) == (None, 1, True)
    rows = store.db.query("SELECT * FROM alias_history")
    assert len(rows) == 1
    row = rows[0]
    assert (row["name"], row["alias"], row["from_version"], row["to_version"]) == (
        "iris",
        "production",
        None,
        1,
    )
    assert row["reason"] == "first ship"
    assert row["user"] == getpass.getuser()
    assert row["command"] == "promote: opsconsole promote iris 1"
    assert row["at"] > 0
    event = store.db.query_one("SELECT * FROM events WHERE kind='alias.changed'")
    assert event is not None and json.loads(event["data"])["to"] == 1


def test_promoting_the_current_holder_changes_nothing(store: Store, good_model: Any) -> None:
    registry.register(store, "iris", good_model)
    registry.promote(store, "iris", 1)
    again = registry.promote(store, "iris", "v1")
    assert not again.changed
    assert len(store.db.query("SELECT * FROM alias_history")) == 1


def test_promote_an_unknown_version(store: Store, good_model: Any) -> None:
    registry.register(store, "iris", good_model)
    with pytest.raises(NotFoundError, match="no version 4"):
        registry.promote(store, "iris", 4)
    with pytest.raises(NotFoundError, match="no model named"):
        registry.promote(store, "nope", 1)
    assert store.db.query("SELECT * FROM alias_history") == []


def test_rollback_twice_walks_back_the_chain(store: Store, good_model: Any) -> None:
    _three_versions(store, good_model)
    assert _production(store) == 3
    assert registry.rollback(store, "iris").to_version == 2
    assert registry.rollback(store, "iris").to_version == 1
    with pytest.raises(NoPreviousVersionError) as info:
        registry.rollback(store, "iris")
    assert info.value.exit_code == 2
    assert "no previous holder" in str(info.value)
    assert _production(store) == 1
    history = queries.history(store.db, "iris")
    assert [(h["from_version"], h["to_version"], h["action"]) for h in history] == [
        (None, 1, "promote"),
        (1, 2, "promote"),
        (2, 3, "promote"),
        (3, 2, "rollback"),
        (2, 1, "rollback"),
    ]
    assert set(history[0]) >= {"at", "user", "alias", "from_version", "to_version", "reason"}


def test_rollback_after_a_manual_promote_undoes_it(store: Store, good_model: Any) -> None:
    _three_versions(store, good_model)
    registry.promote(store, "iris", 1, reason="hotfix")
    assert registry.rollback(store, "iris").to_version == 3
    assert registry.rollback(store, "iris").to_version == 2


def test_rollback_to_a_version(store: Store, good_model: Any) -> None:
    _three_versions(store, good_model)
    change = registry.rollback(store, "iris", to=1, reason="bad release")
    assert (change.from_version, change.to_version) == (3, 1)
    assert store.db.query("SELECT reason FROM alias_history ORDER BY id DESC LIMIT 1")[0][0] == "bad release"
    with pytest.raises(NoPreviousVersionError):
        registry.rollback(store, "iris")


def test_rollback_without_a_previous_holder(store: Store, good_model: Any) -> None:
    registry.register(store, "iris", good_model)
    with pytest.raises(NoPreviousVersionError, match="no 'production' alias"):
        registry.rollback(store, "iris")
    registry.promote(store, "iris", 1)
    with pytest.raises(NoPreviousVersionError, match="no previous holder"):
        registry.rollback(store, "iris")
    with pytest.raises(NotFoundError):
        registry.rollback(store, "nope")


def test_aliases_are_independent(store: Store, good_model: Any) -> None:
    _three_versions(store, good_model)
    registry.promote(store, "iris", 1, alias="staging")
    registry.promote(store, "iris", 2, alias="staging")
    assert registry.rollback(store, "iris", alias="staging").to_version == 1
    assert _production(store) == 3
    assert [h["alias"] for h in queries.history(store.db, "iris", alias="staging")] == ["staging"] * 3


def test_chain_replay() -> None:
    rows = [
        {"command": "promote: x", "to_version": 1},
        {"command": "gate: run 2", "to_version": 2},
        {"command": "promote: x", "to_version": 3},
        {"command": "rollback: x", "to_version": 2},
        {"command": "promote: x", "to_version": 5},
    ]
    assert aliases.chain(rows) == [1, 2, 5]


def test_models_json_shapes(store: Store, good_model: Any) -> None:
    _three_versions(store, good_model)
    one = queries.model_json(store.db, "iris")
    assert one["name"] == "iris"
    assert [v["version"] for v in one["versions"]] == [1, 2, 3]
    assert set(one["versions"][0]) >= {"version", "aliases", "metrics", "sha256", "run_id", "created_at"}
    assert one["versions"][2]["aliases"] == ["production"]
    listing = queries.models_json(store.db)
    assert [(m["name"], m["latest"], m["aliases"]) for m in listing] == [("iris", 3, {"production": 3})]


def test_read_only_store_refuses_changes(store: Store, good_model: Any) -> None:
    registry.register(store, "iris", good_model)
    ro = Store(store.home, readonly=True)
    try:
        with pytest.raises(ReadOnlyError):
            registry.promote(ro, "iris", 1)
        with pytest.raises(ReadOnlyError):
            registry.register(ro, "iris", {"another": "model"})
        assert len(store.artifacts.keys()) == 1
        assert registry.load(ro, "iris", version=1) is not None
    finally:
        ro.close()
