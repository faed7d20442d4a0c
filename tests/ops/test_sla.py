"""Deadlines: a run or task past its SLA raises one stored alert, marks the run late, and is acked."""

from __future__ import annotations

import os
import time
from typing import Any

import pytest

SLOW = """
from console import Pipeline
import time

p = Pipeline("slow", sla="0.3s")

@p.task(sla="0.2s")
def wait():
    time.sleep(0.6)
    return 1

@p.task
def quick(wait):
    return wait
"""


def test_a_late_run_raises_alerts_and_shows_late(project: Any) -> None:
    project.write("slow.py", SLOW)
    run = project.cli_json("run", "slow")
    assert run["status"] == "succeeded" and run["late"] is True and run["sla_s"] == pytest.approx(0.3)
    alerts = project.cli_json("alerts")
    rules = sorted(a["rule"] for a in alerts)
    assert rules == ["run sla", "task wait sla"]
    assert all(a["monitor"] == "sla:slow" and a["evidence"]["run_id"] == run["id"] for a in alerts)
    assert project.cli_json("runs")[0]["late"] is True
    project.cli("alerts", "--ack", check=0)
    assert project.cli_json("alerts") == []


def test_the_service_flags_a_run_still_going(make_engine: Any, project: Any) -> None:
    from console.store.db import process_start_token
    from console.store.sla import check_deadlines

    project.write("slow.py", SLOW)
    engine = make_engine()
    runner = engine.prepare("slow")
    db = engine.store.db
    started = time.time() - 10
    db.execute(
        "UPDATE runs SET status='running', started_at=?, pid=?, pid_start=? WHERE id=?",
        (started, os.getpid(), process_start_token(os.getpid()), runner.run_id),
    )
    missed = check_deadlines(db)
    assert [m["task"] for m in missed] == [None]
    assert "has taken 10s, past its SLA of 0.3s" in missed[0]["summary"]
    assert check_deadlines(db) == []  # one alert per deadline and run
    row = db.query_one("SELECT late FROM runs WHERE id=?", (runner.run_id,))
    assert row["late"] == 1
    kinds = [r["kind"] for r in db.query("SELECT kind FROM events WHERE run_id=?", (runner.run_id,))]
    assert "sla.missed" in kinds


def test_a_bad_sla_is_a_broken_pipeline(project: Any) -> None:
    project.write("bad.py", "from console import Pipeline\np = Pipeline('bad', sla='soon')\n")
    rows = project.cli_json("pipelines")
    assert rows[0]["status"] == "broken" and "sla='soon'" in rows[0]["error"]
