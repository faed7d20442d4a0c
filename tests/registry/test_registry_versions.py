"""Versions: numbering per name, lineage (data hash, signature, env), artifacts, bad input."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from console import registry
from console.errors import BadParamError, InvalidNameError, NotFoundError
from console.registry import queries
from console.store.state import Store


def test_versions_are_numbered_per_name(store: Store, good_model: Any, weak_model: Any) -> None:
    a1 = registry.register(store, "iris", good_model)
    a2 = registry.register(store, "iris", weak_model)
    b1 = registry.register(store, "other", good_model)
    assert (a1.version, a2.version, b1.version) == (1, 2, 1)
    assert [v.version for v in registry.versions(store.db, "iris")] == [1, 2]


def test_version_keeps_metrics_params_tags_run_and_lineage(
    store: Store, good_model: Any, iris: tuple[Any, Any]
) -> None:
    X, y = iris
    train = X.assign(target=y)
    lines: list[str] = []
    mv = registry.register(
        store,
        "iris",
        good_model,
        run_id=7,
        task="model",
        pipeline="iris_train",
        log=lines.append,
        metrics={"accuracy": 0.97},
        params={"C": 1.0},
        tags={"team": "ml"},
        data=train,
    )
    got = queries.get_version(store.db, "iris", mv.version)
    assert got.metrics == {"accuracy": 0.97}
    assert got.params == {"C": 1.0}
    assert got.tags == {"team": "ml"}
    assert (got.run_id, got.task) == (7, "model")
    expected = hashlib.sha256(pd.util.hash_pandas_object(train, index=True).to_numpy().tobytes()).hexdigest()
    assert got.data_sha256 == expected
    # the model was fitted on four columns: the target is not part of its signature
    assert [c["name"] for c in got.signature or []] == list(X.columns)
    assert {c["dtype"] for c in got.signature or []} == {"float64"}
    assert {"python", "sklearn", "joblib"} <= set(got.env)
    assert got.env["pipeline"] == "iris_train"
    path = store.artifacts.path(got.sha256)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == got.sha256
    assert path.stat().st_size == got.size
    assert any("model iris v1" in line for line in lines)


def test_data_given_as_a_file_is_hashed(store: Store, good_model: Any, tmp_path: Path) -> None:
    data = tmp_path / "train.csv"
    data.write_text("a,b\n1,2\n")
    mv = registry.register(store, "iris", good_model, data=data)
    assert mv.data_sha256 == hashlib.sha256(data.read_bytes()).hexdigest()
    assert mv.signature is None


def test_registration_emits_an_event(store: Store, good_model: Any) -> None:
    registry.register(store, "iris", good_model, run_id=3, task="t")
    row = store.db.query_one("SELECT * FROM events WHERE kind='model.registered'")
    assert row is not None and (row["run_id"], row["task"]) == (3, "t")
    assert json.loads(row["data"])["version"] == 1


@pytest.mark.parametrize("name", ["../etc", "a/b", "a\\b", "", ".hidden", "x" * 65, "a..b", "na me", None])
def test_bad_names_are_refused(store: Store, good_model: Any, name: Any) -> None:
    with pytest.raises(InvalidNameError) as info:
        registry.register(store, name, good_model)
    assert info.value.exit_code == 2
    assert store.db.query("SELECT * FROM model_versions") == []
    assert store.artifacts.keys() == []


def test_bad_alias_and_version_names_are_refused(store: Store, good_model: Any) -> None:
    registry.register(store, "iris", good_model)
    with pytest.raises(InvalidNameError):
        registry.load(store, "iris", alias="../../x")
    with pytest.raises(InvalidNameError):
        registry.promote(store, "iris", "one")
    with pytest.raises(InvalidNameError):
        registry.promote(store, "iris", 1, alias="prod/../x")


def test_bad_metrics_and_unknown_arguments(store: Store, good_model: Any) -> None:
    with pytest.raises(BadParamError, match="not a number"):
        registry.register(store, "iris", good_model, metrics={"accuracy": "high"})
    with pytest.raises(BadParamError, match="NaN"):
        registry.register(store, "iris", good_model, metrics={"accuracy": float("nan")})
    with pytest.raises(TypeError, match="unexpected keyword argument 'metric'"):
        registry.register(store, "iris", good_model, metric={"accuracy": 1.0})  # type: ignore[call-arg]
    with pytest.raises(BadParamError, match="cannot be hashed"):
        registry.register(store, "iris", good_model, data=object())
    assert store.db.query("SELECT * FROM model_versions") == []


def test_unknown_model_and_version(store: Store, good_model: Any) -> None:
    with pytest.raises(NotFoundError, match="no model named 'nope'"):
        registry.load(store, "nope")
    registry.register(store, "iris", good_model)
    with pytest.raises(NotFoundError, match="no version 5"):
        registry.load(store, "iris", version=5)
    with pytest.raises(NotFoundError, match="no 'production' alias"):
        registry.load(store, "iris")


def test_register_with_an_alias_and_load_it(store: Store, good_model: Any, iris: tuple[Any, Any]) -> None:
    X, _ = iris
    registry.register(store, "iris", good_model, alias="staging")
    model = registry.load(store, "iris", alias="staging")
    assert (model.predict(X) == good_model.predict(X)).all()
    assert queries.aliases_of(store.db, "iris") == {"staging": 1}
