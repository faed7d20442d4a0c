"""``opsconsole logs --search REGEX``: matching lines across runs' task logs, with context."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

from console.headless.output import print_json
from console.presentation import strip_controls

if TYPE_CHECKING:
    from console.session import Session


def add_search_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--search", "-s", metavar="REGEX", help="search the logs of every run (or RUN's)")
    p.add_argument("--pipeline", help="with --search: only runs of this pipeline")
    p.add_argument("--since", metavar="AGE", help="with --search: only runs started within AGE (7d, 12h, 30m)")
    p.add_argument("--task", dest="search_task", metavar="TASK", help="with --search: only this task's logs")
    p.add_argument("--context", "-C", type=int, default=2, metavar="N", help="lines of context (text output)")
    p.add_argument("--ignore-case", "-i", action="store_true", help="with --search: case-insensitive")
    p.add_argument("--limit", type=int, default=None, metavar="N", help="with --search: stop after N matches")


def cmd_search(args: argparse.Namespace, session: Session) -> int:
    from console.engine.pipeline import sla_seconds
    from console.errors import PipelineDefinitionError, UsageError
    from console.store.log_search import compile_pattern, search_logs
    from console.store.runs import resolve_run_id

    pattern = compile_pattern(args.search, ignore_case=args.ignore_case)
    since = None
    if args.since:
        try:
            age = sla_seconds(args.since, "--since")
        except PipelineDefinitionError as exc:
            raise UsageError(str(exc)) from exc
        since = time.time() - (age or 0)
    store = session.store
    run_ids = [resolve_run_id(store.db, args.run)] if args.run else None
    task = args.search_task or args.task
    context = 0 if args.json else max(args.context, 0)
    matches = search_logs(
        store.logs_dir, pattern, db=store.db, pipeline=args.pipeline, since=since, task=task,
        context=context, limit=args.limit, run_ids=run_ids, workers=search_workers(),
    )
    if args.json:
        print_json([m.to_json() for m in matches])
        return 0
    from console.presentation import times_note
    from console.store.log_stamps import local_line

    out = sys.stdout
    n = 0
    for m in matches:
        if not n:  # stamps in local time, the zone named once (on stderr when piped, like grep's output)
            (out if out.isatty() else sys.stderr).write(f"log lines, {times_note()}\n")
        if n and context:
            out.write("--\n")
        head = f"run {m.run_id} {m.task}"
        first = m.line_no - len(m.before)
        for i, line in enumerate(m.before):
            out.write(f"{head}:{first + i}- {strip_controls(local_line(line))}\n")
        out.write(f"{head}:{m.line_no}: {strip_controls(local_line(m.line))}\n")
        for i, line in enumerate(m.after):
            out.write(f"{head}:{m.line_no + 1 + i}- {strip_controls(local_line(line))}\n")
        n += 1
    out.flush()
    if not n:
        sys.stderr.write(f"no log line matches {args.search!r}\n")
    return 0


def search_workers() -> int:
    """Processes for a big search: the idle cores (load average), at most 4; else 1.

    On a busy machine forked scanners only compete with each other (measured slower than
    one process at load 5 on 2 cores), and forking a process with threads is unsafe.
    """
    import os
    import threading

    if threading.active_count() > 1:
        return 1
    try:
        idle = (os.cpu_count() or 1) - os.getloadavg()[0]
    except OSError:
        return 1
    return max(1, min(4, int(idle))) if idle >= 1.5 else 1
