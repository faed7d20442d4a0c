"""`run` and `rerun` end with the documented exit code even when a task ignores cancel."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SPIN = """
import time
from pathlib import Path
from console import Pipeline

p = Pipeline("spin")

@p.task(timeout=1)
def spin():
    while True:          # ignores cancel and its timeout
        time.sleep(0.1)
"""

FOREVER = """
import time
from pathlib import Path
from console import Pipeline

p = Pipeline("forever")

@p.task
def forever():
    print("started", flush=True)
    while True:
        time.sleep(0.1)
"""


def _popen(project, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "OPSCONSOLE_HOME"}
    env |= {"PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    return subprocess.Popen(
        [sys.executable, "-m", "console", "--project", str(project.root), "--no-ui", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
    )


def _wait_running(project, proc: subprocess.Popen[str]) -> None:
    """Until the run's task is running (read from the store, not from timings)."""
    deadline = time.monotonic() + 90
    db = project.root / ".opsconsole" / "state.db"
    import sqlite3

    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        if db.exists():
            try:
                with sqlite3.connect(db) as conn:
                    row = conn.execute("SELECT count(*) FROM tasks WHERE status='running'").fetchone()
                if row[0]:
                    return
            except sqlite3.Error:
                pass
        time.sleep(0.1)
    raise AssertionError("the task never started")


@pytest.mark.parametrize("executor", ["thread", "process"])
def test_run_exits_1_after_a_timeout_the_task_ignores(project, executor: str) -> None:
    project.write("spin.py", SPIN)
    proc = project.cli("run", "spin", "--executor", executor, "--json", timeout=60)
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    import json

    run = json.loads(proc.stdout)
    assert run["status"] == "failed"
    assert "timed out" in run["tasks"][0]["error"]


def test_rerun_exits_1_after_a_timeout_the_task_ignores(project) -> None:
    project.write("spin.py", SPIN)
    first = project.cli("run", "spin", timeout=60)
    assert first.returncode == 1, first.stderr
    again = project.cli("rerun", "1", timeout=60)
    assert again.returncode == 1, again.stderr
    assert "timed out" in project.cli("show", "2").stdout


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_cancels_a_stuck_task_and_exits_130(project, sig: int) -> None:
    project.write("forever.py", FOREVER)
    proc = _popen(project, "run", "forever")
    _wait_running(project, proc)
    proc.send_signal(sig)
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError("run did not exit after the signal") from None
    assert proc.returncode == 130, (out, err)
    show = project.cli("show", "1", "--json", check=0)
    assert '"cancelled"' in show.stdout


def test_a_second_signal_exits_130_at_once(project) -> None:
    project.write("forever.py", FOREVER)
    proc = _popen(project, "run", "forever")
    _wait_running(project, proc)
    proc.send_signal(signal.SIGTERM)
    proc.send_signal(signal.SIGTERM)
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError("run did not exit after two signals") from None
    assert proc.returncode == 130, (out, err)
