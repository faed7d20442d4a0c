"""Subcommands about data quality: ``checks [RUN]`` and ``suggest FILE.csv``."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from console.headless.output import console, escape_markup, fmt_time, plain, print_json
from console.presentation import times_note
from console.quality.history import check_history, check_rows
from console.store.runs import iso

if TYPE_CHECKING:
    from console.session import Session
    from console.store.db import Database

MAX_SUGGEST_COLUMNS = 2_000


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "checks",
        parents=[common],
        help="check results of a run (default: each pipeline's latest checked run)",
    )
    p.add_argument("run", nargs="?", help="a run id; with --suite, the CSV file to validate")
    p.add_argument("--suite", metavar="FILE.json", help="validate DATA.csv against a Great Expectations suite")
    p.add_argument("--pipeline")
    p.add_argument("--failed", action="store_true", help="only checks that did not pass")
    p.add_argument("--history", metavar="CHECK", help="a check's observed value over past runs")
    p.set_defaults(func=cmd_checks)

    p = sub.add_parser(
        "suggest", parents=[common], help="propose checks for a CSV as Python code to paste into a pipeline"
    )
    p.add_argument("file")
    p.add_argument("--format", choices=("python", "gx"), default="python", help="gx: a Great Expectations suite")
    p.add_argument("--name", help="the suite's name with --format gx (default: the file's stem)")
    p.set_defaults(func=cmd_suggest)


def cmd_checks(args: argparse.Namespace, session: Session) -> int:
    # importing console.quality loads pandas: only the command that shows checks pays for it
    from console.store.runs import resolve_run_id

    if args.suite:
        from console.headless.suite_commands import cmd_suite

        return cmd_suite(args, session)
    db = session.store.db
    if args.history:
        return _history(args, db)
    run_id = resolve_run_id(db, args.run) if args.run else None

    rows = check_rows(db, run_id, args.pipeline)
    if args.failed:
        rows = [r for r in rows if not r["passed"]]
    failed = any(not r["passed"] and r["severity"] == "error" and not r.get("quarantined") for r in rows)
    if args.json:
        print_json(rows)
        return 1 if failed else 0
    if not rows:
        console().print("no check results yet: give a task checks=[...] and run its pipeline")
        return 0
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False)
    for col in ("run", "pipeline", "task", "check", "sev", "result", "failing", "observed / error"):
        table.add_column(col)
    for r in rows:
        if r["passed"]:
            result = "[green]✓ pass[/]"
        elif r.get("quarantined"):
            result = "[yellow]⇥ quarantined[/]"
        else:
            result = "[bold red]✗ fail[/]" if r["severity"] == "error" else "[yellow]! warn[/]"
        obs = r["error"] or ("" if r["observed"] is None else f"{r['observed']:.6g}")
        if r.get("reused_from") is not None:
            result += f" (reused from run {r['reused_from']})"
        table.add_row(
            str(r["run_id"]),
            plain(r["pipeline"]),
            plain(r["task"]),
            plain(r["check"]),
            plain(r["severity"]),
            result,
            f"{r['failing']}/{r['total']}",
            plain(obs),
        )
    console().print(table)
    for r in rows:
        if not r["passed"] and r["sample"]:
            where = escape_markup(f"{r['pipeline']}.{r['task']} {r['check']}")
            console().print(f"[bold]{where}[/]: first failing rows")
            for rec in r["sample"][:5]:
                console().print(plain(f"  {json.dumps(rec, default=str, ensure_ascii=False)}"))
    return 1 if failed else 0


def _history(args: argparse.Namespace, db: Database) -> int:

    points = check_history(db, args.history, args.pipeline)
    if args.json:
        print_json([p | {"at": iso(p["at"])} for p in points])
        return 0
    if points:
        console().print(times_note(), markup=False)
    for p in points:
        mark = "✓" if p["passed"] else "✗"
        console().print(
            plain(
                f"{fmt_time(p['at'])}  run {p['run_id']:>5}  {p['pipeline']}.{p['task']}  {mark} {p['observed']}"
            )
        )
    return 0


def cmd_suggest(args: argparse.Namespace, session: Session) -> int:
    from console.errors import DataError
    from console.quality.csvio import header_width, read_csv
    from console.quality.suggestions import suggest

    # one check per column: a 1,000,000-column header would take minutes and gigabytes
    width = header_width(args.file)
    if width > MAX_SUGGEST_COLUMNS:
        raise DataError(
            f"{args.file}: {width:,} columns in the header; suggest reads at most {MAX_SUGGEST_COLUMNS:,} "
            f"(cut the file first, e.g. cut -d, -f1-{MAX_SUGGEST_COLUMNS})"
        )
    if args.format == "gx":
        from console.headless.suite_commands import cmd_suggest_gx

        return cmd_suggest_gx(args, session)
    frame = read_csv(args.file)
    code = suggest(frame)
    if args.json:
        print_json({"file": args.file, "rows": len(frame), "code": code})
    else:
        print(code)
    return 0
