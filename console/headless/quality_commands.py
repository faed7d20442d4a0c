"""Subcommands about data quality: ``checks [RUN]`` and ``suggest FILE.csv``."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from console.headless.output import console, fmt_time, print_json

if TYPE_CHECKING:
    from console.session import Session
    from console.store.db import Database


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "checks",
        parents=[common],
        help="check results of a run (default: each pipeline's latest checked run)",
    )
    p.add_argument("run", nargs="?")
    p.add_argument("--pipeline")
    p.add_argument("--failed", action="store_true", help="only checks that did not pass")
    p.add_argument("--history", metavar="CHECK", help="a check's observed value over past runs")
    p.set_defaults(func=cmd_checks)

    p = sub.add_parser(
        "suggest", parents=[common], help="propose checks for a CSV as Python code to paste into a pipeline"
    )
    p.add_argument("file")
    p.set_defaults(func=cmd_suggest)


def cmd_checks(args: argparse.Namespace, session: Session) -> int:
    from console.store.runs import resolve_run_id

    db = session.store.db
    if args.history:
        return _history(args, db)
    run_id = resolve_run_id(db, args.run) if args.run else None
    from console.quality.history import check_rows  # importing console.quality loads pandas

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
        table.add_row(
            str(r["run_id"]),
            r["pipeline"],
            r["task"],
            r["check"],
            r["severity"],
            result,
            f"{r['failing']}/{r['total']}",
            obs,
        )
    console().print(table)
    for r in rows:
        if not r["passed"] and r["sample"]:
            console().print(f"[bold]{r['pipeline']}.{r['task']} {r['check']}[/]: first failing rows")
            for rec in r["sample"][:5]:
                console().print(f"  {json.dumps(rec, default=str)}")
    return 1 if failed else 0


def _history(args: argparse.Namespace, db: Database) -> int:
    from console.quality.history import check_history

    points = check_history(db, args.history, args.pipeline)
    if args.json:
        print_json(points)
        return 0
    for p in points:
        mark = "✓" if p["passed"] else "✗"
        console().print(
            f"{fmt_time(p['at'])}  run {p['run_id']:>5}  {p['pipeline']}.{p['task']}  {mark} {p['observed']}"
        )
    return 0


def cmd_suggest(args: argparse.Namespace, session: Session) -> int:
    from console.quality.csvio import read_csv
    from console.quality.suggest import suggest

    frame = read_csv(args.file)
    code = suggest(frame)
    if args.json:
        print_json({"file": args.file, "rows": len(frame), "code": code})
    else:
        print(code)
    return 0
