"""Subcommands about the warehouse: ``sql "QUERY"``, ``tables`` and ``lineage NAME``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.headless.output import console, fmt_time, print_json

if TYPE_CHECKING:
    from console.session import Session

MAX_PRINTED_ROWS = 1000


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("sql", parents=[common], help="run a read-only SQL query on the warehouse")
    p.add_argument("query", help='e.g. "SELECT * FROM orders LIMIT 5"')
    p.set_defaults(func=cmd_sql)
    p = sub.add_parser("tables", parents=[common], help="warehouse tables and views, and what built them")
    p.set_defaults(func=cmd_tables)
    p = sub.add_parser(
        "lineage", parents=[common], help="what a model, seed, source or table reads and feeds"
    )
    p.add_argument("name")
    p.set_defaults(func=cmd_lineage)


def warehouse(session: Session) -> Path:
    from console.sql.warehouse import warehouse_path

    project = session.project
    return warehouse_path(project.root, project.home, project.extra)


def cell(value: Any) -> Any:
    from rich.text import Text

    from console.sql.testing import json_value

    shown = json_value(value)
    text = "NULL" if shown is None else str(shown)
    return Text(strip_controls(text), style="dim" if shown is None else "")


def strip_controls(text: str) -> str:
    """Data text without terminal control characters (escape sequences, carriage returns, NUL)."""
    return "".join(ch if ch >= " " or ch == "\t" else "?" for ch in text).replace("\x7f", "?")


def cmd_sql(args: argparse.Namespace, session: Session) -> int:
    from rich.table import Table
    from rich.text import Text

    from console.sql.queries import run_query

    result = run_query(warehouse(session), args.query)
    if args.json:
        print_json(result.to_json())
        return 0
    table = Table(show_edge=False, header_style="bold")
    for name in result.columns:
        table.add_column(Text(strip_controls(name)), overflow="fold")
    for row in result.rows[:MAX_PRINTED_ROWS]:
        table.add_row(*(cell(v) for v in row))
    out = console()
    if result.columns:
        out.print(table)
    more = len(result.rows) - MAX_PRINTED_ROWS
    out.print(
        f"{len(result.rows):,} row{'s' if len(result.rows) != 1 else ''}"
        + (f" ({more:,} not shown: use --json or LIMIT)" if more > 0 else ""),
        highlight=False,
    )
    return 0


def cmd_tables(args: argparse.Namespace, session: Session) -> int:
    from rich.table import Table
    from rich.text import Text

    from console.presentation import fmt_number
    from console.sql.queries import list_tables

    tables = list_tables(warehouse(session), session.store.db)
    if args.json:
        from console.store.runs import iso

        print_json([{**t, "built_at": iso(t["built_at"])} for t in tables])
        return 0
    table = Table(show_edge=False, header_style="bold", title=f"warehouse ({_zone()})", title_justify="left")
    for name in ("table", "kind", "rows", "columns", "model", "run", "built"):
        table.add_column(name, justify="right" if name in ("rows", "columns", "run") else "left")
    for t in tables:
        table.add_row(
            Text(strip_controls(t["name"])),
            t["kind"],
            fmt_number(t["rows"]) if t["rows"] is not None else "",
            str(t["columns"]),
            Text(strip_controls(t["model"] or "")),
            str(t["run_id"] or ""),
            fmt_time(t["built_at"]) if t["built_at"] else "",
        )
    out = console()
    if tables:
        out.print(table)
    else:
        out.print("the warehouse has no tables yet (run a SQL pipeline)", highlight=False)
    return 0


def _zone() -> str:
    import time

    return time.strftime("%Z")


def cmd_lineage(args: argparse.Namespace, session: Session) -> int:
    from rich.text import Text

    from console.sql.lineage import lineage

    graph = lineage(session.engine.catalog.load_all(), session.store.db, args.name)
    if args.json:
        print_json(graph)
        return 0
    out = console()
    out.print(Text(f"{graph['name']}  ({graph['kind']}, pipeline {graph['pipeline']})", style="bold"))
    for side in ("upstream", "downstream"):
        out.print(Text(f"{side}:", style="bold"))
        if not graph[side]:
            out.print("  (none)", highlight=False)
        for item in graph[side]:
            indent = "  " * item["depth"]
            where = f"  [{item['pipeline']}]" if item["pipeline"] != graph["pipeline"] else ""
            out.print(Text(f"{indent}{strip_controls(item['name'])} ({item['kind']}){strip_controls(where)}"))
    return 0
