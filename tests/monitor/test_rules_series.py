"""Rules, durations, trends, sources and the alert store, each on its own."""

from __future__ import annotations

import math
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from console.errors import BadParamError, DataError, NotFoundError, UsageError
from console.monitor import Rule, drift, drift_metrics, evaluate_rules, recent, recent_results
from console.monitor import alerts as alert_store
from console.monitor.monitors import parse_duration
from console.monitor.series import trend
from console.monitor.sources import MonitorContext, is_task_ref, load_source
from console.store.state import Store


@pytest.mark.parametrize(
    ("text", "value", "fired"),
    [
        ("psi > 0.2", 0.21, True),
        ("psi > 0.2", 0.2, False),
        ("psi >= 0.2", 0.2, True),
        ("auc < 0.8", 0.79, True),
        ("auc <= 0.8", 0.81, False),
        ("drifted_columns == 0", 0.0, True),
        ("drifted_columns != 0", 0.0, False),
        ("psi.merchant category > 1e-3", 0.01, True),
    ],
)
def test_rules_parse_and_compare(text: str, value: float, fired: bool) -> None:
    rule = Rule.parse(text)
    assert rule.evaluate(value) is fired
    assert rule.check(value).value == value


def test_missing_or_nan_values_never_fire_and_say_why() -> None:
    rules = [Rule("psi", ">", 0.2), Rule("auc", "<", 0.8), "recall < 0.5"]
    results = evaluate_rules(rules, {"psi": math.nan, "recall": 0.4})
    assert [r.fired for r in results] == [False, False, True]
    assert "has no value" in results[0].message
    assert "no metric 'auc'" in results[1].message and "known: psi, recall" in results[1].message
    assert results[2].to_dict()["rule"] == "recall < 0.5"


@pytest.mark.parametrize("bad", ["psi", "psi > ", "psi ~ 0.2", "> 0.2", "psi > high"])
def test_unparseable_rules_are_usage_errors(bad: str) -> None:
    with pytest.raises(UsageError):
        Rule.parse(bad)


def test_rule_arguments_are_checked() -> None:
    with pytest.raises(UsageError, match="operator"):
        Rule("psi", "=>", 0.2)
    with pytest.raises(UsageError, match="threshold"):
        Rule("psi", ">", "0.2")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="NaN"):
        Rule("psi", ">", math.nan)
    with pytest.raises(UsageError, match="severity"):
        Rule("psi", ">", 0.2, severity="page")
    assert str(Rule("psi", ">", 0.2, name="inputs moved")) == "inputs moved"


def test_drift_metrics_names() -> None:
    rng = np.random.default_rng(0)
    ref = pd.DataFrame({"x": rng.normal(size=300), "c": rng.choice(["a", "b"], 300)})
    cur = pd.DataFrame({"x": rng.normal(1, size=300), "c": rng.choice(["a", "b"], 300)})
    metrics = drift_metrics(drift(ref, cur))
    assert metrics["psi"] == max(metrics["psi.x"], metrics["psi.c"])
    assert {
        "ks_stat.x",
        "ks_pvalue.x",
        "wasserstein.x",
        "chi2_stat.c",
        "chi2_pvalue.c",
        "js_distance.c",
    } <= set(metrics)
    assert (
        "ks_stat.c" not in metrics and metrics["share_drifted"] == 0.5 and metrics["drifted_columns"] == 1.0
    )


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30), ("10m", 600), ("every 2h", 7200), ("1h30m", 5400), ("2 days", 172800), (45, 45)],
)
def test_durations(text: Any, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["soon", "10", "5 ms", "-1m", "10m later"])
def test_bad_durations(bad: str) -> None:
    with pytest.raises(BadParamError):
        parse_duration(bad)


def test_trend() -> None:
    assert trend([]) is None
    assert trend([1.0]).direction == "new"  # type: ignore[union-attr]
    up = trend([1.0, 1.0, 1.0, 3.0])
    assert up is not None and up.direction == "up" and up.previous == 1.0 and up.delta == 2.0 and up.n == 3
    assert trend([5.0, 2.0]).direction == "down"  # type: ignore[union-attr]
    assert trend([2.0, 2.0]).direction == "flat"  # type: ignore[union-attr]
    # only the n points before the last count
    assert trend([100.0, 1.0, 1.0], n=1).previous == 1.0  # type: ignore[union-attr]


@pytest.fixture
def store(tmp_path: Path) -> Any:
    s = Store(tmp_path / "state")
    yield s
    s.close()


def _ctx(store: Any, root: Path) -> MonitorContext:
    return MonitorContext(store=store, project_root=root, monitor="t", model="m")


def test_file_sources(store: Any, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i, name in enumerate(["a.csv", "b.csv", "c.csv"]):
        pd.DataFrame({"x": [i, i]}).to_csv(folder / name, index=False)
        stamp = time.time() - 100 + i
        os.utime(folder / name, (stamp, stamp))
    (folder / "d.csv.part").write_text("x\n9\n")
    ctx = _ctx(store, tmp_path)
    assert load_source("in/*.csv", ctx)["x"].tolist() == [2, 2]  # the newest file
    assert load_source(recent("in/*.csv", n=2), ctx)["x"].tolist() == [1, 1, 2, 2]
    assert load_source(str(folder / "a.csv"), ctx)["x"].tolist() == [0, 0]
    with pytest.raises(DataError, match="no file matches"):
        load_source("nothing/*.csv", ctx)
    with pytest.raises(DataError, match="no such file"):
        load_source("in/zzz.csv", ctx)
    with pytest.raises(DataError, match="unknown data format"):
        (folder / "x.xlsx").write_text("")
        load_source("in/x.xlsx", ctx)
    with pytest.raises(DataError, match="expected a DataFrame"):
        load_source(lambda ctx: [1, 2], ctx)
    with pytest.raises(DataError, match="expected a DataFrame, a path"):
        load_source(42, ctx)


def test_task_refs_and_recent_results(project: Any, make_engine: Any) -> None:
    project.write(
        "batches.py",
        """
        from console import Pipeline

        p = Pipeline("batches", params={"i": 0})

        @p.task
        def frames(i):
            import pandas as pd
            return {"x": pd.DataFrame({"v": [i]}), "n": i}
        """,
    )
    engine = make_engine()
    ctx = _ctx(engine.store, project.root)
    with pytest.raises(NotFoundError, match="no stored result yet"):
        load_source("batches.frames.x", ctx)
    for i in range(4):
        engine.run("batches", {"i": i})
    assert is_task_ref("batches.frames", project.root) and not is_task_ref("data.csv", project.root)
    assert load_source("batches.frames.x", ctx)["v"].tolist() == [3]
    assert load_source(recent_results("batches.frames.x", n=3), ctx)["v"].tolist() == [1, 2, 3]
    with pytest.raises(DataError, match="got a dict"):
        load_source("batches.frames", ctx)
    with pytest.raises(DataError, match="no key 'y'"):
        load_source("batches.frames.y", ctx)
    with pytest.raises(DataError, match="expected a DataFrame, got int"):
        load_source(recent_results("batches.frames.n", n=1), ctx)
    with pytest.raises(DataError, match="n must be"):
        recent_results("batches.frames", n=0)


def test_alert_store_guard_and_acknowledge(store: Any) -> None:
    now = time.time()
    with store.db.transaction() as conn:
        assert alert_store.blocking_alert(conn, "mon", "psi > 0.2", now=now) is None
        first = alert_store.insert_alert(
            conn, monitor="mon", rule="psi > 0.2", metric="psi", value=0.5, threshold=0.2,
            severity="alert", evidence={"k": 1}, eval_id=None, action="retrain:x", at=now,
        )  # fmt: skip
        starting = alert_store.blocking_alert(conn, "mon", "psi > 0.2", now=now + 1)
        assert starting is not None and "is starting" in starting["reason"]
        # an action that never recorded a run stops blocking after a minute
        assert alert_store.blocking_alert(conn, "mon", "psi > 0.2", now=now + 120) is None
        cool = alert_store.blocking_alert(conn, "mon", "psi > 0.2", now=now + 120, cooldown_s=600)
        assert cool is not None and "cool-down" in cool["reason"]
    alert_store.set_action_failed(store.db, first, "boom")
    row = alert_store.get_alert(store.db, first)
    assert row["action"] is None and '"action_error": "boom"' in row["evidence"]
    assert alert_store.open_counts(store.db) == {"mon": 1}
    assert alert_store.summary(row) == "mon: psi > 0.2 (psi=0.5)"
    with pytest.raises(NotFoundError):
        alert_store.acknowledge(store.db, [first, 999])
    assert alert_store.acknowledge(store.db, monitor="mon") == 1
    assert alert_store.list_alerts(store.db) == []
    assert len(alert_store.list_alerts(store.db, include_acknowledged=True)) == 1
