"""Driving one run from the CLI (``run``, ``rerun``) to its exit code.

``--json`` keeps stdout for the JSON: ``print`` and ``sys.stdout.buffer`` inside a task
already reach the task's log, but ``os.write(1, ...)``, a C extension or a child process
write to the descriptor itself. During a ``--json`` run fd 1 points at
``<run's log folder>/_stdout.out`` and the command's own output goes to a duplicate of the
original descriptor, so a script's ``json.load`` always gets just the JSON.

The run's driver works on a thread while the main thread shows progress and listens for
Ctrl-C/SIGTERM: the first cancels the run, a second exits 130 at once. Once the run's end
is recorded the command exits with its code even if a task ignores cancel (see
``console.engine.shutdown``). A store that stops accepting writes (a full disk) fails the
run with one line naming the cause, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.headless.output import (
    console,
    fmt_duration,
    print_json_with,
    run_duration,
)
from console.presentation import STATUS_STYLE, fmt_task_counts, printable

if TYPE_CHECKING:
    from console.engine.runner import Runner
    from console.session import Session


def wait_for(runner: Runner, session: Session, args: argparse.Namespace) -> int:
    """Drive ``runner`` on a thread with progress output; Ctrl-C/SIGTERM cancel it (exit 130)."""
    if args.json:
        with json_stdout(runner.log_dir):
            return _wait_for(runner, session, args)
    return _wait_for(runner, session, args)


def _wait_for(runner: Runner, session: Session, args: argparse.Namespace) -> int:
    from console.headless.progress import LiveTable, PlainPrinter

    engine = session.engine
    if args.json:
        view: Any = None
    elif sys.stdout.isatty() and not args.no_ui:
        view = LiveTable(runner.pipeline.name, runner.order)
    else:
        view = PlainPrinter()
    if view is not None:
        engine.subscribe(lambda ev: view(ev) if ev.get("run_id") == runner.run_id else None)
        view(
            {
                "kind": "run.created",
                "run_id": runner.run_id,
                "pipeline": runner.pipeline.name,
                "task": None,
                "status": "queued",
                "data": {"trigger": "manual"},
                "at": time.time(),
            }
        )
    from console.engine.shutdown import EXIT_INTERRUPTED, exit_past_stuck_tasks, on_stop_signals

    failures: list[BaseException] = []

    def drive() -> None:
        try:
            engine.execute(runner)
        except BaseException as exc:  # noqa: BLE001 - reported below, on the main thread
            failures.append(exc)

    from console.triggers.notifier import Notifier

    notifier = Notifier.for_project(session.project, session.store).start()  # off the run's thread
    thread = threading.Thread(target=drive, daemon=True)
    stop = threading.Event()
    received: list[int] = []
    # the first Ctrl-C/SIGTERM cancels the run (recorded, then exit 130); a second exits 130 at once
    restore = on_stop_signals(stop, received, second_exit=EXIT_INTERRUPTED)
    thread.start()
    cancelled = False
    try:
        while thread.is_alive():
            thread.join(0.1)
            if stop.is_set() and not cancelled:
                cancelled = True
                runner.cancel()
    finally:
        if view is not None:
            view.stop()
    from console.errors import StoreError

    try:
        if not failures:
            engine.store.writer.flush()
    except StoreError as exc:
        failures.append(exc)
    if not failures:
        notifier.stop(drain=True, timeout=5.0)
    if failures and not isinstance(failures[0], StoreError):
        raise failures[0]
    if failures:  # the store stopped accepting writes (a full disk, a deleted state dir): failed
        sys.stderr.write(f"opsconsole: error: {failures[0]}\n")
        try:
            _report(runner.run_id, session, args, lost=str(failures[0]))
        except StoreError:
            pass  # cannot even read: the one line above says why
        code = EXIT_INTERRUPTED if received else 1
    else:
        _report(runner.run_id, session, args)
        code = EXIT_INTERRUPTED if received else _exit_code(runner, session, args)
    try:
        exit_past_stuck_tasks(code, session.close)  # the run is recorded: never wait for a stuck task
    finally:
        restore()
    return code


def _exit_code(runner: Runner, session: Session, args: argparse.Namespace) -> int:
    if runner.final_status != "succeeded":
        return 1
    # a gate that kept the champion: the run succeeded, but the command says "refused" (exit 1)
    db = session.store.db
    kept = "SELECT 1 FROM gate_decisions WHERE run_id=? AND promoted=0 LIMIT 1"
    if db.query_one(kept, (runner.run_id,)) is None:
        return 0  # the usual case: no need to import the registry (~30 ms) to say so
    from console.registry.queries import gate_refusals

    refused = gate_refusals(db, runner.run_id)
    if refused and not args.json:
        for decision in refused:
            console().print(f"  {decision.describe()} (exit 1: the gate kept the champion)", markup=False)
    return 1 if refused else 0


def _report(run_id: int, session: Session, args: argparse.Namespace, lost: str | None = None) -> None:
    """The run's summary; ``lost``: the store failed under it, so it failed whatever it recorded."""
    from console.store.runs import failed_tasks, get_run_row, run_to_json, tasks_json_text

    db = session.store.db
    run: Any = get_run_row(db, run_id)
    if lost is not None and run["status"] != "failed":
        run = {**run, "status": "failed", "error": lost}
    if args.json:
        print_json_with(run_to_json(run), "tasks", tasks_json_text(db, run_id))
        return
    # a big run's summary needs its failed tasks, not a dict per task
    tasks = failed_tasks(db, run_id)
    mark, style = STATUS_STYLE.get(run["status"], ("?", "white"))
    lines: list[list[tuple[str, str]]] = [[
        (f"run {run_id} {run['pipeline']} ", ""), (f"{mark} {run['status']}", style),
        (f" in {fmt_duration(run_duration(run))}: tasks {fmt_task_counts(run)}", ""),
    ]]  # fmt: skip
    lines += [[("  ", ""), (t["name"], "red"), (f": {t['error']}  (opsconsole logs {run_id} {t['name']})", "")]
              for t in tasks if t["status"] == "failed"]  # fmt: skip
    if run["status"] != "succeeded" and lost is None:
        lines.append([(f"  rerun the failed part: opsconsole rerun {run_id} --from-failed", "")])
    # task names and errors are data: control characters shown as \xNN, never parsed as markup
    stdout = getattr(sys.stdout, "real", sys.stdout)
    if not stdout.isatty():  # piped (cron, CI): plain lines, without loading rich for three lines
        stdout.write(printable("\n".join("".join(text for text, _ in line) for line in lines)) + "\n")
        stdout.flush()
        return
    from rich.text import Text

    out = console()
    for line in lines:
        out.print(Text.assemble(*((printable(text), part) for text, part in line)))


STRAY_FILE = "_stdout.out"


@contextmanager
def json_stdout(folder: Path) -> Iterator[Path]:
    """Point fd 1 at a file in ``folder`` and ``sys.stdout`` at the original stdout."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no stdout at all: nothing to protect
        yield folder / STRAY_FILE
        return
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / STRAY_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(fd, 1)
    os.close(fd)
    holder: Any = sys.stdout if hasattr(sys.stdout, "real") else sys
    attr = "real" if holder is sys.stdout else "stdout"
    previous = getattr(holder, attr)
    encoding = getattr(previous, "encoding", None) or "utf-8"
    setattr(holder, attr, open(saved, "w", encoding=encoding, errors="replace", closefd=False))  # noqa: SIM115
    try:
        yield path
    finally:
        getattr(holder, attr).flush()
        setattr(holder, attr, previous)
        os.dup2(saved, 1)
        os.close(saved)
        if path.exists() and path.stat().st_size == 0:
            path.unlink()
        elif path.exists():
            sys.stderr.write(f"opsconsole: output written straight to stdout by tasks is in {path}\n")
