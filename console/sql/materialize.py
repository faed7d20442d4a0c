"""Building nodes in DuckDB: seeds from CSV, and view, table and incremental models.

Each build runs in one transaction, so a failing statement leaves the previous table as it
was (an incremental model never ends up half-merged).
"""

from __future__ import annotations

import csv
import threading
from dataclasses import dataclass, field
from typing import Any

from console.errors import DataError, SqlQueryError
from console.sql.compile import compile_node, strip_sql
from console.sql.nodes import Node, SqlProject


@dataclass
class Built:
    """What a build left in the warehouse."""

    relation: str
    kind: str  # table | view
    materialized: str
    rows: int | None
    columns: list[tuple[str, str]] = field(default_factory=list)
    sql: str = ""

    def summary(self) -> dict[str, Any]:
        return {
            "relation": self.relation,
            "kind": self.kind,
            "materialized": self.materialized,
            "rows": self.rows,
            "columns": [c for c, _ in self.columns],
        }


def one_line(exc: BaseException) -> str:
    """DuckDB's message on one line (its caret diagrams and hints dropped)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def existing_kind(cur: Any, schema: str, name: str) -> str | None:
    row = cur.execute(
        "SELECT table_type FROM information_schema.tables WHERE table_schema=? AND table_name=?",
        [schema, name],
    ).fetchone()
    if row is None:
        return None
    return "view" if "VIEW" in str(row[0]).upper() else "table"


def describe(cur: Any, schema: str, name: str) -> list[tuple[str, str]]:
    rows = cur.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema=? AND table_name=?"
        " ORDER BY ordinal_position",
        [schema, name],
    ).fetchall()
    return [(str(a), str(b)) for a, b in rows]


# One build at a time per process: cursors of one DuckDB connection run concurrently, but two
# builds creating the same schema (or replacing related views) would hit a write-write conflict.
# DuckDB parallelises each statement itself, so little is lost; tests still read in parallel.
_BUILD_LOCK = threading.Lock()


def run_statements(cur: Any, statements: list[str], where: str) -> None:
    """Run ``statements`` in one transaction; DuckDB's error becomes SqlQueryError naming ``where``."""
    with _BUILD_LOCK:
        _transaction(cur, statements, where)


def _transaction(cur: Any, statements: list[str], where: str) -> None:
    cur.execute("BEGIN TRANSACTION")
    try:
        for statement in statements:
            cur.execute(statement)
        cur.execute("COMMIT")
    except Exception as exc:
        try:
            cur.execute("ROLLBACK")
        except Exception:  # noqa: BLE001, S110 - the transaction may already be aborted
            pass
        if isinstance(exc, SqlQueryError | DataError):
            raise
        raise SqlQueryError(f"{where}: {one_line(exc)}") from exc


def check_csv(node: Node) -> None:
    """A seed's rows must all have the header's number of fields: name the first bad line."""
    try:
        with node.file.open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if not header:
                raise DataError(f"{node.file}: the seed is empty (no header row)")
            for row in reader:
                if row and len(row) != len(header):
                    raise DataError(
                        f"{node.file}:{reader.line_num}: row has {len(row)} fields, the header has {len(header)}"
                    )
    except UnicodeDecodeError as exc:
        raise DataError(f"{node.file}: not UTF-8 text ({exc.reason})") from exc


def build_seed(cur: Any, node: Node) -> Built:
    check_csv(node)
    schema, name = node.schema, node.identifier
    types = node.config.get("column_types") or {}
    opts = "header=true, delim=',', quote='\"', escape='\"'"
    if types:
        pairs = ", ".join(f"'{k}': '{v}'" for k, v in types.items())
        opts += f", types={{{pairs}}}"
    path = str(node.file).replace("'", "''")
    relation = f"{q(schema)}.{q(name)}"
    statements = [f"CREATE SCHEMA IF NOT EXISTS {q(schema)}"]
    if existing_kind(cur, schema, name) == "view":
        statements.append(f"DROP VIEW {relation}")
    source = f"read_csv('{path}', {opts})"
    select = f"SELECT *{_integer_columns(cur, source, types)} FROM {source}"
    statements.append(f"CREATE OR REPLACE TABLE {relation} AS {select}")
    run_statements(cur, statements, str(node.file))
    return _built(cur, node, "table", f"-- seed\n{select}")


def _integer_columns(cur: Any, source: str, types: dict[str, Any]) -> str:
    """`` REPLACE (...)`` casting whole-number columns to INTEGER when they fit, as dbt's seeds type them."""
    try:
        sniffed = cur.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    except Exception as exc:  # noqa: BLE001 - reported by the build itself, with its file
        raise SqlQueryError(one_line(exc)) from exc
    wide = [str(r[0]) for r in sniffed if str(r[1]) == "BIGINT" and str(r[0]) not in types]
    if not wide:
        return ""
    bounds = ", ".join(f"min({q(c)}) >= -2147483648 AND max({q(c)}) <= 2147483647" for c in wide)
    fits = cur.execute(f"SELECT {bounds} FROM {source}").fetchone()
    cast = [f"CAST({q(c)} AS INTEGER) AS {q(c)}" for c, ok in zip(wide, fits, strict=True) if ok is not False]
    return f" REPLACE ({', '.join(cast)})" if cast else ""


def build_model(
    cur: Any, project: SqlProject, node: Node, variables: dict[str, Any], *, full_refresh: bool = False
) -> Built:
    schema, name = node.schema, node.identifier

    def exists(s: str, n: str) -> bool:
        return existing_kind(cur, s, n) is not None

    sql = compile_node(project, node, variables, exists, full_refresh=full_refresh)
    body = strip_sql(sql)
    relation = f"{q(schema)}.{q(name)}"
    current = existing_kind(cur, schema, name)
    statements = [f"CREATE SCHEMA IF NOT EXISTS {q(schema)}"]
    kind = "view" if node.materialized == "view" else "table"
    if current and current != kind:
        statements.append(f"DROP {current.upper()} {relation}")
        current = None
    if node.materialized == "view":
        statements.append(f"CREATE OR REPLACE VIEW {relation} AS (\n{body}\n)")
    elif node.materialized == "table" or current is None or full_refresh:
        statements.append(f"CREATE OR REPLACE TABLE {relation} AS (\n{body}\n)")
    else:
        statements.extend(incremental_statements(node, relation, body))
    run_statements(cur, statements, str(node.file))
    return _built(cur, node, kind, sql)


def incremental_statements(node: Node, relation: str, body: str) -> list[str]:
    """Merge the new rows into an existing table: by ``unique_key``, or appended without one."""
    tmp = q(node.identifier + "__dbt_tmp")
    key = node.config.get("unique_key")
    keys = [key] if isinstance(key, str) else list(key or [])
    strategy = node.config.get("incremental_strategy") or ("delete+insert" if keys else "append")
    out = [f"CREATE OR REPLACE TEMP TABLE {tmp} AS (\n{body}\n)"]
    if strategy == "append" or not keys:
        out.append(f"INSERT INTO {relation} BY NAME SELECT * FROM {tmp}")
    elif strategy == "merge":
        on = " AND ".join(f"{relation}.{q(k)} = {tmp}.{q(k)}" for k in keys)
        out.append(
            f"MERGE INTO {relation} USING {tmp} ON {on} WHEN MATCHED THEN UPDATE "
            "WHEN NOT MATCHED THEN INSERT BY NAME"
        )
    else:
        cols = ", ".join(q(k) for k in keys)
        out.append(f"DELETE FROM {relation} WHERE ({cols}) IN (SELECT {cols} FROM {tmp})")
        out.append(f"INSERT INTO {relation} BY NAME SELECT * FROM {tmp}")
    out.append(f"DROP TABLE {tmp}")
    return out


def _built(cur: Any, node: Node, kind: str, sql: str) -> Built:
    schema, name = node.schema, node.identifier
    rows = None
    if kind == "table":
        rows = int(cur.execute(f"SELECT count(*) FROM {q(schema)}.{q(name)}").fetchone()[0])
    return Built(f"{schema}.{name}", kind, node.materialized, rows, describe(cur, schema, name), sql)
