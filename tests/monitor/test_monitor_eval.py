"""Monitor.evaluate: evidence stored, metric points per version, alerts, retrain through the gate."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from monitor_project import batch, write_project

from console.errors import BadParamError, ReadOnlyError, UsageError
from console.monitor import Monitor, Rule, retrain
from console.monitor.actions import wait_for_runs


def _monitor(engine: Any) -> Any:
    engine.catalog.load_all()
    (monitor,) = engine.catalog.monitors
    return monitor


def test_no_model_or_no_data_is_a_stored_skip(project: Any, make_engine: Any) -> None:
    write_project(project.root)
    engine = make_engine()
    monitor = _monitor(engine)
    ev = monitor.evaluate(engine)
    assert ev.status == "skipped" and "no registered version" in (ev.reason or "")
    engine.run("train")
    ev = monitor.evaluate(engine)
    assert ev.status == "skipped" and "no file matches incoming/*.csv" in (ev.reason or "")
    rows = engine.store.db.query("SELECT evidence FROM monitor_evals WHERE monitor='m' ORDER BY id")
    assert [json.loads(r["evidence"])["status"] for r in rows] == ["skipped", "skipped"]
    assert engine.store.db.query("SELECT count(*) AS n FROM alerts")[0]["n"] == 0


def test_quiet_evaluation_stores_evidence_and_metric_points(project: Any, make_engine: Any) -> None:
    write_project(project.root)
    engine = make_engine()
    engine.run("train")
    batch(project.root, "b1.csv")
    ev = _monitor(engine).evaluate(engine)
    assert ev.status == "ok" and not ev.fired and ev.alerts == []
    assert ev.version == 1 and ev.metrics["accuracy"] > 0.9 and ev.metrics["psi"] < 0.2
    assert {"auc", "precision", "recall", "share_drifted", "psi.a", "ks_pvalue.b"} <= set(ev.metrics)
    row = engine.store.db.query_one("SELECT * FROM monitor_evals WHERE id=?", (ev.eval_id,))
    evidence = json.loads(row["evidence"])
    assert evidence["columns"] == ["a", "b"]  # the model's signature, not kind or the label
    assert set(evidence["drift"]["columns"]) == {"a", "b"}
    assert evidence["scores"]["accuracy"] == ev.metrics["accuracy"]
    assert [r["fired"] for r in evidence["rules"]] == [False, False]
    points = engine.store.db.query(
        "SELECT name, value, model, version, step FROM metrics WHERE source='monitor' AND name='accuracy'"
    )
    assert [(p["model"], p["version"], p["step"]) for p in points] == [("m", 1, ev.eval_id)]


def test_drift_fires_alert_and_retrains_through_the_gate(project: Any, make_engine: Any) -> None:
    write_project(project.root)
    engine = make_engine()
    engine.run("train")
    batch(project.root, "b1.csv", shift=2.0, flip=True)
    ev = _monitor(engine).evaluate(engine)
    assert ev.status == "alert" and ev.fired
    fired = {a["rule"]: a for a in ev.alerts}
    assert set(fired) == {"psi > 0.2", "accuracy < 0.8"}
    assert fired["psi > 0.2"]["value"] > 0.2 and fired["psi > 0.2"]["threshold"] == 0.2
    (runner,) = ev.runners  # one retrain for both rules
    assert {a["action_run_id"] for a in ev.alerts} == {runner.run_id}
    wait_for_runs(engine, ev.runners, timeout=60)
    run = engine.store.db.query_one("SELECT status, trigger FROM runs WHERE id=?", (runner.run_id,))
    assert (run["status"], run["trigger"]) == ("succeeded", "alert")
    gate = engine.store.db.query_one(
        "SELECT challenger, champion FROM gate_decisions WHERE run_id=?", (runner.run_id,)
    )
    assert (gate["challenger"], gate["champion"]) == (2, 1)
    stored = engine.store.db.query("SELECT * FROM alerts ORDER BY id")
    assert len(stored) == 2 and all(r["action"] == "retrain:train" for r in stored)
    evidence = json.loads(stored[0]["evidence"])
    assert evidence["eval_id"] == ev.eval_id and evidence["drift"]["columns"]["a"]["verdict"] == "alert"
    events = engine.store.db.query(
        "SELECT kind, status FROM events WHERE kind IN ('alert.fired', 'monitor.evaluated')"
    )
    assert sorted(e["kind"] for e in events) == ["alert.fired", "alert.fired", "monitor.evaluated"]


def test_cooldown_holds_back_a_second_firing(project: Any, make_engine: Any) -> None:
    write_project(project.root, cooldown="1h")
    engine = make_engine()
    engine.run("train")
    batch(project.root, "b1.csv", shift=2.0)
    monitor = _monitor(engine)
    seen: list[dict[str, Any]] = []
    engine.subscribe(seen.append)
    first = monitor.evaluate(engine, actions=False)
    assert [a["rule"] for a in first.alerts] == ["psi > 0.2"] and first.runners == []
    assert [(e["kind"], e["status"]) for e in seen] == [
        ("alert.fired", "alert"),
        ("monitor.evaluated", "alert"),
    ]
    assert seen[0]["data"]["summary"].startswith("m: psi > 0.2 (psi=")
    second = monitor.evaluate(engine, actions=False)
    assert second.alerts == [] and second.fired and second.status == "alert"  # still in alert, not re-stored
    assert second.summary.endswith("psi > 0.2 (psi=" + f"{second.metrics['psi']:.4g}, held back)")
    assert "cool-down" in second.suppressed[0]["reason"]
    assert engine.store.db.query_one("SELECT count(*) AS n FROM alerts")["n"] == 1


def test_active_retrain_run_holds_back_the_rule(project: Any, make_engine: Any) -> None:
    write_project(project.root)
    engine = make_engine()
    engine.run("train")
    batch(project.root, "b1.csv", shift=2.0)
    monitor = _monitor(engine)
    # the retrain "starts" but stays queued: a stand-in action returning a queued run's id
    from console.store.runs import create_run

    queued = create_run(engine.store.db, "train", trigger="alert", params={}, tasks=[("data", [])])
    monitor.on_alert = lambda engine, alert: queued
    first = monitor.evaluate(engine)
    assert first.alerts[0]["action_run_id"] == queued
    second = monitor.evaluate(engine)
    assert second.alerts == [] and f"run {queued}" in second.suppressed[0]["reason"]


def test_failing_action_is_kept_as_evidence(project: Any, make_engine: Any) -> None:
    write_project(project.root)
    engine = make_engine()
    engine.run("train")
    batch(project.root, "b1.csv", shift=2.0)
    monitor = _monitor(engine)
    monitor.on_alert = retrain("no_such_pipeline")
    ev = monitor.evaluate(engine)
    assert ev.fired and ev.runners == []
    row = engine.store.db.query_one("SELECT action, evidence FROM alerts")
    assert row["action"] is None
    assert "unknown pipeline: 'no_such_pipeline'" in json.loads(row["evidence"])["action_error"]


def test_read_only_engine_refuses(project: Any, make_engine: Any) -> None:
    write_project(project.root)
    engine = make_engine()
    engine.read_only = True
    with pytest.raises(ReadOnlyError):
        _monitor(engine).evaluate(engine)


def test_monitor_arguments_are_checked() -> None:
    with pytest.raises(BadParamError, match="every"):
        Monitor("x", model="m", reference="a.csv", current="b.csv", every="soon")
    with pytest.raises(BadParamError, match="every"):
        Monitor("x", model="m", reference="a.csv", current="b.csv", every=0)
    with pytest.raises(UsageError, match="cannot parse rule"):
        Monitor("x", model="m", reference="a.csv", current="b.csv", rules=["psi is big"])
    with pytest.raises(UsageError, match="unknown drift threshold"):
        Monitor("x", model="m", reference="a.csv", current="b.csv", thresholds={"psi_big": 1})
    with pytest.raises(BadParamError, match="on_alert"):
        Monitor("x", model="m", reference="a.csv", current="b.csv", on_alert="retrain")
    mon = Monitor(
        "x", model="m", reference="a.csv", current="b.csv", every="1h30m", rules=[Rule("auc", "<", 0.8)]
    )
    assert mon.every_s == 5400 and mon.describe()["rules"] == ["auc < 0.8"]


def test_the_service_runs_due_monitors(project: Any, make_engine: Any) -> None:
    from console.triggers.monitors import MonitorRunner
    from console.triggers.state import TriggerState

    write_project(project.root)
    engine = make_engine()
    engine.run("train")
    batch(project.root, "b1.csv")
    decisions: list[str] = []
    runner = MonitorRunner(TriggerState(engine.store.db), lambda kind, text, name: decisions.append(text))
    runner.step(engine.catalog.load_all().monitors, engine, time.time())
    runner.join(30)
    assert decisions and "m evaluated" in decisions[0]
    assert engine.store.db.query_one("SELECT count(*) AS n FROM monitor_evals")["n"] == 1


def test_a_model_input_missing_from_the_batch_is_reported_not_hidden(project: Any, make_engine: Any) -> None:
    write_project(project.root)
    engine = make_engine()
    engine.run("train")
    path = batch(project.root, "b1.csv")
    import pandas as pd

    pd.read_csv(path).drop(columns=["b"]).to_csv(path, index=False)
    ev = _monitor(engine).evaluate(engine)
    evidence = json.loads(engine.store.db.query_one("SELECT evidence FROM monitor_evals")["evidence"])
    assert evidence["columns"] == ["a", "b"]
    assert evidence["drift"]["columns"]["b"]["message"] == "column missing from current data"
    assert "lacks the model's input column(s) b" in evidence["scoring"]["error"]
    assert "accuracy" not in ev.metrics and ev.status == "ok"
    assert "accuracy < 0.8: not evaluated, no metric 'accuracy'" in evidence["rules"][1]["message"]
    assert [r["value"] for r in evidence["rules"]] == [ev.metrics["psi"], None]
