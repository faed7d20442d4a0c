"""The headless service and its companions: ``--no-ui`` (no command), watch, backfill.

``opsconsole --no-ui`` runs the trigger service (schedules, file arrival, hot reload,
monitors) and prints one line per run event and per trigger decision until stopped.
``opsconsole watch`` does the same and also prints the events of runs started by other
processes (cron jobs, another shell, the console), read from the store's ``events`` table
after the last sequence number seen: a live tail of everything. Only one process per
project runs the triggers (a lock in the state directory); ``watch`` next to a running
service only follows, and ``watch --no-triggers`` never starts anything.

Stopping: SIGTERM (systemd, docker stop, kill) cancels the runs the service started
(their unfinished tasks end ``cancelled``, nothing is left ``running``), flushes the
store and exits 0: a requested stop is a clean stop. SIGINT (Ctrl-C) does the same and
exits 130, the shell's code for "interrupted" (ARCHITECTURE.md, Exit codes).
A second signal during the stop exits at once (the store stays consistent: runs left
behind are marked ``interrupted`` by the next process that opens it).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from typing import TYPE_CHECKING, Any

from console.engine.shutdown import exit_past_stuck_tasks
from console.headless.output import print_json

if TYPE_CHECKING:
    from console.session import Session
    from console.store.db import Database
    from console.triggers.service import Decision

EXIT_OK, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 130


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "watch", parents=[common], help="run triggers and print every run's events, from any process"
    )
    p.add_argument(
        "--no-triggers", dest="no_triggers", action="store_true", help="only follow; start nothing"
    )
    p.set_defaults(func=cmd_watch)

    p = sub.add_parser("backfill", parents=[common], help="one run per schedule interval of a date range")
    p.add_argument("name")
    p.add_argument("--start", required=True, metavar="DATE", help="first day (2026-01-01) or a date and time")
    p.add_argument("--end", required=True, metavar="DATE", help="last day, included (2026-01-31)")
    p.add_argument("--max-parallel", dest="max_parallel", type=int, default=None, metavar="N")
    p.add_argument("--schedule", default=None, help="cut the range with this schedule instead")
    p.add_argument("--param", "-p", action="append", default=[], metavar="K=V", help="a param for every run")
    p.add_argument("--dry-run", dest="dry_run", action="store_true", help="list the intervals, run nothing")
    p.set_defaults(func=cmd_backfill)


# -- output ------------------------------------------------------------------------------------
class Lines:
    """Events, decisions and notes as lines (or JSON lines), safe from any thread."""

    def __init__(self, as_json: bool, stream: Any = None) -> None:
        self.as_json = as_json
        self.stream = stream or sys.stdout
        self._lock = threading.Lock()

    def _write(self, text: str) -> None:
        with self._lock:
            try:
                self.stream.write(text + "\n")
                self.stream.flush()
            except (BrokenPipeError, ValueError):
                pass  # the reader went away; keep serving

    def event(self, event: dict[str, Any]) -> None:
        if self.as_json:
            self._write(json.dumps({"type": "event", **event}, default=str))
            return
        from console.headless.progress import format_event

        if event.get("run_id") is None:
            data = event.get("data") or {}
            stamp = time.strftime("%H:%M:%S", time.localtime(event.get("at") or time.time()))
            self._write(f"{stamp} {event['kind']} {data.get('summary', '')}".rstrip())
            return
        line = format_event(event)
        if line:
            self._write(line)

    def decision(self, decision: Decision) -> None:
        self._write(json.dumps(decision.to_json(), default=str) if self.as_json else decision.line())

    def note(self, message: str) -> None:
        if self.as_json:
            self._write(json.dumps({"type": "note", "at": time.time(), "message": message}))
        else:
            self._write(f"{time.strftime('%H:%M:%S')} service: {message}")


class EventTail:
    """Events other processes wrote to the store, after the last sequence number seen."""

    def __init__(self, db: Database, emit: Any) -> None:
        from console.store.runs import last_seq

        self.db = db
        self.emit = emit
        self.seq = last_seq(db)
        self.runs: dict[int, tuple[str, bool]] = {}

    def _run(self, run_id: int) -> tuple[str, bool]:
        if run_id not in self.runs:
            from console.store.db import HOST, MY_PID

            row = self.db.query_one("SELECT pipeline, pid, host FROM runs WHERE id=?", (run_id,))
            if row is None:
                return "", False
            self.runs[run_id] = (row["pipeline"], row["pid"] == MY_PID and row["host"] == HOST)
        return self.runs[run_id]

    def poll(self) -> int:
        from console.store.runs import events_after

        rows = events_after(self.db, self.seq)
        for row in rows:
            self.seq = row["seq"]
            pipeline, own = self._run(row["run_id"]) if row["run_id"] is not None else ("", False)
            if own:
                continue  # this process's runs are printed live
            data = row["data"]
            try:
                data = json.loads(data) if data else {}
            except ValueError:
                data = {}
            self.emit(
                {
                    "kind": row["kind"],
                    "run_id": row["run_id"],
                    "task": row["task"],
                    "status": row["status"],
                    "data": data,
                    "pipeline": pipeline,
                    "at": row["at"],
                    "seq": row["seq"],
                }
            )
        return len(rows)


# -- the service ----------------------------------------------------------------------------------
def cmd_service(args: argparse.Namespace, session: Session) -> int:
    """``opsconsole --no-ui``: run the triggers headless until SIGTERM (exit 0) or SIGINT (130)."""
    return serve(args, session, follow=False, triggers=True)


def cmd_watch(args: argparse.Namespace, session: Session) -> int:
    return serve(args, session, follow=True, triggers=not getattr(args, "no_triggers", False))


def serve(args: argparse.Namespace, session: Session, *, follow: bool, triggers: bool) -> int:
    from console.errors import UsageError
    from console.triggers.service import Service

    out = Lines(bool(getattr(args, "json", False)))
    engine = session.engine
    if session.read_only:
        follow, triggers = True, False  # a read-only service only watches
    stop = threading.Event()
    received: list[int] = []
    restore = _on_signals(stop, received)
    service: Service | None = None
    try:
        tail = EventTail(session.store.db, out.event) if follow else None  # from now on, nothing is missed
        if triggers:
            service = Service(engine, on_decision=out.decision)
            if not service.lock.acquire():
                holder = service.lock.holder()
                message = f"another ops-console service{f' (pid {holder})' if holder else ''} runs this project's triggers"
                service = None
                if not follow:
                    raise UsageError(f"{message}; follow it with `opsconsole watch`")
                out.note(f"{message}; following only")
        project = session.project
        out.note(
            f"{project.name} ({project.root}), state {project.home}"
            + ("" if service else ", not starting runs")
            + "; Ctrl-C to stop"
        )
        if service is not None:
            engine.subscribe(out.event)
            service.start(watch=True)
        while not stop.wait(0.25):
            if tail is not None:
                tail.poll()
        how = signal.Signals(received[0]).name if received else "stop"
        cancelled: list[int] = []
        if service is not None:
            running = service.running()
            if running:
                out.note(f"stopping ({how}): cancelling {len(running)} run(s)")
            cancelled, service = service.stop(cancel_runs=True), None
        ids = ", ".join(map(str, cancelled))
        out.note(f"stopped ({how})" + (f"; cancelled run(s) {ids}" if cancelled else ""))
        if tail is not None:
            tail.poll()
    finally:
        if service is not None:  # left by an error: still stop cleanly
            service.stop(cancel_runs=True)
        restore()
    code = EXIT_INTERRUPTED if received and received[0] == signal.SIGINT else EXIT_OK
    exit_past_stuck_tasks(code, session.close)
    return code


def _on_signals(stop: threading.Event, received: list[int]) -> Any:
    """SIGINT/SIGTERM set ``stop``; a second one exits at once (SIGINT 130, SIGTERM 0: a requested stop)."""
    from console.engine.shutdown import on_stop_signals

    return on_stop_signals(
        stop, received, second_exit=lambda signum: EXIT_INTERRUPTED if signum == signal.SIGINT else EXIT_OK
    )


# -- backfill -------------------------------------------------------------------------------------
def cmd_backfill(args: argparse.Namespace, session: Session) -> int:
    from console.engine.params import parse_pairs, resolve_params
    from console.triggers.backfill import plan_backfill, run_backfill, summary
    from console.triggers.schedule import project_timezone

    engine = session.engine
    pipeline = engine.pipeline(args.name)
    tz = project_timezone(session.project.timezone)
    plan = plan_backfill(
        pipeline, args.start, args.end, tz, schedule=args.schedule, params=parse_pairs(args.param)
    )
    resolve_params(pipeline, {**plan.params, "interval_start": "", "interval_end": ""})  # bad --param: exit 2
    max_parallel = args.max_parallel or max(int(getattr(pipeline, "max_concurrent", 1) or 1), 1)
    intervals = [{"interval_start": i.start_iso, "interval_end": i.end_iso} for i in plan.intervals]
    if args.dry_run:
        if args.json:
            print_json({"group": plan.group_key, "intervals": intervals})
        else:
            for item in intervals:
                sys.stdout.write(f"{item['interval_start']} .. {item['interval_end']}\n")
            sys.stdout.write(f"{len(intervals)} interval(s), group {plan.group_key}\n")
        return EXIT_OK
    out = Lines(False, sys.stderr if args.json else sys.stdout)
    mine: set[int] = set()

    def show(event: dict[str, Any]) -> None:
        if event.get("run_id") in mine and (
            event["kind"] in ("run.started", "run.finished")
            or (event["kind"] == "task.finished" and event["status"] == "failed")
        ):
            out.event(event)

    engine.subscribe(show)
    out.note(
        f"backfill {plan.pipeline}: {len(intervals)} interval(s) of {plan.schedule.describe()}, "
        f"{max_parallel} at a time, group {plan.group_key}"
    )
    stop = threading.Event()
    received: list[int] = []
    restore = _on_signals(stop, received)
    try:
        runners = run_backfill(
            engine,
            plan,
            max_parallel=max_parallel,
            stop=stop,
            on_start=lambda runner, _: mine.add(runner.run_id),
        )
    finally:
        restore()
    engine.store.writer.flush()
    counts = summary(runners)
    if args.json:
        from console.store.runs import get_run_row, run_to_json

        runs = [run_to_json(get_run_row(engine.store.db, r.run_id)) for r in runners]
        print_json({"group": plan.group_key, "summary": counts, "runs": runs})
    else:
        done = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        out.note(f"backfill {plan.pipeline}: {len(runners)} of {len(intervals)} run(s): {done}")
        if received and len(runners) < len(intervals):
            nxt = plan.intervals[len(runners)]
            out.note(
                f"stopped; to continue: opsconsole backfill {plan.pipeline} --start {nxt.start_iso} --end {args.end}"
            )
    if received:
        return EXIT_INTERRUPTED
    return EXIT_OK if all(r.final_status == "succeeded" for r in runners) else EXIT_FAILED


# -- gc -------------------------------------------------------------------------------------------------
