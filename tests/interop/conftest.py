"""Interop fixtures: a project whose pipeline registers an iris model, and its iris frame."""

from __future__ import annotations

from typing import Any

import pytest
from interop_project import TRAIN


@pytest.fixture
def trained(project: Any) -> Any:
    """A project with one registered version of ``iris`` (v1, production)."""
    project.write("train.py", TRAIN)
    project.cli("run", "train", check=0)
    return project


@pytest.fixture(scope="session")
def iris_frame() -> Any:
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True, as_frame=True)
    X.columns = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    return X, y
