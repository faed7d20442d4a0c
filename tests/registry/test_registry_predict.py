"""Predict: the signature check names missing and mistyped columns; predictions come out."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from console import registry
from console.errors import DataError, SignatureError, UsageError
from console.registry import predict, queries
from console.store.state import Store


@pytest.fixture
def version(store: Store, good_model: Any, iris: Any) -> Any:
    X, y = iris
    registry.register(store, "iris", good_model, data=X.assign(target=y))
    return queries.get_version(store.db, "iris", 1)


def test_missing_and_mistyped_columns_in_one_line(version: Any, iris: Any) -> None:
    X, _ = iris
    bad = X.drop(columns=["petal_width"]).assign(sepal_length=["x"] * len(X))
    with pytest.raises(SignatureError) as info:
        predict.conform(bad, version, where="batch.csv")
    text = str(info.value)
    assert "\n" not in text and info.value.exit_code == 2
    assert "batch.csv" in text and "'iris' v1" in text
    assert "missing column(s) petal_width" in text
    assert "sepal_length (expected float64, got str" in text


def test_columns_are_reordered_and_extras_dropped(version: Any, iris: Any) -> None:
    X, _ = iris
    shuffled = X[list(reversed(X.columns))].assign(extra=1)
    conformed = predict.conform(shuffled, version)
    assert list(conformed.columns) == list(X.columns)


def test_integers_where_floats_were_trained_are_fine(version: Any, iris: Any) -> None:
    X, _ = iris
    ints = X.round().astype("int64")
    assert predict.conform(ints, version).shape == X.shape


def test_numbers_as_text_are_converted(version: Any, iris: Any) -> None:
    X, _ = iris
    text = X.astype("str")
    out = predict.conform(text, version)
    assert out["sepal_length"].dtype.kind == "f"


def test_predictions_with_probability(store: Store, version: Any, iris: Any) -> None:
    X, _ = iris
    model = registry.load(store, "iris", version=1)
    preds = predict.predict_frame(model, predict.conform(X, version))
    assert list(preds.columns) == ["prediction", "probability"]
    summary = predict.summary(preds)
    assert summary["rows"] == len(X)
    assert sum(summary["predictions"].values()) == len(X)
    assert 0 < summary["mean_probability"] <= 1


def test_no_signature_passes_the_frame_through(store: Store, good_model: Any) -> None:
    registry.register(store, "nosig", good_model)
    mv = queries.get_version(store.db, "nosig", 1)
    frame = pd.DataFrame({"a": [1]})
    assert predict.conform(frame, mv) is frame


def test_rows_the_model_cannot_score_are_a_data_error(store: Store, version: Any, iris: Any) -> None:
    X, _ = iris
    holes = X.head(3).copy()
    holes.loc[holes.index[0], "sepal_length"] = float("nan")
    model = registry.load(store, "iris", version=1)
    with pytest.raises(DataError, match=r"batch.csv: model 'iris' v1 cannot score it: .*NaN") as info:
        predict.predict_frame(
            model, predict.conform(holes, version), what="model 'iris' v1", where="batch.csv"
        )
    assert "\n" not in str(info.value) and info.value.exit_code == 2


def test_an_object_without_predict_is_a_usage_error(iris: Any) -> None:
    X, _ = iris
    with pytest.raises(UsageError, match="has no predict"):
        predict.predict_frame({"not": "a model"}, X)
