"""The headless service through a subprocess: signals, exit codes, nothing left running; store; watch."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from trigger_helpers import wait_until, write

ROOT = Path(__file__).resolve().parents[2]

BEAT = """
from console import Pipeline

p = Pipeline("beat", schedule="every 1s")

@p.task
def first():
    return 1

@p.task
def long(first, ctx):
    ctx.sleep(60)  # still running when the service is stopped
    return 2
"""

OK = """
from console import Pipeline

p = Pipeline("ok")

@p.task
def one():
    print("one")
    return 1
"""


def start(project, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("OPSCONSOLE_HOME", None)
    return subprocess.Popen(
        [sys.executable, "-m", "console", "--project", str(project.root), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
    )


def query(project, sql: str) -> list[tuple]:
    db = project.root / ".opsconsole" / "state.db"
    if not db.exists():
        return []
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return conn.execute(sql).fetchall()
    except sqlite3.OperationalError:
        return []  # the schema is still being created
    finally:
        conn.close()


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 0), (signal.SIGINT, 130)])
def test_service_stops_cleanly_on_a_signal_with_nothing_left_running(utc_project, sig, code) -> None:
    write(utc_project, "beat.py", BEAT)
    proc = start(utc_project, "--no-ui")
    try:
        wait_until(
            lambda: query(utc_project, "SELECT 1 FROM tasks WHERE name='long' AND status='running'"), 20
        )
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == code, (out, err)
    assert "schedule: beat due at" in out and "run 1 beat created (trigger schedule)" in out
    assert f"stopped ({sig.name}); cancelled run(s) 1" in out
    assert query(utc_project, "SELECT count(*) FROM runs WHERE status IN ('queued', 'running')") == [(0,)]
    assert query(
        utc_project, "SELECT count(*) FROM tasks WHERE status IN ('queued', 'running', 'retrying')"
    ) == [(0,)]
    assert query(utc_project, "SELECT status FROM runs WHERE id=1") == [("cancelled",)]
    assert query(utc_project, "SELECT status FROM tasks WHERE run_id=1 AND name='long'") == [("cancelled",)]


def test_watch_follows_runs_of_other_processes_and_a_second_service_is_refused(utc_project) -> None:
    write(utc_project, "ok.py", OK)
    utc_project.cli("runs", check=0)  # creates the store
    lock = utc_project.root / ".opsconsole" / "service.lock"
    service = start(utc_project, "--no-ui")
    wait_until(lambda: lock.exists() and lock.read_text().strip() == str(service.pid), 20)
    watcher = start(utc_project, "watch")
    try:
        second = utc_project.cli("--no-ui", timeout=30)
        assert second.returncode == 2
        assert f"another ops-console service (pid {service.pid})" in second.stderr
        assert "opsconsole watch" in second.stderr
        head = [watcher.stdout.readline() for _ in range(2)]  # the watcher is following now
        assert "following only" in head[0] and "Ctrl-C to stop" in head[1]
        utc_project.cli("run", "ok", check=0)  # another process
        wait_until(lambda: query(utc_project, "SELECT 1 FROM runs WHERE status='succeeded'"), 20)
    finally:
        for proc in (watcher, service):
            proc.send_signal(signal.SIGTERM)
        outs = [proc.communicate(timeout=30) for proc in (watcher, service)]
    out, err = outs[0]
    assert watcher.returncode == 0, err
    assert "run 1 ok created (trigger manual)" in out
    assert "run 1 ok task one succeeded" in out and "run 1 ok succeeded" in out
    assert service.returncode == 0


def test_store_check_reports_ok_or_corrupt_and_backup_and_reset_starts_fresh(utc_project) -> None:
    write(utc_project, "ok.py", OK)
    assert "no state database yet" in utc_project.cli("store", "--check", check=0).stdout
    utc_project.cli("run", "ok", check=0)
    healthy = utc_project.cli("store", "--check", check=0)
    assert "state.db: ok (schema v" in healthy.stdout and "1 runs" in healthy.stdout
    refused = utc_project.cli("store", "--backup-and-reset", check=2)
    assert "passes its integrity check" in refused.stderr

    home = utc_project.root / ".opsconsole"
    for extra in ("state.db-wal", "state.db-shm"):
        (home / extra).unlink(missing_ok=True)
    (home / "state.db").write_bytes(b"this is not a database, just garbage " * 200)
    runs = utc_project.cli("runs", check=2)
    assert "corrupt" in runs.stderr and "store --backup-and-reset" in runs.stderr
    check = utc_project.cli("store", "--check", check=1)
    assert "CORRUPT" in check.stdout and "--backup-and-reset" in check.stdout
    assert utc_project.cli_json("store", "--check", check=1)["ok"] is False

    reset = utc_project.cli("store", "--backup-and-reset", check=0)
    assert "state.db.corrupt-" in reset.stdout
    [aside] = home.glob("state.db.corrupt-*")
    assert aside.read_bytes().startswith(b"this is not a database")  # kept, never deleted
    assert list(home.glob("logs.corrupt-*"))  # the old runs' logs moved with it
    assert utc_project.cli_json("runs") == []
    assert utc_project.cli_json("run", "ok")["id"] == 1


STUBBORN = """
import time
from console import Pipeline

p = Pipeline("stubborn", schedule="every 1s")

@p.task
def nap():
    time.sleep(120)  # never looks at ctx: cancel cannot reach it
    return 1
"""


def test_a_task_that_ignores_cancel_does_not_keep_the_service_from_exiting(utc_project) -> None:
    write(utc_project, "stubborn.py", STUBBORN)
    proc = start(utc_project, "--no-ui")
    try:
        wait_until(lambda: query(utc_project, "SELECT 1 FROM tasks WHERE status='running'"), 20)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, (out, err)
    assert "a task ignored cancel" in err
    assert query(utc_project, "SELECT count(*) FROM runs WHERE status IN ('queued', 'running')") == [(0,)]
    assert query(utc_project, "SELECT status FROM tasks WHERE name='nap'") == [("cancelled",)]
