"""``checks --suite FILE.json DATA.csv`` and ``suggest FILE.csv --format gx``: Great
Expectations suites from the command line.

A validation is stored as a run of the synthetic pipeline ``suite:<name>`` (not in
``--read-only`` mode), so ``checks``, ``checks --history`` and the console show it like
any pipeline's checks. Exit 1 when an error-severity check fails.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from typing import TYPE_CHECKING, Any

from console.headless.output import console, escape_markup, print_json

if TYPE_CHECKING:
    from console.quality.results import Report
    from console.session import Session


def cmd_suite(args: argparse.Namespace, session: Session) -> int:
    """Validate a CSV against a suite; print and store the results."""
    from console.errors import UsageError
    from console.quality import read_csv, validate
    from console.quality.gx import load_suite, read_suite
    from console.quality.suite_runs import history_for, pipeline_name, record

    if not args.run:
        raise UsageError("checks --suite FILE.json needs the data file: checks --suite FILE.json DATA.csv")
    suite = read_suite(args.suite)
    checks = load_suite(args.suite)
    frame = read_csv(args.run)
    started = time.time()
    store = None if session.read_only else session.store
    history = history_for(store.db, suite.name) if store is not None else None
    report = validate(frame, checks, history=history)
    run_id = None
    if store is not None:
        params = {"suite": str(args.suite), "data": str(args.run)}
        run_id = record(store.db, suite.name, params, report, started)
    failed = any(not r.passed and r.severity == "error" and not r.quarantined for r in report.results)
    rows = [_row(r.to_dict(), run_id, pipeline_name(suite.name)) for r in report.results]
    if args.failed:
        rows = [r for r in rows if not r["passed"]]
    if args.json:
        print_json(rows)
    else:
        _print(rows, report, suite.name, run_id)
    if store is None:
        print("read-only: the results were not stored", file=sys.stderr)
    return 1 if failed else 0


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: Any) -> str:
    """Data text with terminal control characters (ESC, CR, NUL...) shown as ``\\xNN``."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


def _row(result: dict[str, Any], run_id: int | None, pipeline: str) -> dict[str, Any]:
    # the same shape as stored results read back by ``checks --json``
    return {**result, "run_id": run_id, "pipeline": pipeline, "task": "validate"}


def _print(rows: list[dict[str, Any]], report: Report, suite: str, run_id: int | None) -> None:
    from rich.table import Table
    from rich.text import Text

    where = f"run {run_id}" if run_id is not None else "not stored"
    title = Text(printable(f"suite {suite}: {report.rows:,} rows, {where}"))
    table = Table(title=title, show_edge=False, pad_edge=False)
    for col in ("check", "sev", "result", "failing", "observed / message"):
        table.add_column(col)
    for r in rows:
        if r["passed"]:
            result = Text("✓ pass", style="green")
        else:
            result = (
                Text("✗ fail", style="bold red")
                if r["severity"] == "error"
                else Text("! warn", style="yellow")
            )
        note = r["error"] or r.get("message") or ""
        table.add_row(
            Text(printable(r["check"])),
            r["severity"],
            result,
            f"{r['failing']}/{r['total']}",
            Text(printable(note)),
        )
    console().print(table)
    for r in rows:
        if not r["passed"] and r.get("sample"):
            console().print(f"[bold]{escape_markup(printable(r['check']))}[/]: first failing rows")
            for rec in r["sample"][:5]:
                console().print(Text("  " + printable(json.dumps(rec, default=str, ensure_ascii=False))))


def cmd_suggest_gx(args: argparse.Namespace, session: Session) -> int:
    """Write the suggested checks for a CSV as a GX 1.x suite (JSON on stdout)."""
    from pathlib import Path

    from console.quality.csvio import read_csv
    from console.quality.gx import suite_from_checks
    from console.quality.suggestions import suggest_checks

    frame = read_csv(args.file)
    name = args.name or Path(args.file).stem
    suite = suite_from_checks(suggest_checks(frame), name, frame)
    print(json.dumps(suite, indent=2, ensure_ascii=False))
    return 0
