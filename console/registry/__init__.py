"""The model registry: versions with lineage, aliases with an audit trail, a promotion gate.

    from console.registry import Better, register, load, promote, rollback

Heavy libraries (joblib, sklearn, pandas) are imported only when a model is saved, loaded
or scored.
"""

from console.registry.api import (
    ModelEnvironmentWarning,
    gate,
    history,
    load,
    promote,
    register,
    resolve,
    rollback,
    versions,
)
from console.registry.gate import Better, Contender
from console.registry.records import GateDecision, ModelVersion

__all__ = [
    "Better",
    "Contender",
    "GateDecision",
    "ModelEnvironmentWarning",
    "ModelVersion",
    "gate",
    "history",
    "load",
    "promote",
    "register",
    "resolve",
    "rollback",
    "versions",
]
