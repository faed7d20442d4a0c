"""``opsconsole sql``, ``tables`` and ``lineage`` as a user runs them: exit codes, --json, hostile text."""

from __future__ import annotations

from typing import Any

HOSTILE = "[/] [bold]x \x1b[31mred\r\x00end"


def test_run_then_sql_json_tables_and_lineage(shop: Any, project: Any) -> None:
    proc = project.cli("run", "shop")
    assert proc.returncode == 0, proc.stderr
    out = project.cli_json(
        "sql",
        "SELECT order_id, order_date, DATE '2024-01-02' AS d, TIMESTAMP '2024-01-02 03:04:05' AS t,"
        " 1.5::DECIMAL(4,2) AS dec FROM orders ORDER BY order_id LIMIT 2",
    )
    assert out["columns"] == ["order_id", "order_date", "d", "t", "dec"]
    assert (
        out["rows"][0][0] == 1
        and out["rows"][0][2] == "2024-01-02"
        and out["rows"][0][3] == "2024-01-02T03:04:05"
    )
    assert out["rows"][0][4] == 1.5
    tables = {t["name"]: t for t in project.cli_json("tables")}
    assert tables["customers"]["rows"] == 200 and tables["customers"]["kind"] == "table"
    assert tables["stg_orders"]["kind"] == "view" and tables["stg_orders"]["model"] == "stg_orders"
    assert tables["orders"]["run_id"] == 1 and tables["orders"]["built_at"].endswith("+00:00")
    assert set(tables["orders"]) >= {"name", "kind", "rows", "columns", "model", "run_id", "built_at"}
    graph = project.cli_json("lineage", "stg_orders")
    assert [u["name"] for u in graph["upstream"]] == ["raw_orders"]
    assert {d["name"] for d in graph["downstream"]} == {"orders", "customers"}
    text = project.cli("lineage", "orders", check=0).stdout
    assert "stg_payments (view)" in text and "customers (table)" in text


def test_sql_error_is_one_line_exit_2(shop: Any, project: Any) -> None:
    import duckdb

    shop.warehouse().parent.mkdir(parents=True)
    duckdb.connect(str(shop.warehouse())).close()
    proc = project.cli("sql", "SELEC 1")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Parser Error" in proc.stderr and "Traceback" not in proc.stderr
    proc = project.cli("sql", "CREATE TABLE x (a INT)")
    assert proc.returncode == 2 and "read-only" in proc.stderr
    assert project.cli("lineage", "nope").returncode == 2


def test_sql_without_a_warehouse_and_tables_when_empty(project: Any) -> None:
    assert project.cli_json("sql", "SELECT 41 + 1 AS answer") == {"columns": ["answer"], "rows": [[42]]}
    assert project.cli_json("tables") == []
    assert "no tables yet" in project.cli("tables", check=0).stdout


def test_hostile_data_text_is_printed_literally(project: Any) -> None:
    literal = (
        HOSTILE.replace("\x1b", "' || chr(27) || '")
        .replace("\r", "' || chr(13) || '")
        .replace("\x00", "' || chr(0) || '")
    )
    proc = project.cli("sql", f"SELECT '{literal}' AS \"[bold]col\"")
    assert proc.returncode == 0, proc.stderr
    assert "[/] [bold]x" in proc.stdout and "[bold]col" in proc.stdout
    assert "\x1b[31m" not in proc.stdout and "\r" not in proc.stdout and "\x00" not in proc.stdout
    data = project.cli_json("sql", f"SELECT '{literal}' AS v")
    assert data["rows"][0][0] == HOSTILE  # JSON keeps the exact value
