"""The warehouse: writers queue, readers name the writer and exit 2, bad files are one clear line."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from console.errors import WarehouseBusyError, WarehouseError
from console.sql import warehouse as wh

ROOT = Path(__file__).resolve().parents[2]

HOLD = """
import sys, time
from pathlib import Path
from console.sql.warehouse import write_cursor
with write_cursor(Path(sys.argv[1]), 42) as cur:
    cur.execute("CREATE TABLE IF NOT EXISTS held AS SELECT 1 AS x")
    print("holding", flush=True)
    sys.stdin.readline()
"""


def hold(path: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "holding"
    return proc


def release(proc: subprocess.Popen[str]) -> None:
    proc.communicate("\n", timeout=60)  # closes both pipes


def test_a_reader_names_the_run_and_pid_writing_and_exits_2(shop: Any, project: Any) -> None:
    holder = hold(shop.warehouse())
    try:
        proc = project.cli("sql", "SELECT 1")
        assert proc.returncode == 2
        assert f"the warehouse is being written by run 42 (pid {holder.pid})" in proc.stderr
        assert "Traceback" not in proc.stderr
        assert project.cli("tables").returncode == 2
    finally:
        release(holder)
    assert project.cli_json("sql", "SELECT x FROM held") == {"columns": ["x"], "rows": [[1]]}


def test_a_run_queues_behind_another_writer_instead_of_failing(shop: Any, project: Any) -> None:
    holder = hold(shop.warehouse())
    run = subprocess.Popen(
        [sys.executable, "-m", "console", "--project", str(project.root), "run", "shop"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            run.wait(timeout=3)  # still waiting for the warehouse, not failed
    finally:
        release(holder)
    _, err = run.communicate(timeout=120)
    assert run.returncode == 0, err


def test_two_runs_in_one_process_share_the_warehouse_in_turn(shop: Any, make_engine: Any) -> None:
    engine = make_engine()
    a = engine.start("shop")
    b = engine.start("shop")
    for runner in (a, b):
        for _ in range(600):
            if runner.final_status:
                break
            threading.Event().wait(0.1)
    assert (a.final_status, b.final_status) == ("succeeded", "succeeded")


def test_in_process_readers_borrow_the_open_writer(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with wh.write_cursor(path, 7) as cur:
        cur.execute("CREATE TABLE t AS SELECT 5 AS v")
        with wh.read_cursor(path) as reader:
            assert reader.execute("SELECT v FROM t").fetchall() == [(5,)]
    wh.release_run(path, 7)
    assert not wh.holder_info(path)[0]
    with wh.read_cursor(path) as reader:
        assert reader.execute("SELECT v FROM t").fetchall() == [(5,)]


def test_a_corrupt_warehouse_is_one_line(shop: Any, project: Any, make_engine: Any) -> None:
    shop.warehouse().parent.mkdir(parents=True, exist_ok=True)
    shop.warehouse().write_bytes(b"not a database" * 1000)
    proc = project.cli("sql", "SELECT 1")
    assert proc.returncode == 2 and "not a valid DuckDB warehouse file" in proc.stderr
    engine = make_engine()
    runner = engine.run("shop")
    error = engine.store.db.query_one(
        "SELECT error FROM tasks WHERE run_id=? AND name='raw_orders'", (runner.run_id,)
    )["error"]
    assert runner.final_status == "failed" and "not a valid DuckDB warehouse file" in error


def test_a_warehouse_that_cannot_be_created_is_one_line(shop: Any, project: Any, make_engine: Any) -> None:
    (project.root / "blocker").write_text("a file where a folder should be")
    (project.root / "opsconsole.toml").write_text('warehouse = "blocker/warehouse.duckdb"\n')
    engine = make_engine()
    runner = engine.run("shop")
    error = engine.store.db.query_one(
        "SELECT error FROM tasks WHERE run_id=? AND name='raw_orders'", (runner.run_id,)
    )["error"]
    assert runner.final_status == "failed" and "the warehouse is not writable" in error
    assert not (project.root / ".opsconsole" / "warehouse.duckdb").exists()


def test_readers_give_up_with_busy_error(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    holder = hold(path)
    try:
        with pytest.raises(WarehouseBusyError, match="run 42"), wh.read_cursor(path, wait_s=0.2):
            pass
    finally:
        release(holder)
    assert issubclass(WarehouseBusyError, WarehouseError)


def test_warehouse_path_from_config(tmp_path: Path) -> None:
    assert wh.warehouse_path(tmp_path, tmp_path / ".s", {}) == tmp_path / ".s" / "warehouse.duckdb"
    assert (
        wh.warehouse_path(tmp_path, tmp_path / ".s", {"warehouse": "data/w.duckdb"})
        == tmp_path / "data/w.duckdb"
    )


def test_a_checkpoint_started_early_ends_before_the_connection_closes(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with wh.write_cursor(path, 7) as cur:
        cur.execute("CREATE TABLE t AS SELECT range AS x FROM range(300000)")
    wh.checkpoint_soon(path, 7)
    wh.checkpoint_soon(path, 8)  # not the run holding it: nothing
    with wh.write_cursor(path, 7) as cur:  # the run writes on while DuckDB checkpoints
        cur.execute("INSERT INTO t SELECT range FROM range(10)")
    wh.release_run(path, 7)
    assert not Path(f"{path}.wal").exists()  # both writes are in the file, none left in the log
    probe = "import duckdb, sys; print(duckdb.connect(sys.argv[1], read_only=True).execute('select count(*) from t').fetchone()[0])"
    out = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "300010"


def _row_groups(path: Path) -> list[int]:
    """Rows per row group of table ``t`` (read in another process: the file as written)."""
    probe = (
        "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); print(con.execute("
        "\"select max(count) from pragma_storage_info('t') where column_name = 'x' group by row_group_id"
        " order by row_group_id\").fetchall())"
    )
    out = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True, check=True)
    return [int(n) for (n,) in ast.literal_eval(out.stdout.strip())]


def _append_and_checkpoint(path: Path, run_id: int, rows: int) -> None:
    with wh.write_cursor(path, run_id) as cur:
        cur.execute(f"CREATE TABLE IF NOT EXISTS t (x BIGINT); INSERT INTO t SELECT range FROM range({rows})")
    wh.checkpoint_soon(path, run_id, appended=rows)
    wh.release_run(path, run_id)


def test_a_large_append_leaves_the_row_groups_before_it_alone(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    for run_id in (1, 2):
        _append_and_checkpoint(path, run_id, 300_000)
    # each batch in full row groups but its last; the first batch's last one not rewritten
    assert _row_groups(path) == [122_880, 122_880, 54_240] * 2
    with wh.write_cursor(path, 3) as cur:  # DuckDB's own setting is back for every other write
        assert cur.execute("select current_setting('max_vacuum_tasks')").fetchone()[0] == 100
    wh.release_run(path, 3)


def test_small_appends_are_merged_into_the_row_groups_before_them(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    for run_id in range(1, 13):
        _append_and_checkpoint(path, run_id, 10_000)
    assert sum(_row_groups(path)) == 120_000
    assert len(_row_groups(path)) <= 2  # not one per append
