"""Bad input in a dbt project: one clear line naming the file (and line), the pipeline listed broken,
or the one node failing with DuckDB's message while its siblings still build."""

from __future__ import annotations

from typing import Any

import pytest

from console.engine.discovery import Catalog


def broken(project: Any) -> list[str]:
    catalog = Catalog(project.root / "pipelines").load_all()
    assert "mini" not in catalog.pipelines
    return [b.describe() for b in catalog.broken]


def test_jinja_syntax_error_names_file_and_line(dbt: Any, project: Any) -> None:
    dbt.write("models/a.sql", "select 1 as x\n{% if true %}\nfrom nowhere\n")
    (line,) = broken(project)
    assert "models/a.sql:2: Jinja syntax error" in line or "models/a.sql:3: Jinja syntax error" in line


def test_ref_to_a_missing_model(dbt: Any, project: Any) -> None:
    dbt.write("models/a.sql", "select 1 as x\nunion all\nselect * from {{ ref('nope') }}\n")
    (line,) = broken(project)
    assert "models/a.sql:3: ref('nope'): no model or seed named 'nope'" in line


def test_a_cycle_through_refs(dbt: Any, project: Any) -> None:
    dbt.write("models/a.sql", "select * from {{ ref('b') }}")
    dbt.write("models/b.sql", "select * from {{ ref('a') }}")
    (line,) = broken(project)
    assert ("cycle" in line and "a -> b" in line) or "b -> a" in line
    assert "models/" in line


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"profiles.yml": "mini:\n  outputs:\n    dev: {type: snowflake}\n"},
            "adapter 'snowflake' is not supported",
        ),
        (
            {"packages.yml": "packages:\n  - package: dbt-labs/dbt_utils\n"},
            "packages.yml: packages are not supported",
        ),
        (
            {"models/py_model.py": "def model(dbt, session):\n    pass\n"},
            "py_model.py: Python models are not supported",
        ),
        (
            {"snapshots/snap.sql": "{% snapshot s %}select 1{% endsnapshot %}"},
            "snap.sql: snapshots are not supported",
        ),
        (
            {"models/m.sql": "{{ config(materialized='materialized_view') }}\nselect 1"},
            "materialization 'materialized_view' is not supported",
        ),
        (
            {
                "models/m.sql": "select 1 as x",
                "models/s.yml": "models:\n  - name: m\n    columns:\n"
                "      - name: x\n        data_tests: [dbt_utils.at_least_one]\n",
            },
            "generic test 'dbt_utils.at_least_one' is not supported",
        ),
        ({"models/s.yml": "models: [\n"}, "s.yml:2: not valid YAML"),
    ],
)
def test_unsupported_features_are_refused_at_discovery(
    dbt: Any, project: Any, files: dict[str, str], expected: str
) -> None:
    for rel, text in files.items():
        dbt.write(rel, text)
    (line,) = broken(project)
    assert expected in line


def test_broken_project_is_listed_and_run_exits_2(dbt: Any, project: Any) -> None:
    dbt.write("models/a.sql", "select * from {{ ref('nope') }}")
    project.write(
        "ok.py", "from console import Pipeline\np = Pipeline('ok')\n@p.task\ndef a():\n    return 1\n"
    )
    listed = {p["name"]: p for p in project.cli_json("pipelines")}
    assert listed["mini"]["status"] == "broken" and "ref('nope')" in listed["mini"]["error"]
    assert listed["ok"]["status"] == "ok"
    proc = project.cli("run", "mini")
    assert proc.returncode == 2 and "ref('nope')" in proc.stderr and "Traceback" not in proc.stderr


def test_sql_error_fails_one_node_with_duckdbs_message_siblings_build(dbt: Any, make_engine: Any) -> None:
    dbt.write("models/bad.sql", "select no_such_column from range(3)")
    dbt.write("models/good.sql", "select 1 as x")
    dbt.write("models/after_bad.sql", "select * from {{ ref('bad') }}")
    engine = make_engine()
    runner = engine.run("mini")
    rows = {
        r["name"]: r for r in engine.store.db.query("SELECT * FROM tasks WHERE run_id=?", (runner.run_id,))
    }
    assert rows["good"]["status"] == "succeeded" and rows["after_bad"]["status"] == "skipped"
    assert rows["bad"]["status"] == "failed"
    assert "models/bad.sql: Binder Error" in rows["bad"]["error"] and "no_such_column" in rows["bad"]["error"]
    assert "\n" not in rows["bad"]["error"]


def test_seed_with_a_bad_row_names_the_line(dbt: Any, make_engine: Any) -> None:
    dbt.write("seeds/people.csv", "id,name\n1,ann\n2,bo,extra\n3,cy\n")
    engine = make_engine()
    runner = engine.run("mini")
    error = engine.store.db.query_one(
        "SELECT error FROM tasks WHERE run_id=? AND name='people'", (runner.run_id,)
    )
    assert runner.final_status == "failed"
    assert "seeds/people.csv:3: row has 3 fields, the header has 2" in error["error"]


def test_a_test_on_a_missing_column_is_an_error_result(dbt: Any, make_engine: Any) -> None:
    dbt.write("models/m.sql", "select 1 as x")
    dbt.write(
        "models/s.yml",
        "models:\n  - name: m\n    columns:\n      - name: y\n        data_tests: [not_null]\n",
    )
    engine = make_engine()
    runner = engine.run("mini")
    engine.store.writer.flush()
    row = engine.store.db.query_one("SELECT passed, error FROM checks WHERE check_name='not_null_m_y'")
    assert runner.final_status == "failed" and row["passed"] == 0
    assert "Binder Error" in row["error"] and '"y"' in row["error"]


def test_var_with_no_value(dbt: Any, make_engine: Any) -> None:
    dbt.write("models/m.sql", "select {{ var('threshold') }} as t")
    engine = make_engine()
    runner = engine.run("mini")
    error = engine.store.db.query_one(
        "SELECT error FROM tasks WHERE run_id=? AND name='m'", (runner.run_id,)
    )["error"]
    assert "models/m.sql:1: var('threshold') has no value" in error and "--param threshold=" in error


def test_unknown_param_for_a_var_is_refused(shop: Any, project: Any) -> None:
    proc = project.cli("run", "shop", "--param", "nope=1")
    assert proc.returncode == 2 and "unknown param 'nope'" in proc.stderr
