"""Reading the warehouse: ad-hoc queries, the table list with who built what, table previews.

Every read goes through ``read_cursor``: a borrowed cursor when this process writes the
warehouse, else a read-only connection that retries briefly and then names the writer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from console.errors import OpsConsoleError, SqlQueryError
from console.sql.materialize import one_line, q
from console.sql.testing import json_value
from console.sql.warehouse import read_cursor

LAST_BUILDS_SQL = (
    "SELECT relation, pipeline, task, run_id, at, materialized, rows, compiled_sql, upstream FROM sql_builds"
    " WHERE id IN (SELECT max(id) FROM sql_builds GROUP BY relation)"
)


@dataclass
class QueryResult:
    """Columns and rows of one query (values as DuckDB returns them)."""

    columns: list[str]
    rows: list[tuple[Any, ...]]
    types: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """``{"columns": [...], "rows": [[...], ...]}`` with dates and timestamps as ISO text."""
        return {"columns": self.columns, "rows": [[json_value(v) for v in row] for row in self.rows]}


def run_query(path: Path, sql: str, *, limit: int | None = None) -> QueryResult:
    """Run one statement read-only; a DuckDB error is SqlQueryError with its one-line message."""
    with read_cursor(path) as cur:
        try:
            result = cur.execute(sql)
            if result.description is None:
                return QueryResult([], [])
            rows = result.fetchmany(limit) if limit is not None else result.fetchall()
        except OpsConsoleError:
            raise
        except Exception as exc:  # noqa: BLE001 - every DuckDB error becomes one line, exit 2
            raise SqlQueryError(one_line(exc)) from exc
        return QueryResult(
            [str(d[0]) for d in result.description],
            [tuple(r) for r in rows],
            [str(d[1]) for d in result.description],
        )


def last_builds(db: Any) -> dict[str, dict[str, Any]]:
    """The latest build of each relation (``schema.name``) recorded in the store."""
    try:
        rows = db.query(LAST_BUILDS_SQL)
    except Exception:  # noqa: BLE001 - a store from before SQL models has no such table
        return {}
    return {r["relation"]: dict(r) for r in rows}


def list_tables(path: Path, db: Any) -> list[dict[str, Any]]:
    """Every table and view of the warehouse with rows, columns and the model, run and time that built it."""
    builds = last_builds(db)
    out: list[dict[str, Any]] = []
    with read_cursor(path) as cur:
        listed = cur.execute(
            "SELECT table_schema, table_name, table_type FROM information_schema.tables"
            " WHERE table_catalog = current_database() ORDER BY table_schema, table_name"
        ).fetchall()
        for schema, name, kind in listed:
            relation = f"{schema}.{name}"
            view = "VIEW" in str(kind).upper()
            cols = cur.execute(
                "SELECT count(*) FROM information_schema.columns WHERE table_schema=? AND table_name=?",
                [schema, name],
            ).fetchone()[0]
            rows = (
                None
                if view
                else int(cur.execute(f"SELECT count(*) FROM {q(schema)}.{q(name)}").fetchone()[0])
            )
            build = builds.get(relation, {})
            out.append(
                {
                    "name": name if schema == "main" else relation,
                    "kind": "view" if view else "table",
                    "rows": rows,
                    "columns": int(cols),
                    "model": build.get("task"),
                    "pipeline": build.get("pipeline"),
                    "materialized": build.get("materialized"),
                    "run_id": build.get("run_id"),
                    "built_at": build.get("at"),
                }
            )
    return out


def preview(path: Path, db: Any, name: str, *, rows: int = 20) -> dict[str, Any]:
    """First rows, compiled SQL and recorded upstream of one table (for the Data tab)."""
    schema, _, table = name.rpartition(".")
    schema = schema or "main"
    result = run_query(path, f"SELECT * FROM {q(schema)}.{q(table)} LIMIT {int(rows)}")
    build = last_builds(db).get(f"{schema}.{table}", {})
    return {
        "name": name,
        "columns": result.columns,
        "types": result.types,
        "rows": [[json_value(v) for v in row] for row in result.rows],
        "compiled_sql": build.get("compiled_sql"),
        "upstream": json.loads(build.get("upstream") or "[]"),
        "model": build.get("task"),
        "run_id": build.get("run_id"),
    }
