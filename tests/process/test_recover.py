"""Runs of a host that is gone: `recover RUN --force`, audited; the host shows in `show`."""

from __future__ import annotations

import os
import sqlite3

from console.store.db import HOST, MY_PID_START

ONE = """
from console import Pipeline
p = Pipeline("one")

@p.task
def a():
    return 1
"""


def _orphan(project, host: str, pid: int, token: str | None) -> None:
    """A run left `running` by a process recorded as ``pid`` on ``host``."""
    project.write("one.py", ONE)
    project.cli("run", "one", check=0)
    with sqlite3.connect(project.root / ".opsconsole" / "state.db") as conn:
        conn.execute(
            "UPDATE runs SET status='running', ended_at=NULL, host=?, pid=?, pid_start=? WHERE id=1",
            (host, pid, token),
        )
        conn.execute("UPDATE tasks SET status='running' WHERE run_id=1")


def test_a_run_of_a_gone_host_is_recovered_only_with_force_and_audited(project) -> None:
    _orphan(project, "old-container-1234", 4242, "99")
    assert project.cli_json("show", "1")["status"] == "running"  # another host: never guessed
    refused = project.cli("recover", "1", check=2)
    assert "--force" in refused.stderr and "old-container-1234" in refused.stderr
    read_only = project.cli("recover", "1", "--force", "--read-only", check=2)
    assert "read-only" in read_only.stderr
    assert project.cli_json("show", "1")["status"] == "running"
    done = project.cli_json("recover", "1", "--force", "--reason", "container re-created [/]")
    assert done["status"] == "interrupted"
    assert done["recovery"]["forced"] is True
    assert done["recovery"]["run_host"] == "old-container-1234"
    assert done["recovery"]["host"] == HOST
    assert done["recovery"]["user"]
    assert done["recovery"]["at"].endswith("+00:00")
    shown = project.cli("show", "1", check=0).stdout
    assert "host old-container-1234" in shown
    assert "recovered (forced) by" in shown and "container re-created [/]" in shown
    assert project.cli_json("show", "1")["host"] == "old-container-1234"
    project.cli("rerun", "1", check=0)  # no longer refused
    again = project.cli("recover", "1", "--force", check=2)
    assert "already ended" in again.stderr


def test_a_live_process_of_this_host_is_never_recovered(project) -> None:
    _orphan(project, HOST, os.getpid(), MY_PID_START)  # this test process: alive
    proc = project.cli("recover", "1", "--force", check=2)
    assert "still running" in proc.stderr
    assert project.cli_json("show", "1")["status"] == "running"


def test_a_dead_process_of_this_host_is_recovered_at_start(project) -> None:
    _orphan(project, HOST, os.getpid(), "not-my-start-time")  # pid reused by another process
    run = project.cli_json("show", "1")
    assert run["status"] == "interrupted"
    assert run["host"] == HOST
