"""A dbt project runs as a pipeline: seeds, models in order, tests right after, results as checks."""

from __future__ import annotations

import json
from typing import Any


def run(make_engine: Any, name: str, **params: Any) -> Any:
    engine = make_engine()
    runner = engine.run(name, params or None)
    engine.store.writer.flush()
    return engine, runner


def statuses(engine: Any, run_id: int) -> dict[str, str]:
    rows = engine.store.db.query("SELECT name, status FROM tasks WHERE run_id=?", (run_id,))
    return {r["name"]: r["status"] for r in rows}


def test_shop_builds_every_table_and_runs_its_twenty_tests(shop: Any, make_engine: Any) -> None:
    engine, runner = run(make_engine, "shop")
    assert runner.final_status == "succeeded"
    tasks = statuses(engine, runner.run_id)
    tests = [n for n in tasks if n.startswith(("unique_", "not_null_", "accepted_values_", "relationships_"))]
    assert len(tests) == 20 and "assert_order_amounts_not_negative" in tasks
    assert {"raw_customers", "stg_orders", "orders", "customers"} <= set(tasks)
    assert set(tasks.values()) == {"succeeded"}
    assert shop.query("SELECT count(*) FROM customers") == [(200,)]
    kinds = dict(shop.query("SELECT table_name, table_type FROM information_schema.tables"))
    assert kinds["stg_orders"] == "VIEW" and kinds["orders"] == "BASE TABLE"
    # the macro converted cents, the for-loop made one column per method
    assert shop.query("SELECT max(amount) < 201 FROM stg_payments") == [(True,)]
    cols = [
        c
        for (c,) in shop.query(
            "SELECT column_name FROM information_schema.columns WHERE table_name='stg_payments'"
        )
    ]
    assert "gift_card_amount" in cols


def test_test_results_are_check_results_with_dbt_names(shop: Any, make_engine: Any) -> None:
    engine, runner = run(make_engine, "shop")
    rows = engine.store.db.query(
        "SELECT check_name, kind, severity, passed, total, detail FROM checks WHERE run_id=?",
        (runner.run_id,),
    )
    by_name = {r["check_name"]: r for r in rows}
    assert "unique_stg_orders_order_id" in by_name
    assert "accepted_values_stg_customers_country__US__GB__DE" in by_name
    assert "relationships_stg_orders_customer_id__customer_id__ref_stg_customers_" in by_name
    assert by_name["not_null_stg_payments_amount"]["severity"] == "warn"
    assert by_name["unique_stg_orders_order_id"]["total"] == 1000
    detail = json.loads(by_name["unique_stg_orders_order_id"]["detail"])
    assert set(detail) >= {"check", "failing", "total", "sample", "sample_index", "observed", "error"}


def test_a_failing_error_test_fails_its_node_skips_downstream_and_keeps_20_rows(
    shop: Any, make_engine: Any
) -> None:
    # every order twice: unique_stg_orders_order_id finds 1000 duplicated ids
    shop.write(
        "models/staging/stg_orders.sql",
        """
        select id as order_id, user_id as customer_id, cast(order_date as date) as order_date, status
        from {{ ref('raw_orders') }}
        union all
        select id, user_id, cast(order_date as date), status from {{ ref('raw_orders') }}
    """,
    )
    engine, runner = run(make_engine, "shop")
    assert runner.final_status == "failed"
    tasks = statuses(engine, runner.run_id)
    assert tasks["unique_stg_orders_order_id"] == "failed"
    assert tasks["orders"] == "skipped" and tasks["customers"] == "skipped"
    assert tasks["stg_customers"] == "succeeded"  # a sibling still builds
    row = engine.store.db.query_one(
        "SELECT failing, passed, detail FROM checks WHERE run_id=? AND check_name='unique_stg_orders_order_id'",
        (runner.run_id,),
    )
    assert row["passed"] == 0 and row["failing"] == 1000
    sample = json.loads(row["detail"])["sample"]
    assert len(sample) == 20 and sample[0]["row"]["n_records"] == 2
    error = engine.store.db.query_one(
        "SELECT error FROM tasks WHERE run_id=? AND name='unique_stg_orders_order_id'", (runner.run_id,)
    )["error"]
    assert "unique_stg_orders_order_id" in error and "1000 failing rows" in error


def test_warn_if_and_error_if_thresholds(dbt: Any, make_engine: Any) -> None:
    dbt.write("seeds/people.csv", "id,email\n1,a@x\n2,\n3,\n")
    dbt.write(
        "models/schema.yml",
        """
        version: 2
        seeds:
          - name: people
            columns:
              - name: email
                data_tests:
                  - not_null:
                      config: {error_if: ">5", warn_if: ">1"}
              - name: id
                data_tests:
                  - accepted_values:
                      values: [1, 2]
                      quote: false
                      severity: warn
    """,
    )
    engine, runner = run(make_engine, "mini")
    assert runner.final_status == "succeeded"
    rows = {
        r["check_name"]: r
        for r in engine.store.db.query("SELECT * FROM checks WHERE run_id=?", (runner.run_id,))
    }
    assert (
        rows["not_null_people_email"]["severity"] == "warn" and rows["not_null_people_email"]["failing"] == 2
    )
    assert rows["not_null_people_email"]["passed"] == 0
    assert rows["accepted_values_people_id__False__1__2"]["failing"] == 1


def test_incremental_merges_on_unique_key_and_vars_come_from_params(shop: Any, make_engine: Any) -> None:
    engine, first = run(make_engine, "shop")
    assert first.final_status == "succeeded"
    assert shop.query("SELECT count(*) FROM orders") == [(1000,)]
    engine.close()
    # second run: the incremental model merges the latest orders again: no duplicates
    engine, second = run(make_engine, "shop")
    assert second.final_status == "succeeded"
    assert shop.query("SELECT count(*), count(DISTINCT order_id) FROM orders") == [(1000, 1000)]
    engine.close()
    engine, third = run(make_engine, "shop", min_order_date="2024-10-01")
    # payments of the orders the var filtered out now break their relationship test
    failed = {n for n, s in statuses(engine, third.run_id).items() if s == "failed"}
    assert failed == {"relationships_stg_payments_order_id__order_id__ref_stg_orders_"}
    assert shop.query("SELECT min(order_date) >= DATE '2024-10-01' FROM stg_orders") == [(True,)]


def test_ephemeral_models_inline_as_ctes_and_schema_config(dbt: Any, make_engine: Any) -> None:
    dbt.write(
        "dbt_project.yml",
        """
        name: mini
        models:
          mini:
            marts:
              +materialized: table
              +schema: marts
    """,
    )
    dbt.write("seeds/nums.csv", "n\n1\n2\n3\n")
    dbt.write(
        "models/doubled.sql",
        "{{ config(materialized='ephemeral') }}\nselect n * 2 as d from {{ ref('nums') }}",
    )
    dbt.write(
        "models/marts/total.sql", "with x as (select d from {{ ref('doubled') }}) select sum(d) as s from x"
    )
    dbt.write("models/log.sql", "{{ config(materialized='incremental') }}\nselect n from {{ ref('nums') }}")
    engine, runner = run(make_engine, "mini")
    assert runner.final_status == "succeeded", statuses(engine, runner.run_id)
    assert "doubled" not in statuses(engine, runner.run_id)
    assert dbt.query("SELECT s FROM main_marts.total") == [(12,)]
    engine.close()
    engine, runner = run(make_engine, "mini")  # append without a key: rows add up
    assert dbt.query("SELECT count(*) FROM log") == [(6,)]


def test_merge_strategy_updates_matching_rows(dbt: Any, make_engine: Any) -> None:
    dbt.write("seeds/prices.csv", "id,price\n1,10\n2,20\n")
    dbt.write(
        "models/latest.sql",
        """
        {{ config(materialized='incremental', unique_key='id', incremental_strategy='merge') }}
        select id, price {% if is_incremental() %} * 2 {% endif %} as price from {{ ref('prices') }}
    """,
    )
    run(make_engine, "mini")[0].close()
    run(make_engine, "mini")
    assert dbt.query("SELECT id, price FROM latest ORDER BY id") == [(1, 20), (2, 40)]


def test_sources_read_files_and_singular_tests_return_failing_rows(dbt: Any, make_engine: Any) -> None:
    (dbt.dir / "data").mkdir()
    (dbt.dir / "data" / "events.csv").write_text("id,kind\n1,a\n2,b\n3,\n")
    dbt.write(
        "models/sources.yml",
        """
        version: 2
        sources:
          - name: raw
            tables:
              - name: events
                meta: {external_location: "data/{name}.csv"}
                columns:
                  - name: id
                    data_tests: [unique]
    """,
    )
    dbt.write("models/events.sql", "select * from {{ source('raw', 'events') }}")
    dbt.write("tests/no_empty_kind.sql", "select * from {{ ref('events') }} where kind is null")
    engine, runner = run(make_engine, "mini")
    tasks = statuses(engine, runner.run_id)
    assert tasks["source_unique_raw_events_id"] == "succeeded"
    assert tasks["no_empty_kind"] == "failed" and runner.final_status == "failed"
    row = engine.store.db.query_one(
        "SELECT kind, failing, detail FROM checks WHERE check_name='no_empty_kind'"
    )
    assert row["kind"] == "singular" and row["failing"] == 1
    assert json.loads(row["detail"])["sample"][0]["row"]["id"] == 3


def test_rerun_from_failed_reuses_built_tables(shop: Any, make_engine: Any) -> None:
    shop.write("tests/fails_once.sql", "select * from {{ ref('customers') }} where true")
    engine, runner = run(make_engine, "shop")
    assert runner.final_status == "failed"
    (shop.dir / "tests" / "fails_once.sql").write_text("select * from {{ ref('customers') }} where false")
    engine.catalog.load_all()
    rerun = engine.rerun(runner.run_id, from_failed=True)
    assert rerun.final_status == "succeeded"
    reused = engine.store.db.query("SELECT name FROM tasks WHERE run_id=? AND reused=1", (rerun.run_id,))
    assert {"orders", "customers", "raw_orders"} <= {r["name"] for r in reused}


def test_schedule_and_file_trigger_come_from_our_config(shop: Any, project: Any) -> None:
    (project.root / "opsconsole.toml").write_text(
        '[sql_pipelines.shop]\nschedule = "every 10m"\nwatch = "incoming/*.csv"\nmax_workers = 2\n'
    )
    engine = project.engine()
    try:
        pipeline = engine.pipeline("shop")
        assert (pipeline.schedule, pipeline.watch, pipeline.max_workers) == ("every 10m", "incoming/*.csv", 2)
    finally:
        engine.close()
    (project.root / "opsconsole.toml").write_text('[sql_pipelines.shop]\nshedule = "every 10m"\n')
    listed = {p["name"]: p for p in project.cli_json("pipelines")}
    assert listed["shop"]["status"] == "broken" and "unknown option(s) shedule" in listed["shop"]["error"]


def test_many_models_in_one_new_schema_build_side_by_side(dbt: Any, make_engine: Any) -> None:
    dbt.write(
        "dbt_project.yml", "name: mini\nmodels:\n  mini:\n    +schema: wide\n    +materialized: table\n"
    )
    for i in range(12):
        dbt.write(f"models/m{i}.sql", f"select {i} as i, range as r from range(1000)")
    engine, runner = run(make_engine, "mini")
    assert runner.final_status == "succeeded", statuses(engine, runner.run_id)
    assert dbt.query("SELECT count(*) FROM information_schema.tables WHERE table_schema='main_wide'") == [
        (12,)
    ]


def test_editing_a_project_file_hot_reloads_the_project(shop: Any, project: Any) -> None:
    from console.engine.discovery import Catalog
    from console.triggers.reload import Reloader

    catalog = Catalog(project.root / "pipelines").load_all()
    reloader = Reloader(catalog, settle_s=0.0)
    new_model = shop.write(
        "models/marts/big_customers.sql", "select * from {{ ref('customers') }} where number_of_orders > 5"
    )
    assert reloader.notice(new_model, 0.0)
    due = reloader.due(1.0)
    assert due == [shop.dir.resolve() / "dbt_project.yml"]
    result = reloader.reload(due[0])
    assert result.pipelines == ["shop"] and "big_customers" in catalog.pipelines["shop"].tasks
    assert reloader.notice(new_model, 2.0) and reloader.due(3.0) == []  # unchanged since: no reload


def test_config_keyed_by_a_seed_or_model_name_in_dbt_project_yml(dbt: Any, make_engine: Any) -> None:
    """dbt's resource paths end with the node's name: `seeds: mini: codes: +column_types: ...`."""
    dbt.write(
        "dbt_project.yml",
        """
        name: mini
        seeds:
          mini:
            codes:
              +column_types:
                code: varchar
        models:
          mini:
            +materialized: view
            staging:
              wide:
                +materialized: table
    """,
    )
    dbt.write("seeds/codes.csv", "code,n\n007,1\n010,2\n")
    dbt.write("models/staging/wide.sql", "select code, n from {{ ref('codes') }}")
    dbt.write("models/staging/narrow.sql", "select n from {{ ref('codes') }}")
    engine, runner = run(make_engine, "mini")
    assert runner.final_status == "succeeded", statuses(engine, runner.run_id)
    assert dbt.query("SELECT code FROM codes ORDER BY n") == [("007",), ("010",)]  # kept as text
    kinds = dict(dbt.query("SELECT table_name, table_type FROM information_schema.tables"))
    assert kinds["wide"] == "BASE TABLE" and kinds["narrow"] == "VIEW"
