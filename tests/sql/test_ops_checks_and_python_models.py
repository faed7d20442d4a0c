"""``ops_checks:`` compile to SQL with the pandas checks' semantics; ``@p.sql`` mixes SQL and Python."""

from __future__ import annotations

import json
from typing import Any

OPS_YAML = """
version: 2
models:
  - name: orders
    ops_checks:
      - between: {column: amount, min: 0, max: 100}
      - between: {column: qty, min: 1, mostly: 0.5, check_name: qty_mostly_positive}
      - regex: {column: email, pattern: "@"}
      - isin: {column: status, values: [new, paid]}
      - row_count: {min: 10}
      - stat: {column: amount, name: mean, min: 1, max: 100}
      - unique: {columns: [id]}
      - not_null: {column: email, severity: warn}
      - freshness: {column: at, max_age: 1d}
"""


def checks(engine: Any, run_id: int) -> dict[str, Any]:
    engine.store.writer.flush()
    rows = engine.store.db.query("SELECT * FROM checks WHERE run_id=?", (run_id,))
    return {r["check_name"]: r for r in rows}


def test_ops_checks_compile_to_sql_with_quality_semantics(dbt: Any, make_engine: Any) -> None:
    dbt.write(
        "seeds/raw.csv",
        "id,amount,qty,email,status\n1,5,1,a@x,new\n2,500,0,bx,paid\n3,7,,c@x,lost\n2,,2,,new\n",
    )
    dbt.write(
        "models/orders.sql",
        "select *, current_timestamp::timestamp - interval 3 day as at from {{ ref('raw') }}",
    )
    dbt.write("models/schema.yml", OPS_YAML)
    engine = make_engine()
    runner = engine.run("mini")
    got = checks(engine, runner.run_id)
    between = got["ops_between_orders_amount"]
    assert (between["passed"], between["failing"], between["total"]) == (0, 1, 3)  # nulls ignored
    sample = json.loads(between["detail"])["sample"]
    assert sample[0]["row"]["amount"] == 500
    assert got["qty_mostly_positive"]["passed"] == 1  # 1 of 3 non-null fails, mostly 0.5
    assert got["ops_regex_orders_email"]["failing"] == 1
    assert got["ops_isin_orders_status"]["failing"] == 1
    assert got["ops_row_count_orders"]["passed"] == 0 and got["ops_row_count_orders"]["observed"] == 4
    assert got["ops_stat_orders_amount_mean"]["passed"] == 0
    assert abs(got["ops_stat_orders_amount_mean"]["observed"] - 512 / 3) < 1e-9
    assert got["ops_unique_orders_id"]["failing"] == 2  # every row of a duplicated value
    assert got["ops_not_null_orders_email"]["severity"] == "warn"
    assert got["ops_freshness_orders_at"]["passed"] == 0
    assert runner.final_status == "failed"


def test_anomaly_bounds_an_ops_check_by_its_history(dbt: Any, make_engine: Any) -> None:
    dbt.write("seeds/raw.csv", "id\n1\n2\n3\n")
    dbt.write("models/m.sql", "select * from {{ ref('raw') }}, range({{ var('n') }})")
    dbt.write("dbt_project.yml", "name: mini\nvars:\n  n: 10\n")
    dbt.write("models/schema.yml", "models:\n  - name: m\n    ops_checks:\n      - row_count: {anomaly: 3}\n")
    engine = make_engine()
    for n in (10, 11, 10, 11):
        assert engine.run("mini", {"n": n}).final_status == "succeeded"
    runner = engine.run("mini", {"n": 500})
    row = checks(engine, runner.run_id)["ops_row_count_m"]
    assert row["passed"] == 0 and "anomaly" in json.loads(row["detail"])["message"]


PIPELINE = '''
import pandas as pd
from console import Pipeline

p = Pipeline("mixed", params={"min_amount": 10})

@p.task
def raw():
    return pd.DataFrame({"user": ["a", "b", "a", "c"], "amount": [5, 20, 30, 40]})

@p.sql
def by_user(raw):
    return """
        select user, sum(amount) as total, count(*) as n
        from {{ ref('raw') }} where amount >= {{ var('min_amount') }}
        group by user order by user
    """

@p.sql(materialized="view")
def big(by_user):
    return "select * from {{ ref('by_user') }} where total > 25"

@p.task
def report(by_user, ctx):
    ctx.log(f"{type(by_user).__name__} {len(by_user)}")
    return by_user["total"].tolist()
'''


def test_sql_models_in_a_python_pipeline(project: Any, make_engine: Any) -> None:
    project.write("mixed.py", PIPELINE)
    engine = make_engine()
    runner = engine.run("mixed")
    engine.store.writer.flush()
    errors = engine.store.db.query("SELECT name, error FROM tasks WHERE run_id=? AND error IS NOT NULL",
                                   (runner.run_id,))
    assert runner.final_status == "succeeded", [dict(r) for r in errors]
    assert runner.values["report"] == [30, 20, 40]  # a, b, c in order
    assert isinstance(runner.values["big"], dict)  # no Python reader: only a summary is kept
    import duckdb

    con = duckdb.connect(str(project.root / ".opsconsole" / "warehouse.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT user FROM big ORDER BY user").fetchall() == [("a",), ("c",)]
    finally:
        con.close()
    proc = project.cli_json("lineage", "by_user")
    assert {u["name"] for u in proc["upstream"]} == {"raw"}
    assert {(d["name"], d["kind"]) for d in proc["downstream"]} == {
        ("big", "sql model"),
        ("report", "python task"),
    }


def test_a_bad_sql_model_fails_its_task_and_rerun_reuses_the_rest(project: Any, make_engine: Any) -> None:
    source = PIPELINE.replace("where total > 25", "where totl > 25")
    project.write("mixed.py", source)
    engine = make_engine()
    runner = engine.run("mixed")
    engine.store.writer.flush()
    error = engine.store.db.query_one(
        "SELECT error FROM tasks WHERE run_id=? AND name='big'", (runner.run_id,)
    )
    assert runner.final_status == "failed" and "Binder Error" in error["error"] and "totl" in error["error"]
    project.write("mixed.py", PIPELINE)
    engine.catalog.load_all()
    rerun = engine.rerun(runner.run_id, from_failed=True)
    assert rerun.final_status == "succeeded"
    reused = {
        r["name"]
        for r in engine.store.db.query("SELECT name FROM tasks WHERE run_id=? AND reused=1", (rerun.run_id,))
    }
    assert {"raw", "by_user", "report"} <= reused and "big" not in reused
