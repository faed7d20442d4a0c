"""The demo: the dbt project ``pipelines/fraud_sql`` feeds ``fraud_detection`` through the warehouse."""

from __future__ import annotations

from pathlib import Path

from console.engine.engine import Engine
from console.project import load_project
from console.sql.lineage import lineage
from console.store.state import Store

ROOT = Path(__file__).resolve().parents[2]


def test_fraud_sql_feeds_fraud_detection(tmp_path: Path) -> None:
    store = Store(tmp_path / "state")
    engine = Engine(load_project(ROOT), store)
    try:
        sql_run = engine.run("fraud_sql")
        assert sql_run.final_status == "succeeded"
        tasks = {
            r["name"] for r in store.db.query("SELECT name FROM tasks WHERE run_id=?", (sql_run.run_id,))
        }
        assert {
            "raw_transactions",
            "stg_transactions",
            "fct_transactions",
            "fraud_rate_is_plausible",
        } <= tasks
        assert any(t.startswith("ops_stat_") for t in tasks)
        run = engine.run("fraud_detection", {"source": "warehouse"})
        assert run.final_status == "succeeded"
        assert len(run.values["generate"]) == 4000  # the warehouse table, not 20,000 synthetic rows
        store.writer.flush()
        graph = lineage(engine.catalog, store.db, "fct_transactions")
        assert {
            "name": "generate",
            "kind": "python task",
            "pipeline": "fraud_detection",
            "depth": 1,
        } in graph["downstream"]
        assert (tmp_path / "state" / "warehouse.duckdb").exists()
    finally:
        engine.close()
