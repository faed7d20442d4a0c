"""Building nodes in DuckDB: seeds from CSV, and view, table and incremental models.

Each build runs in one transaction, so a failing statement leaves the previous table as it
was (an incremental model never ends up half-merged).
"""

from __future__ import annotations

import contextlib
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


# duckdb_tables()/duckdb_views() of the warehouse itself: a third of information_schema's cost,
# and a connection's temporary table of the same name is not mistaken for the model
_KIND_SQL = (
    "SELECT 'table' FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = ?"
    " AND table_name = ? UNION ALL SELECT 'view' FROM duckdb_views() WHERE database_name = current_database()"
    " AND schema_name = ? AND view_name = ? AND NOT internal"
)


def existing_kind(cur: Any, schema: str, name: str) -> str | None:
    """``table``, ``view`` or None: what the warehouse holds at ``schema.name``."""
    row = cur.execute(_KIND_SQL, [schema, name, schema, name]).fetchone()
    return None if row is None else str(row[0])


def describe(cur: Any, schema: str, name: str) -> list[tuple[str, str]]:
    """(column, type) of a relation, in order (DESCRIBE: the same type names as information_schema)."""
    rows = cur.execute(f"DESCRIBE {q(schema)}.{q(name)}").fetchall()
    return [(str(r[0]), str(r[1])) for r in rows]


# One build at a time per process: cursors of one DuckDB connection run concurrently, but two
# builds creating the same schema (or replacing related views) would hit a write-write conflict.
# DuckDB parallelises each statement itself, so little is lost; tests still read in parallel.
_BUILD_LOCK = threading.Lock()


def run_statements(cur: Any, statements: list[str], where: str) -> list[Any]:
    """Run ``statements`` in one transaction; DuckDB's error becomes SqlQueryError naming ``where``.

    Returns each statement's first result row (a CREATE TABLE AS or INSERT reports its row count).
    """
    with _BUILD_LOCK:
        return _transaction(cur, statements, where)


def _transaction(cur: Any, statements: list[str], where: str) -> list[Any]:
    cur.execute("BEGIN TRANSACTION")
    try:
        results = [cur.execute(statement).fetchone() for statement in statements]
        cur.execute("COMMIT")
    except Exception as exc:
        try:
            cur.execute("ROLLBACK")
        except Exception:  # noqa: BLE001, S110 - the transaction may already be aborted
            pass
        if isinstance(exc, SqlQueryError | DataError):
            raise
        raise SqlQueryError(f"{where}: {one_line(exc)}") from exc
    return results


def _reported_rows(results: list[Any]) -> int | None:
    """The row count the last statement (a CREATE TABLE AS) reported, if it did."""
    last = results[-1] if results else None
    return int(last[0]) if last and isinstance(last[0], int) else None


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
    source = f"read_csv('{path}', {opts})"
    # The CSV is read (sniffed, parsed) once, into a temporary table of this cursor and outside
    # the build lock, so seeds load in parallel; the locked transaction only copies it.
    staged = f"temp.main.{q(name + '__seed_load')}"
    try:
        cur.execute(f"CREATE OR REPLACE TEMP TABLE {q(name + '__seed_load')} AS SELECT * FROM {source}")
        replace = _integer_columns(cur, staged, types)
    except Exception as exc:  # noqa: BLE001 - DuckDB raises several types for a bad file
        with contextlib.suppress(Exception):
            cur.execute(f"DROP TABLE IF EXISTS {staged}")
        raise SqlQueryError(f"{node.file}: {one_line(exc)}") from exc
    statements = [f"CREATE SCHEMA IF NOT EXISTS {q(schema)}"]
    if existing_kind(cur, schema, name) == "view":
        statements.append(f"DROP VIEW {relation}")
    statements.append(f"CREATE OR REPLACE TABLE {relation} AS SELECT *{replace} FROM {staged}")
    try:
        rows = _reported_rows(run_statements(cur, statements, str(node.file)))
    finally:
        with contextlib.suppress(Exception):
            cur.execute(f"DROP TABLE IF EXISTS {staged}")
    return _built(cur, node, "table", f"-- seed\nSELECT *{replace} FROM {source}", rows)


def _integer_columns(cur: Any, staged: str, types: dict[str, Any]) -> str:
    """`` REPLACE (...)`` casting whole-number columns to INTEGER when they fit, as dbt's seeds type them."""
    loaded = cur.execute(f"DESCRIBE {staged}").fetchall()
    wide = [str(r[0]) for r in loaded if str(r[1]) == "BIGINT" and str(r[0]) not in types]
    if not wide:
        return ""
    bounds = ", ".join(f"min({q(c)}) >= -2147483648 AND max({q(c)}) <= 2147483647" for c in wide)
    fits = cur.execute(f"SELECT {bounds} FROM {staged}").fetchone()
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
    fresh = node.materialized != "view" and (node.materialized == "table" or current is None or full_refresh)
    if node.materialized == "view":
        statements.append(f"CREATE OR REPLACE VIEW {relation} AS (\n{body}\n)")
    elif fresh:
        statements.append(f"CREATE OR REPLACE TABLE {relation} AS (\n{body}\n)")
    else:
        statements.extend(incremental_statements(node, relation, body))
    results = run_statements(cur, statements, str(node.file))
    # a CREATE TABLE AS reports its rows; a merged incremental table is counted after
    return _built(cur, node, kind, sql, _reported_rows(results) if fresh else None)


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


def _built(cur: Any, node: Node, kind: str, sql: str, rows: int | None = None) -> Built:
    schema, name = node.schema, node.identifier
    if kind == "table" and rows is None:
        rows = int(cur.execute(f"SELECT count(*) FROM {q(schema)}.{q(name)}").fetchone()[0])
    return Built(f"{schema}.{name}", kind, node.materialized, rows, describe(cur, schema, name), sql)
