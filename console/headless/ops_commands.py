"""Day-2 operations: mark, pause, resume, diff and notifications."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from console.errors import ReadOnlyError, UsageError
from console.headless.output import console, escape_markup, fmt_time, print_json, printable

if TYPE_CHECKING:
    from console.session import Session


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("mark", parents=[common], help="set a task's (or a run's) state by hand, with an audit row")
    p.add_argument("run")
    p.add_argument("task", nargs="?")
    p.add_argument("--state", required=True, choices=("succeeded", "failed", "skipped"))
    p.add_argument("--reason", help="why (kept in the audit row)")
    p.set_defaults(func=cmd_mark)

    for name, verb in (("pause", "stop"), ("resume", "restart")):
        p = sub.add_parser(name, parents=[common], help=f"{verb} the schedules, file triggers and monitors of pipelines")
        p.add_argument("names", nargs="*", metavar="NAME|GLOB")
        p.add_argument("--all", action="store_true", help="every pipeline")
        if name == "pause":
            p.add_argument("--reason")
        p.set_defaults(func=cmd_pause if name == "pause" else cmd_resume)

    p = sub.add_parser("diff", parents=[common], help="what changed between two runs")
    p.add_argument("run_a")
    p.add_argument("run_b")
    p.set_defaults(func=cmd_diff)

    p = sub.add_parser("notifications", parents=[common], help="notification deliveries and failures")
    p.add_argument("--event")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=cmd_notifications)


def _writable(session: Session, what: str) -> None:
    if session.read_only:
        raise ReadOnlyError(f"read-only mode: {what} refused")


# -- mark ---------------------------------------------------------------------------------------
def cmd_mark(args: argparse.Namespace, session: Session) -> int:
    from console.store.marks import mark
    from console.store.runs import resolve_run_id

    _writable(session, "mark")
    run_id = resolve_run_id(session.store.db, args.run)
    row = mark(session.store.db, run_id, args.task, args.state, reason=args.reason)
    if args.json:
        print_json({"run_id": run_id, **row})
        return 0
    what = f"task {args.task}" if args.task else "the run"
    why = f" ({row['reason']})" if row["reason"] else ""
    # markup off, and a reason's control characters shown escaped, never obeyed by the terminal
    line = f"run {run_id}: {what} {row['from']} -> {row['to']} by {row['user']}{why}"
    console().print(printable(line), markup=False)
    if args.task and args.state == "succeeded":
        console().print(f"  continue past it: opsconsole rerun {run_id} --from-failed", markup=False)
    return 0


# -- pause / resume -------------------------------------------------------------------------------
def _targets(args: argparse.Namespace, session: Session, *, extra: set[str]) -> list[str]:
    from console.store.pauses import match

    if args.all and args.names:
        raise UsageError("give pipeline names or --all, not both")
    if not args.all and not args.names:
        raise UsageError("name the pipelines (names or globs such as 'fraud_*'), or pass --all")
    catalog = session.engine.catalog.load_all()
    names = set(catalog.pipelines) | {b.name for b in catalog.broken} | extra
    return sorted(names) if args.all else match(args.names, names)


def cmd_pause(args: argparse.Namespace, session: Session) -> int:
    from console.store.pauses import pause

    _writable(session, "pause")
    names = _targets(args, session, extra=set())
    changed = pause(session.store.db, names, reason=args.reason)
    return _report_pause(args, names, changed, "paused")


def cmd_resume(args: argparse.Namespace, session: Session) -> int:
    from console.store.pauses import paused_names, resume

    _writable(session, "resume")
    names = _targets(args, session, extra=paused_names(session.store.db))
    changed = resume(session.store.db, names)
    return _report_pause(args, names, changed, "resumed")


def _report_pause(args: argparse.Namespace, names: list[str], changed: list[str], verb: str) -> int:
    paused = verb == "paused"
    if args.json:
        print_json([{"name": n, "paused": paused, "changed": n in changed} for n in names])
        return 0
    out = console()
    for n in names:
        note = "" if n in changed else f" (already {verb if paused else 'active'})"
        out.print(f"{n}: {verb}{note}", markup=False)
    if not paused and changed:
        out.print("missed schedule ticks follow each pipeline's catchup policy", markup=False)
    return 0


# -- diff -------------------------------------------------------------------------------------------
def cmd_diff(args: argparse.Namespace, session: Session) -> int:
    from console.store.run_diff import diff_runs
    from console.store.runs import resolve_run_id

    db = session.store.db
    a, b = resolve_run_id(db, args.run_a), resolve_run_id(db, args.run_b)
    result = diff_runs(db, a, b)
    if args.json:
        print_json(result)
        return 0
    from console.diff_text import diff_text

    for line in diff_text(result):
        console().print(line, markup=False, highlight=False)
    return 0


# -- notifications ------------------------------------------------------------------------------------
def cmd_notifications(args: argparse.Namespace, session: Session) -> int:
    from console.store.notifications import list_notifications

    rows = list_notifications(session.store.db, limit=args.limit, event=args.event)
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        console().print("no notifications yet (rules: [tool.opsconsole.notify])", markup=False)
        return 0
    from datetime import datetime

    from rich.table import Table
    from rich.text import Text

    table = Table(show_edge=False, pad_edge=False, title=f"times in {_zone()}", title_justify="left")
    for col in ("#", "at", "event", "run", "target", "status", "tries", "error"):
        table.add_column(col)
    for r in rows:
        at = datetime.fromisoformat(r["sent_at"] or r["created_at"]).timestamp()
        style = {"sent": "green", "failed": "red", "retry": "yellow", "suppressed": "dim"}.get(r["status"], "")
        table.add_row(
            str(r["id"]), fmt_time(at), Text(r["event"]), str(r["run_id"] or "-"), Text(r["target"]),
            Text(r["status"], style=style), str(r["attempts"]), Text(r["error"] or ""),
        )
    console().print(table)
    return 0


def _zone() -> str:
    import time

    return escape_markup(time.strftime("%Z"))
