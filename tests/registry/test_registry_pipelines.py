"""Registering from a pipeline: lineage to the run, the gate in the task log, process executors."""

from __future__ import annotations

from typing import Any

import pytest

from console.registry import queries

SOURCE = """
from console import Pipeline
from console.registry import Better

p = Pipeline("toy", params={"good": 1}, promote_if=Better("accuracy"), executor=EXECUTOR)

@p.task
def data():
    from sklearn.datasets import load_iris
    X, y = load_iris(return_X_y=True, as_frame=True)
    return X, y

@p.task
def fit(data, good, ctx):
    from sklearn.dummy import DummyClassifier
    from sklearn.linear_model import LogisticRegression
    X, y = data
    model = LogisticRegression(max_iter=500) if good else DummyClassifier(strategy="most_frequent")
    model.fit(X, y)
    version = ctx.register_model("toy", model, metrics={"accuracy": float(model.score(X, y))},
                                 params={"good": good}, data=X, holdout=(X, y))
    return None if version is None else version.version

@p.task
def use(fit, ctx):
    model = ctx.load_model("toy")
    return type(model).__name__
"""


@pytest.mark.parametrize("executor", ["thread", "process"])
def test_pipeline_registers_and_gates(project: Any, make_engine: Any, executor: str) -> None:
    project.write("toy.py", SOURCE.replace("EXECUTOR", repr(executor)))
    engine = make_engine()
    heard: list[dict[str, Any]] = []
    engine.subscribe(lambda ev: heard.append(ev) if ev["kind"] == "gate.decided" else None)
    first = engine.run("toy")
    assert first.final_status == "succeeded"
    worse = engine.run("toy", {"good": 0})
    assert worse.final_status == "succeeded"  # the run succeeds; the gate kept the champion
    store = engine.store
    versions = queries.versions(store.db, "toy")
    assert [(v.version, v.run_id, v.task) for v in versions] == [
        (1, first.run_id, "fit"),
        (2, worse.run_id, "fit"),
    ]
    assert versions[1].params == {"good": 0}
    assert versions[0].signature is not None and len(versions[0].signature) == 4
    assert queries.aliases_of(store.db, "toy") == {"production": 1}
    refused = queries.gate_refusals(store.db, worse.run_id)
    assert len(refused) == 1 and refused[0].champion == 1 and refused[0].challenger == 2
    assert queries.gate_refusals(store.db, first.run_id) == []
    log = store.log_path(worse.run_id, "fit").read_text()
    assert "gate toy v2 vs champion v1: refused" in log
    used = store.db.query_one("SELECT status FROM tasks WHERE run_id=? AND name='use'", (worse.run_id,))
    assert used is not None and used["status"] == "succeeded"
    kinds = {r["kind"] for r in store.db.query("SELECT kind FROM events WHERE run_id=?", (worse.run_id,))}
    assert {"model.registered", "gate.decided"} <= kinds
    # live listeners (the console, `run` output) hear each verdict as it is made
    assert [(ev["run_id"], ev["data"]["promoted"]) for ev in heard] == [
        (first.run_id, True),
        (worse.run_id, False),
    ]
    assert "refused" in heard[1]["data"]["summary"]
