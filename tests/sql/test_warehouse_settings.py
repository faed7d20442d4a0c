"""The warehouse's DuckDB settings, and what a build costs: durable commits, one CSV read per seed."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import pytest

from console.sql import warehouse as wh
from console.sql.materialize import describe, existing_kind

GROUP_BY = "SELECT k, sum(v) AS s FROM facts GROUP BY k"


def _plan(cur: Any) -> str:
    """The physical plan's text, operator names as PERFECT_HASH_GROUP_BY whatever DuckDB prints."""
    text = "\n".join(str(row[-1]) for row in cur.execute(f"EXPLAIN {GROUP_BY}").fetchall())
    return text.upper().replace(" ", "_")


def test_a_group_by_over_100k_integer_keys_uses_the_perfect_hash_aggregate(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with wh.write_cursor(path, 1) as cur:
        cur.execute("CREATE TABLE facts AS SELECT i % 100000 AS k, i * 1.0 AS v FROM range(300000) t(i)")
        assert "PERFECT_HASH_GROUP_BY" in _plan(cur)
        total = cur.execute(f"SELECT count(*), sum(s) FROM ({GROUP_BY})").fetchone()
    wh.release_run(path, 1)
    assert total == (100000, sum(range(300000)))
    with wh.read_cursor(path) as reader:  # a reader of its own sets it as well
        assert "PERFECT_HASH_GROUP_BY" in _plan(reader)
    with wh.read_cursor(tmp_path / "none.duckdb") as empty:  # and so does the stand-in for no warehouse
        assert empty.execute("SELECT current_setting('perfect_ht_threshold')").fetchone() == (18,)


def test_keys_spanning_more_than_2_18_values_use_the_general_hash_table(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with wh.write_cursor(path, 1) as cur:
        cur.execute("CREATE TABLE facts AS SELECT i * 7 AS k, 1.0 AS v FROM range(100000) t(i)")
        plan = _plan(cur)
    wh.release_run(path, 1)
    assert "PERFECT_HASH_GROUP_BY" not in plan and "HASH_GROUP_BY" in plan


KILLED = """
import os, signal
from console import Pipeline

p = Pipeline("killed")

@p.sql
def totals() -> str:
    return "SELECT i % 10 AS k, count(*) AS n FROM range(100000) t(i) GROUP BY k"

@p.task
def die(totals):
    os.kill(os.getpid(), signal.SIGKILL)  # no close, no checkpoint: only the commit stands
"""


def test_a_committed_model_survives_kill_9_of_its_run(project: Any) -> None:
    project.write("killed.py", KILLED)
    proc = project.cli("--no-ui", "run", "killed")
    assert proc.returncode == -signal.SIGKILL
    warehouse = project.root / ".opsconsole" / "warehouse.duckdb"
    with wh.read_cursor(warehouse) as cur:
        assert cur.execute("SELECT count(*), sum(n) FROM totals").fetchone() == (10, 100000)


def test_catalog_lookups_tell_tables_views_and_temporary_tables_apart(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with wh.write_cursor(path, 1) as cur:
        cur.execute("CREATE TABLE t AS SELECT 1::INTEGER AS a, 'x'::VARCHAR AS b, 1.5::DECIMAL(9, 2) AS c")
        cur.execute("CREATE VIEW v AS SELECT a FROM t")
        cur.execute("CREATE TEMP TABLE scratch AS SELECT 1 AS a")
        kinds = [existing_kind(cur, "main", n) for n in ("t", "v", "scratch", "nope")]
        columns = describe(cur, "main", "t")
    wh.release_run(path, 1)
    assert kinds == ["table", "view", None, None]
    assert columns == [("a", "INTEGER"), ("b", "VARCHAR"), ("c", "DECIMAL(9,2)")]


def test_a_seed_reads_its_csv_once_and_leaves_no_scratch_table(dbt: Any, make_engine: Any) -> None:
    import duckdb

    dbt.write("seeds/people.csv", "id,big,name\n1,5000000000,ann\n2,7,bo\n")
    engine = make_engine()
    statements: list[str] = []
    real_connect = duckdb.connect

    class Spy:
        """A connection whose cursors record what they execute."""

        def __init__(self, con: Any) -> None:
            self.con = con

        def __getattr__(self, name: str) -> Any:
            return getattr(self.con, name)

        def cursor(self) -> Any:
            return Spy(self.con.cursor())

        def execute(self, sql: str, *args: Any) -> Any:
            statements.append(sql)
            return self.con.execute(sql, *args)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(duckdb, "connect", lambda *a, **k: Spy(real_connect(*a, **k)))
        runner = engine.run("mini")
    assert runner.final_status == "succeeded"
    assert sum("read_csv(" in s for s in statements) == 1
    assert dbt.query("SELECT id, big, name FROM people ORDER BY id") == [(1, 5000000000, "ann"), (2, 7, "bo")]
    types = dict(
        dbt.query("SELECT column_name, data_type FROM information_schema.columns WHERE table_name='people'")
    )
    assert types == {"id": "INTEGER", "big": "BIGINT", "name": "VARCHAR"}  # dbt's seed typing kept
    assert dbt.query("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '%seed_load%'") == [(0,)]
