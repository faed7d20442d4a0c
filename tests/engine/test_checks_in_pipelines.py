"""checks=[...] on tasks: error fails and skips, warn records, quarantine sets rows aside, history."""

from __future__ import annotations

import json

from console.store.runs import get_tasks

SOURCE = """
import pandas as pd
from console import Pipeline
from console.quality import checks as qc

p = Pipeline("orders", params={"rows": 50, "bad_amounts": 0, "negatives": 0})

@p.task(checks=[
    qc.not_null("id"),
    qc.between("amount", min=0, on_fail="quarantine"),
    qc.isin("country", ["DE", "FR"], severity="warn"),
    qc.row_count(min=10, anomaly=3.0),
    qc.stat("amount", "max", max=1000),
])
def orders(rows, bad_amounts, negatives):
    amounts = [10.0] * rows
    for i in range(bad_amounts):
        amounts[i] = 5000.0
    for i in range(negatives):
        amounts[-1 - i] = -1.0
    countries = ["DE", "FR", "XX"] * (rows // 3) + ["DE"] * (rows % 3)
    return pd.DataFrame({"id": range(rows), "amount": amounts, "country": countries})

@p.task
def total(orders):
    return float(orders["amount"].sum())
"""


def checks_of(engine, run_id):
    rows = engine.store.db.query("SELECT * FROM checks WHERE run_id=? ORDER BY id", (run_id,))
    return {r["check_name"]: dict(r) for r in rows}


def test_warn_is_recorded_and_quarantine_passes_the_rest_on(project, make_engine) -> None:
    project.write("orders.py", SOURCE)
    engine = make_engine()
    runner = engine.run("orders", {"negatives": 3})
    assert runner.final_status == "succeeded"
    assert runner.values["total"] == 47 * 10.0  # three negative rows set aside
    checks = checks_of(engine, runner.run_id)
    assert checks["isin(country)"]["passed"] == 0 and checks["isin(country)"]["severity"] == "warn"
    quarantine = checks["between(amount)"]
    detail = json.loads(quarantine["detail"])
    assert quarantine["failing"] == 3 and detail["quarantined"] is True
    path = engine.store.runs_dir / str(runner.run_id) / "orders.quarantine.csv"
    assert path.read_text().count("-1.0") == 3
    assert engine.store.artifacts.exists(detail["quarantine_sha256"])
    log = engine.store.log_path(runner.run_id, "orders").read_text()
    assert "quarantined 3 rows" in log and "check warn isin(country)" in log


def test_an_error_check_fails_the_task_and_skips_downstream(project, make_engine) -> None:
    project.write("orders.py", SOURCE)
    engine = make_engine()
    runner = engine.run("orders", {"bad_amounts": 2})
    assert runner.final_status == "failed"
    tasks = {t["name"]: t for t in get_tasks(engine.store.db, runner.run_id)}
    assert tasks["orders"]["status"] == "failed"
    assert "error checks failed: stat(amount, max)" in tasks["orders"]["error"]
    assert tasks["total"]["status"] == "skipped"
    checks = checks_of(engine, runner.run_id)
    assert checks["stat(amount, max)"]["observed"] == 5000.0


def test_row_count_anomaly_uses_the_checks_own_history(project, make_engine) -> None:
    project.write("orders.py", SOURCE)
    engine = make_engine()
    for rows in (50, 51, 49, 50, 52):
        assert engine.run("orders", {"rows": rows}).final_status == "succeeded"
    spike = engine.run("orders", {"rows": 500})
    assert spike.final_status == "failed"
    check = checks_of(engine, spike.run_id)["row_count()"]
    assert check["passed"] == 0 and check["observed"] == 500


def test_checks_cli_exit_codes_and_json(project) -> None:
    project.write("orders.py", SOURCE)
    project.cli("run", "orders", check=0)
    rows = project.cli_json("checks", "1")
    assert {r["check"] for r in rows} >= {"not_null(id)", "isin(country)", "row_count()"}
    for r in rows:
        assert set(r) >= {
            "check",
            "columns",
            "severity",
            "passed",
            "failing",
            "total",
            "sample_index",
            "sample",
            "observed",
            "error",
            "duration_s",
        }
    project.cli("run", "orders", "--param", "bad_amounts=1", check=1)
    assert project.cli("checks", "2").returncode == 1  # an error-severity check failed
    assert project.cli("checks", "1").returncode == 0


def test_suggest_prints_checks_that_pass_on_the_file(project, tmp_path) -> None:
    csv = tmp_path / "ref.csv"
    csv.write_text("id,amount,country\n1,10.5,DE\n2,11.0,FR\n3,9.5,DE\n4,12.0,FR\n")
    code = project.cli("suggest", str(csv), check=0).stdout
    namespace: dict = {}
    exec(code, namespace)
    assert namespace["checks"]
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    proc = project.cli("suggest", str(empty))
    assert proc.returncode == 2 and "empty" in proc.stderr.lower()
