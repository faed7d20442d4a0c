"""Runs made by another process while the console starts are shown: the first page and the tail agree."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from ui_helpers import make_session, run, wait_for

from console.store.runs import list_runs
from console.ui.app import OpsConsoleApp

ROOT = Path(__file__).resolve().parents[2]
# a writer process that is already warm (imports done, store open) and starts one run on "go"
WRITER = textwrap.dedent(
    """
    import argparse, sys
    from console.session import Session
    s = Session(argparse.Namespace(project=sys.argv[1], read_only=False, executor=None, scheduler=None))
    engine = s.engine
    print("ready", flush=True)
    sys.stdin.readline()
    print(engine.run("quick").run_id, flush=True)
    s.close()
    """
)
# delays (s) after the console starts: before the first page, around it, before and after the tail
DELAYS = (0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.45, 0.6, 0.8)


def test_a_run_written_while_the_console_starts_always_appears(ui_project: Any) -> None:
    seed = make_session(ui_project.root)
    seed.engine.run("quick")  # a store with history: the race is about the newest run
    seed.close()

    async def trial(delay: float) -> None:
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(ui_project.root)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        assert writer.stdin is not None and writer.stdout is not None
        assert writer.stdout.readline().strip() == "ready"
        session = make_session(ui_project.root)
        try:
            app = OpsConsoleApp(session, tail_interval=0.05)
            async with app.run_test(size=(120, 36)) as pilot:
                if delay:
                    await pilot.pause(delay)
                writer.stdin.write("go\n")
                writer.stdin.flush()
                made = int(writer.stdout.readline())
                assert writer.wait(timeout=30) == 0
                stored = {r["id"] for r in list_runs(session.store.db, limit=1000)}
                assert made in stored
                await wait_for(
                    pilot,
                    lambda: set(app.runs_pane.table.rows_by_id) == stored,
                    timeout=10,
                    what=f"all {len(stored)} stored runs shown (writer went at +{delay}s)",
                )
        finally:
            session.close()
            if writer.poll() is None:
                writer.kill()
            writer.communicate()  # closes the pipes

    for delay in DELAYS:
        run(trial(delay))
