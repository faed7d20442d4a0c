"""The champion/challenger gate: both ways, on a holdout and on recorded metrics, recorded."""

from __future__ import annotations

from typing import Any

import pytest

from console import registry
from console.errors import BadParamError
from console.registry import Better, queries
from console.store.state import Store


def _production(store: Store) -> int | None:
    return queries.aliases_of(store.db, "iris").get("production")


def test_first_version_is_promoted(store: Store, good_model: Any, iris: Any) -> None:
    lines: list[str] = []
    mv = registry.register(
        store, "iris", good_model, promote_if=Better("accuracy"), holdout=iris, log=lines.append
    )
    assert mv.promoted is True and mv.gate is not None
    assert mv.gate.champion is None and mv.gate.reason == "no champion yet"
    assert mv.aliases == ["production"]
    assert any("gate iris v1: promoted" in line for line in lines)


def test_a_worse_challenger_is_refused_on_the_same_holdout(
    store: Store, good_model: Any, weak_model: Any, iris: Any
) -> None:
    registry.register(store, "iris", good_model, promote_if=Better("accuracy"), holdout=iris)
    lines: list[str] = []
    mv = registry.register(
        store, "iris", weak_model, promote_if=Better("accuracy"), holdout=iris, log=lines.append
    )
    assert mv.promoted is False
    assert _production(store) == 1
    gate = mv.gate
    assert gate is not None and gate.champion == 1 and gate.metric == "accuracy"
    assert gate.challenger_score == pytest.approx(1 / 3)
    assert gate.champion_score is not None and gate.champion_score > 0.9
    assert any("refused" in line and "0.3333" in line for line in lines)
    row = store.db.query_one("SELECT * FROM gate_decisions WHERE challenger=2")
    assert row is not None and row["promoted"] == 0
    assert row["champion_score"] == pytest.approx(gate.champion_score)
    assert row["challenger_score"] == pytest.approx(gate.challenger_score)
    # shown with the version and in the history
    assert queries.model_json(store.db, "iris")["versions"][1]["gate"]["promoted"] is False
    refused = [h for h in queries.history(store.db, "iris") if h["action"] == "gate-refused"]
    assert len(refused) == 1 and refused[0]["gate"]["challenger"] == 2


def test_a_better_challenger_is_promoted(store: Store, good_model: Any, weak_model: Any, iris: Any) -> None:
    registry.register(store, "iris", weak_model, promote_if=Better("accuracy"), holdout=iris)
    mv = registry.register(store, "iris", good_model, promote_if=Better("accuracy"), holdout=iris)
    assert mv.promoted is True
    assert _production(store) == 2
    last = queries.history(store.db, "iris")[-1]
    assert (last["from_version"], last["to_version"], last["action"]) == (1, 2, "gate")
    assert last["gate"]["challenger_score"] > last["gate"]["champion_score"]


def test_min_delta_needs_a_real_improvement(store: Store, good_model: Any, iris: Any) -> None:
    registry.register(store, "iris", good_model, promote_if=Better("accuracy"), holdout=iris)
    tie = registry.register(store, "iris", good_model, promote_if=Better("accuracy"), holdout=iris)
    assert tie.promoted is True  # min_delta=0: as good as production refreshes it
    strict = registry.register(
        store, "iris", good_model, promote_if=Better("accuracy", min_delta=0.01), holdout=iris
    )
    assert strict.promoted is False
    assert _production(store) == 2


def test_recorded_metrics_without_a_holdout(store: Store, good_model: Any) -> None:
    registry.register(store, "m", good_model, metrics={"rmse": 2.0}, promote_if=Better("rmse"))
    worse = registry.register(store, "m", good_model, metrics={"rmse": 3.0}, promote_if=Better("rmse"))
    better = registry.register(store, "m", good_model, metrics={"rmse": 1.5}, promote_if=Better("rmse"))
    assert (worse.promoted, better.promoted) == (False, True)
    missing = registry.register(store, "m", good_model, promote_if=Better("rmse"))
    assert missing.promoted is False and "no rmse" in (missing.gate.reason if missing.gate else "")
    explicit = registry.register(
        store, "m", good_model, metrics={"rmse": 9.0}, promote_if=Better("rmse", higher_is_better=True)
    )
    assert explicit.promoted is True


def test_a_callable_gate(store: Store, good_model: Any) -> None:
    def newer_wins(challenger: Any, champion: Any) -> tuple[bool, str]:
        return challenger.metrics["f1"] > champion.metrics["f1"], "f1 compared"

    registry.register(store, "m", good_model, metrics={"f1": 0.5}, promote_if=newer_wins)
    lost = registry.register(store, "m", good_model, metrics={"f1": 0.4}, promote_if=newer_wins)
    won = registry.register(
        store, "m", good_model, metrics={"f1": 0.6}, promote_if=lambda a, b: a.model is not None
    )
    assert (lost.promoted, won.promoted) == (False, True)
    assert lost.gate is not None and "newer_wins: f1 compared" in lost.gate.reason


def test_a_gate_that_cannot_score_keeps_the_champion(store: Store, good_model: Any, iris: Any) -> None:
    X, y = iris
    registry.register(store, "iris", good_model, promote_if=Better("accuracy"), holdout=iris)
    narrow = X[["sepal_length"]]
    mv = registry.register(store, "iris", good_model, promote_if=Better("accuracy"), holdout=(narrow, y))
    assert mv.promoted is False
    assert mv.gate is not None and mv.gate.reason.startswith("gate could not decide")
    assert _production(store) == 1


def test_bad_gates_are_refused_before_registering(store: Store, good_model: Any, iris: Any) -> None:
    with pytest.raises(BadParamError, match="min_delta"):
        Better("accuracy", min_delta=-1)
    with pytest.raises(BadParamError, match="cannot score a holdout"):
        registry.register(store, "iris", good_model, promote_if=Better("my_metric"), holdout=iris)
    with pytest.raises(BadParamError, match="promote_if"):
        registry.register(store, "iris", good_model, promote_if="accuracy")
    assert store.db.query("SELECT * FROM model_versions") == []


def test_binary_metrics_on_a_holdout(store: Store) -> None:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 3))
    y = (X[:, 0] + 0.3 * rng.normal(size=400) > 0).astype(int)
    good = LogisticRegression().fit(X, y)
    shuffled = LogisticRegression().fit(X, rng.permutation(y))
    holdout = (X[300:], y[300:])
    for metric in ("auc", "f1", "recall", "balanced_accuracy"):
        first = registry.register(store, metric, good, promote_if=Better(metric), holdout=holdout)
        worse = registry.register(store, metric, shuffled, promote_if=Better(metric), holdout=holdout)
        assert first.promoted is True
        assert worse.promoted is False, (metric, worse.gate)
        assert worse.gate is not None and worse.gate.champion_score is not None
        assert worse.gate.champion_score > 0.8


def test_a_verdict_goes_stale_when_production_moves_meanwhile(
    store: Store, good_model: Any, iris: Any
) -> None:
    registry.register(store, "iris", good_model, promote_if=Better("accuracy"), holdout=iris)
    registry.register(store, "iris", good_model)  # v2, no gate

    def slow_gate(challenger: Any, champion: Any) -> bool:
        registry.promote(store, "iris", 2, reason="someone else, meanwhile")
        return True

    mv = registry.register(store, "iris", good_model, promote_if=slow_gate)
    assert mv.promoted is False
    assert mv.gate is not None and mv.gate.reason.startswith("production moved to v2 while the gate ran")
    assert _production(store) == 2
