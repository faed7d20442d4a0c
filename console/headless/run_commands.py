"""Subcommands about pipelines and runs: pipelines, run, runs, show, logs, rerun, cancel."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.engine.names import bounded_int
from console.headless.output import (
    console,
    escape_markup,
    fmt_duration,
    fmt_time,
    plain,
    print_json,
    run_duration,
    status_text,
)
from console.presentation import fmt_task_counts, times_note, zone_label
from console.store.vocabulary import ACTIVE_RUN_STATES

if TYPE_CHECKING:
    from console.session import Session


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("pipelines", parents=[common], help="list pipelines (broken ones with their error)")
    p.set_defaults(func=cmd_pipelines)

    p = sub.add_parser("run", parents=[common], help="run a pipeline and wait for it")
    p.add_argument("name")
    p.add_argument("--param", "-p", action="append", default=[], metavar="K=V", help="override a param")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("runs", parents=[common], help="list runs, newest first")
    p.add_argument("--pipeline")
    p.add_argument("--status")
    p.add_argument("--limit", type=bounded_int, default=20)
    p.set_defaults(func=cmd_runs)

    p = sub.add_parser("show", parents=[common], help="show a run and its tasks")
    p.add_argument("run")
    p.add_argument("--timeline", action="store_true", help="the tasks over time (attempts, critical path)")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("logs", parents=[common], help="print a run's task logs, or search logs across runs")
    p.add_argument("run", nargs="?")
    p.add_argument("task", nargs="?")
    p.add_argument("--follow", "-f", action="store_true", help="keep printing until the run ends")
    from console.headless.search_commands import add_search_options

    add_search_options(p)
    p.set_defaults(func=cmd_logs)

    p = sub.add_parser("rerun", parents=[common], help="run a pipeline again with a run's params")
    p.add_argument("run")
    p.add_argument(
        "--from-failed",
        dest="from_failed",
        action="store_true",
        help="reuse what succeeded; run only failed tasks and their downstream",
    )
    p.set_defaults(func=cmd_rerun)

    p = sub.add_parser("cancel", parents=[common], help="cancel a running run")
    p.add_argument("run")
    p.set_defaults(func=cmd_cancel)


# -- pipelines --------------------------------------------------------------------------
def pipeline_rows(session: Session) -> list[dict[str, Any]]:
    from console.store.pauses import paused_names

    catalog = session.engine.catalog.load_all()
    paused = paused_names(session.store.db)
    root = session.project.root
    rows: list[dict[str, Any]] = []

    def rel(path: str) -> str:
        try:
            return str(Path(path).resolve().relative_to(root))
        except ValueError:
            return path

    for p in catalog.pipelines.values():
        rows.append(
            {
                "name": p.name,
                "file": rel(p.file),
                "status": "ok",
                "error": None,
                "line": p.line,
                "tasks": list(p.tasks),
                "params": p.params,
                "schedule": p.schedule,
                "watch": p.watch,
                "description": p.description,
                "paused": p.name in paused,
            }
        )
    for b in catalog.broken:
        rows.append(
            {
                "name": b.name,
                "file": rel(b.file),
                "status": "broken",
                "error": b.error,
                "line": b.line,
                "tasks": [],
                "params": {},
                "schedule": None,
                "watch": None,
                "description": "",
                "paused": b.name in paused,
            }
        )
    rows.sort(key=lambda r: r["name"])
    return rows


def cmd_pipelines(args: argparse.Namespace, session: Session) -> int:
    rows = pipeline_rows(session)
    if args.json:
        print_json(rows)
        return 0
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False)
    for col in ("pipeline", "status", "tasks", "trigger", "file / error"):
        table.add_column(col)
    for r in rows:
        trig = r["schedule"] or (f"watch {r['watch']}" if r["watch"] else "manual")
        trig += " (paused)" if r["paused"] else ""
        where = (
            plain(r["file"])
            if r["status"] == "ok"
            else plain(f"{r['file']}:{r['line'] or '?'}: {r['error']}", "red")
        )
        table.add_row(plain(r["name"]), status_text(r["status"]), str(len(r["tasks"])), plain(trig), where)
    console().print(table)
    return 0


# -- run / rerun ---------------------------------------------------------------------------
def cmd_run(args: argparse.Namespace, session: Session) -> int:
    from console.engine.params import parse_pairs

    overrides = parse_pairs(args.param)
    runner = session.engine.prepare(args.name, overrides, trigger="manual")
    from console.headless.run_driver import wait_for

    return wait_for(runner, session, args)


def cmd_rerun(args: argparse.Namespace, session: Session) -> int:
    from console.store.runs import resolve_run_id

    run_id = resolve_run_id(session.store.db, args.run)
    session.engine.catalog.load_all()
    runner = session.engine.prepare_rerun(run_id, from_failed=args.from_failed)
    from console.headless.run_driver import wait_for

    return wait_for(runner, session, args)


def cmd_cancel(args: argparse.Namespace, session: Session) -> int:
    from console.store.runs import get_run_row, resolve_run_id, run_to_json

    run_id = resolve_run_id(session.store.db, args.run)
    state = session.engine.cancel(run_id)
    deadline = time.time() + 10
    run = get_run_row(session.store.db, run_id)
    while state == "cancelling" and run["status"] in ACTIVE_RUN_STATES and time.time() < deadline:
        time.sleep(0.1)
        run = get_run_row(session.store.db, run_id)
    if args.json:
        print_json(run_to_json(run) | {"cancel": state})
    elif state == "cancelling":
        console().print(
            f"run {run_id} {escape_markup(run['pipeline'])}: cancel requested; now {status_text(run['status'])}"
        )
    else:
        console().print(f"run {run_id} already ended: {status_text(run['status'])}")
    return 0


# -- runs / show / logs ------------------------------------------------------------------------
def cmd_runs(args: argparse.Namespace, session: Session) -> int:
    from console.store.runs import count_runs, list_runs, run_to_json

    db = session.store.db
    rows = list_runs(db, pipeline=args.pipeline, status=args.status, limit=args.limit)
    if not rows and args.pipeline:
        _check_pipeline_known(session, args.pipeline)
    if args.json:
        print_json([run_to_json(r) for r in rows])
        return 0
    if not rows:
        if count_runs(db) == 0:
            console().print("no runs yet: start one with `opsconsole run NAME`")
        else:
            wanted = " ".join(
                f"--{k} {v}" for k, v in (("pipeline", args.pipeline), ("status", args.status)) if v
            )
            console().print(f"no runs match {wanted}".rstrip(), markup=False)
        return 0
    from rich.table import Table

    table = Table(title=times_note(), title_justify="left", show_edge=False, pad_edge=False)
    for col, just in (
        ("#", "right"),
        ("pipeline", "left"),
        ("status", "left"),
        ("trigger", "left"),
        ("started", "left"),
        ("took", "right"),
        ("tasks", "right"),
    ):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    for r in rows:
        table.add_row(
            str(r["id"]),
            plain(r["pipeline"]),
            status_text(r["status"]) + (" [bold red]⚑ late[/]" if r.get("late") else ""),
            plain(r["trigger"]),
            fmt_time(r["started_at"] or r["created_at"]),
            fmt_duration(run_duration(r)),
            fmt_task_counts(r),
        )
    console().print(table)
    return 0


def _check_pipeline_known(session: Session, name: str) -> None:
    """An unknown ``--pipeline`` is bad input (exit 2), not an empty result: name the known ones."""
    from console.errors import UsageError
    from console.store.runs import known_pipelines

    stored = set(known_pipelines(session.store.db))
    if name in stored:
        return
    # only now pay for discovery: a pipeline that exists but never ran is fine
    rows = pipeline_rows(session)
    known = stored | {r["name"] for r in rows}
    if name in known:
        return
    listed = ", ".join(sorted(known)) or "none"
    raise UsageError(f"unknown pipeline {name!r} (known: {listed})")


def cmd_show(args: argparse.Namespace, session: Session) -> int:
    from console.store.marks import marks_of
    from console.store.runs import get_run_row, get_tasks, resolve_run_id, run_to_json

    run_id = resolve_run_id(session.store.db, args.run)
    run = get_run_row(session.store.db, run_id)
    tasks = get_tasks(session.store.db, run_id)
    marks = marks_of(session.store.db, run_id)
    if args.json:
        obj = run_to_json(run, tasks) | {"marks": marks}
        if args.timeline:
            from console.store.timeline import run_timeline

            obj["timeline"] = run_timeline(session.store.db, run_id, time.time()).to_json()
        print_json(obj)
        return 0
    if args.timeline:
        from console.headless.timeline_text import print_timeline

        print_timeline(session, run_id)
        return 0
    import json

    from rich.table import Table

    out = console()
    out.print(
        f"[bold]run {run_id}[/] {escape_markup(run['pipeline'])}  {status_text(run['status'])}  trigger {escape_markup(run['trigger'])}"
        f"  started {fmt_time(run['started_at'])} {zone_label()}  took {fmt_duration(run_duration(run))}"
        f"  tasks {fmt_task_counts(run)}"
    )
    out.print(f"params {escape_markup(json.dumps(json.loads(run['params']), ensure_ascii=False))}")
    if run.get("host"):
        out.print(f"host {run['host']}  pid {run.get('pid') or '-'}", markup=False)
    from console.store.recovery import recoveries

    for rec in recoveries(session.store.db, run_id):
        forced = " (forced)" if rec.forced else ""
        why = f": {rec.reason}" if rec.reason else ""
        out.print(f"recovered{forced} by {rec.user} on {rec.host} at {fmt_time(rec.at)}{why}", markup=False)
    if run["parent_run_id"]:
        out.print(f"rerun of run {run['parent_run_id']}")
    if run["source_sha256"]:
        out.print(f"source sha256 {run['source_sha256'][:16]}  git {escape_markup(run['git_commit'] or '-')}")
    if run["error"]:
        out.print(plain(run["error"], "red"))
    if run.get("late"):
        sla = f"its SLA of {fmt_duration(run['sla_s'])}" if run.get("sla_s") else "a task's SLA"
        out.print(f"[bold red]⚑ late[/]: past {sla} (opsconsole alerts --monitor sla:{escape_markup(run['pipeline'])})")
    table = Table(show_edge=False, pad_edge=False)
    for col in ("task", "status", "attempts", "took", "upstream", "error"):
        table.add_column(col)
    for t in tasks:
        status = status_text(t["status"]) + (" (reused)" if t["reused"] else "")
        table.add_row(
            plain(t["name"]),
            status,
            str(t["attempts"]),
            fmt_duration(t["duration_s"]),
            plain(", ".join(json.loads(t["upstream"]))),
            plain(t["error"] or ""),
        )
    out.print(table)
    if marks:
        from console.headless.timeline_text import print_marks

        print_marks(marks)
    return 0


def log_line_json(task: str, line: str) -> dict[str, object]:
    """One line of ``logs --json``: ``line`` as written, plus its ``at`` (ISO 8601, offset) and ``text``."""
    from console.store.log_stamps import split

    at, text = split(line)
    return {"task": task, "line": line, "at": at, "text": text}


def cmd_logs(args: argparse.Namespace, session: Session) -> int:
    from console.errors import NotFoundError, UsageError
    from console.presentation import times_note
    from console.store.log_stamps import local_lines
    from console.store.runs import get_run_row, get_tasks, resolve_run_id

    if args.search is not None:
        from console.headless.search_commands import cmd_search

        return cmd_search(args, session)
    if args.run is None:
        raise UsageError("logs needs a RUN (or --search REGEX to search every run)")
    store = session.store
    run_id = resolve_run_id(store.db, args.run)
    tasks = [t["name"] for t in get_tasks(store.db, run_id)]
    if args.task and args.task not in tasks:
        raise NotFoundError(f"run {run_id} has no task {args.task!r} (tasks: {', '.join(tasks)})")
    names = [args.task] if args.task else tasks
    offsets = {name: 0 for name in names}
    zone_said = False
    last_pass = not args.follow
    while True:
        ended = args.follow and get_run_row(store.db, run_id)["status"] not in ACTIVE_RUN_STATES
        for name in names:
            path = store.log_path(run_id, name)
            if not path.exists():
                continue
            with open(path, encoding="utf-8", errors="replace", newline="") as fh:
                fh.seek(offsets[name])
                text = fh.read()
                offsets[name] = fh.tell()
            if not text:
                continue
            lines = text.removesuffix("\n").split("\n")  # lines end at \n only, as they are counted
            if args.json:
                for line in lines:
                    print_json(log_line_json(name, line))
            else:
                if not zone_said:
                    zone_said = True
                    # stamps are shown in local time: the zone is named once, before the lines
                    # (on stderr when piped, so the lines stay the only thing a pipe reads)
                    out = sys.stdout if sys.stdout.isatty() else sys.stderr
                    out.write(f"run {run_id} logs, {times_note()}\n")
                prefix = "" if args.task else f"[{name}] "
                lines = local_lines(lines)
                if sys.stdout.isatty():
                    from console.presentation import terminal_safe

                    lines = [terminal_safe(ln) for ln in lines]
                sys.stdout.write("".join(f"{prefix}{ln}\n" for ln in lines))
                sys.stdout.flush()
        if last_pass:
            return 0
        last_pass = ended  # one more read after the run ended, for its last lines
        if not ended:
            time.sleep(0.2)
