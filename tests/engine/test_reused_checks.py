"""After ``rerun --from-failed`` the reused tasks' check results belong to the new run too (marked)."""

from __future__ import annotations

import json

PIPELINE = """
from pathlib import Path
from console import Pipeline
from console.quality import checks as qc
import pandas as pd

p = Pipeline("orders")
FLAG = Path(__file__).with_name("fail.flag")

@p.task(checks=[qc.not_null("amount", severity="warn"), qc.row_count(min=1)])
def load():
    return pd.DataFrame({"amount": [1.0, None, 3.0]})

@p.task(checks=[qc.between("amount", 0, 10)])
def clean(load):
    if FLAG.exists():
        raise ValueError("upstream file not ready")
    return load.fillna(0)
"""


def test_reused_checks_count_for_the_rerun_marked_with_their_run(project) -> None:
    project.write("orders.py", PIPELINE)
    flag = project.root / "pipelines" / "fail.flag"
    flag.write_text("x")
    project.cli("run", "orders", check=1)
    first = project.cli_json("checks", "1", check=0)
    assert {c["check"] for c in first} == {"not_null(amount)", "row_count()"}
    flag.unlink()
    project.cli("rerun", "1", "--from-failed", check=0)
    second = project.cli_json("checks", "2", check=0)
    by_name = {c["check"]: c for c in second}
    assert set(by_name) == {"not_null(amount)", "row_count()", "between(amount)"}, by_name
    warn = by_name["not_null(amount)"]
    assert warn["run_id"] == 2 and warn["reused_from"] == 1 and warn["passed"] is False
    assert "reused_from" not in by_name["between(amount)"]
    # the latest results per pipeline are the rerun's, whole
    assert {c["run_id"] for c in project.cli_json("checks", check=0)} == {2}
    table = project.cli("checks", "2").stdout
    assert "(reused from run 1)" in table
    # history: one point per computed result, copies are not new observations
    history = json.loads(project.cli("checks", "--history", "row_count()", "--json").stdout)
    assert [p["run_id"] for p in history] == [1]


def test_a_rerun_of_a_rerun_names_the_run_that_computed_the_checks(project) -> None:
    project.write("orders.py", PIPELINE)
    flag = project.root / "pipelines" / "fail.flag"
    flag.write_text("x")
    project.cli("run", "orders", check=1)
    project.cli("rerun", "1", "--from-failed", check=1)  # fails again, reusing load
    flag.unlink()
    project.cli("rerun", "2", "--from-failed", check=0)
    third = {c["check"]: c for c in project.cli_json("checks", "3", check=0)}
    assert third["row_count()"]["reused_from"] == 1 and third["row_count()"]["run_id"] == 3
    assert len(third) == 3


def test_the_quality_tab_shows_reused_checks_of_the_rerun(project) -> None:
    import argparse
    import asyncio

    from console.session import Session
    from console.ui.app import OpsConsoleApp

    project.write("orders.py", PIPELINE)
    flag = project.root / "pipelines" / "fail.flag"
    flag.write_text("x")
    project.cli("run", "orders", check=1)
    flag.unlink()
    project.cli("rerun", "1", "--from-failed", check=0)
    session = Session(
        argparse.Namespace(project=str(project.root), read_only=False, executor=None, scheduler=None)
    )

    async def scenario() -> None:
        from textual.widgets import DataTable, Static

        app = OpsConsoleApp(session, tail_interval=0.05)
        async with app.run_test(size=(140, 40)) as pilot:
            await pilot.press("2")
            table = app.query_one("#checks", DataTable)
            for _ in range(100):
                if table.row_count == 3:
                    break
                await pilot.pause(0.05)
            cells = [
                [str(getattr(c, "plain", c)) for c in table.get_row_at(i)] for i in range(table.row_count)
            ]
            results = {row[3]: row[5] for row in cells}
            assert results["not_null(amount)"] == "! warn ↺1", cells
            assert results["between(amount)"] == "✓ pass"
            summary = str(app.query_one("#quality-summary", Static).render())
            assert "1 warn" in summary, summary

    try:
        asyncio.run(scenario())
    finally:
        session.close()
