"""The fraud demo end to end: train, score landed batches, drift, alert, retrain, gate."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
FILES = ("_fraud_data.py", "fraud_detection.py", "fraud_scoring.py", "fraud_monitor.py")


def _copy_demo(project: Any) -> Any:
    for name in FILES:
        shutil.copy(ROOT / "pipelines" / name, project.root / "pipelines" / name)
    spec = importlib.util.spec_from_file_location(
        "fraud_monitor_script", project.root / "pipelines" / "fraud_monitor.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(project.root / "pipelines"))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(project.root / "pipelines"))
    return module


def _status(engine: Any, run_id: int) -> str:
    return str(engine.store.db.query_one("SELECT status FROM runs WHERE id=?", (run_id,))["status"])


def test_drift_alert_retrain_gate(project: Any, make_engine: Any) -> None:
    script = _copy_demo(project)
    engine = make_engine()
    engine.catalog.load_all()
    monitor = next(m for m in engine.catalog.monitors if m.name == "fraud")
    assert _status(engine, engine.run("fraud_detection").run_id) == "succeeded"

    for _ in range(3):
        script.land_batch(project.root, rows=1500)
        assert _status(engine, engine.run("fraud_scoring").run_id) == "succeeded"
    quiet = monitor.evaluate(engine)
    assert quiet.status == "ok" and quiet.metrics["psi"] < 0.1 and quiet.metrics["auc"] > 0.8

    drifted = script.land_batch(project.root, rows=1500)
    scored = engine.run("fraud_scoring", {"path": str(drifted)})
    assert _status(engine, scored.run_id) == "succeeded"
    points = engine.store.db.query(
        "SELECT name, model, version FROM metrics WHERE run_id=? AND name='mean_fraud_probability'",
        (scored.run_id,),
    )
    assert [(p["model"], p["version"]) for p in points] == [("fraud", 1)]
    artifact = engine.store.runs_dir / str(scored.run_id) / "scored_batch_0004.csv"
    assert {"fraud_probability", "flagged"} <= set(pd.read_csv(artifact).columns)

    ev = monitor.evaluate(engine)
    assert ev.fired and [a["rule"] for a in ev.alerts] == ["psi > 0.2"]
    evidence = json.loads(engine.store.db.query_one("SELECT evidence FROM alerts")["evidence"])
    columns = evidence["drift"]["columns"]
    assert (
        columns["merchant_category"]["verdict"] == "alert"
        and "unseen" in columns["merchant_category"]["message"]
    )
    assert columns["amount"]["psi"] > columns["hour"]["psi"]
    (runner,) = ev.runners
    from console.monitor.actions import wait_for_runs

    wait_for_runs(engine, ev.runners, timeout=120)
    run = engine.store.db.query_one("SELECT pipeline, trigger, status FROM runs WHERE id=?", (runner.run_id,))
    assert dict(run) == {"pipeline": "fraud_detection", "trigger": "alert", "status": "succeeded"}
    gate = engine.store.db.query_one(
        "SELECT name, challenger, champion FROM gate_decisions WHERE run_id=?", (runner.run_id,)
    )
    assert dict(gate) == {"name": "fraud", "challenger": 2, "champion": 1}

    again = monitor.evaluate(engine)  # within the 30 min cool-down: held back, no second retrain
    assert again.alerts == [] and again.runners == [] and "cool-down" in again.suppressed[0]["reason"]


def test_scoring_refuses_a_batch_that_does_not_match_the_signature(project: Any, make_engine: Any) -> None:
    _copy_demo(project)
    engine = make_engine()
    engine.run("fraud_detection")
    bad = project.root / "bad.csv"
    rng = np.random.default_rng(0)
    pd.DataFrame({"amount": ["a lot"] * 5, "hour": rng.integers(0, 24, 5)}).to_csv(bad, index=False)
    runner = engine.run("fraud_scoring", {"path": str(bad)})
    error = engine.store.db.query_one(
        "SELECT error FROM tasks WHERE run_id=? AND name='score'", (runner.run_id,)
    )
    assert runner.final_status == "failed"
    assert "does not match the signature of model 'fraud' v1" in error["error"]
    assert "merchant_category" in error["error"] and "amount (expected float64" in error["error"]


def test_traffic_script_lands_whole_batches_that_drift_after_n(project: Any, capsys: Any) -> None:
    script = _copy_demo(project)
    assert (
        script.main(["--batches", "2", "--rows", "400", "--drift-after", "1", "--project", str(project.root)])
        == 0
    )
    folder = project.root / "assets" / "incoming" / "fraud"
    assert sorted(p.name for p in folder.iterdir()) == ["batch_0001.csv", "batch_0002.csv"]
    first, second = (pd.read_csv(folder / f"batch_000{i}.csv") for i in (1, 2))
    assert "crypto_exchange" not in set(first["merchant_category"])
    assert "crypto_exchange" in set(second["merchant_category"])
    assert second["amount"].median() > 2 * first["amount"].median()
    assert "landed assets/incoming/fraud/batch_0002.csv: 400 transactions, drift 1" in capsys.readouterr().out
