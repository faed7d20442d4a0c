"""A task that forks: its children never outlive it holding the store's files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork only")

DAEMON = """
import os, time
from pathlib import Path
from console import Pipeline

p = Pipeline("daemon")

@p.task
def spawn():
    pid = os.fork()
    if pid == 0:
        time.sleep(120)      # keeps the store's files open
        os._exit(0)
    (Path(__file__).parent / "child.pid").write_text(str(pid))
    return 1
"""

RETURNS = """
import os
from pathlib import Path
from console import Pipeline

p = Pipeline("returns")

@p.task
def split():
    pid = os.fork()          # no exit in the child: both copies return
    if pid:
        (Path(__file__).parent / "child.pid").write_text(str(pid))
    return 1

@p.task
def after(split):
    return split + 1
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return False


def test_a_forked_child_left_running_is_killed_and_fails_the_task(project) -> None:
    project.write("daemon.py", DAEMON)
    proc = project.cli("run", "daemon", "--json", timeout=90, check=1)
    import json

    run = json.loads(proc.stdout)
    pid = int((project.root / "pipelines" / "child.pid").read_text())
    assert f"left forked process(es) {pid} running" in run["tasks"][0]["error"]
    assert not _alive(pid)
    assert f"forked process(es) {pid}" in project.cli("logs", "1", "spawn", check=0).stdout


def test_a_child_returning_into_the_engine_exits_and_is_reported(project) -> None:
    project.write("returns.py", RETURNS)
    proc = project.cli("run", "returns", "--json", timeout=90)
    pid = int((project.root / "pipelines" / "child.pid").read_text())
    assert not _alive(pid)
    import json

    run = json.loads(proc.stdout)  # one JSON document: the child wrote nothing of its own
    log = project.cli("logs", "1", "split", check=0).stdout
    reported = f"process {pid} forked by this task returned" in log or "left forked" in (
        run["tasks"][0]["error"] or ""
    )
    assert reported, (log, run)
    assert run["status"] in ("succeeded", "failed")
    assert len([t for t in run["tasks"] if t["name"] == "after"]) == 1


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # fork in a threaded process (3.12+)
def test_forks_outside_tasks_are_untouched(tmp_path: Path) -> None:
    from console.engine import logs

    logs.install()
    pid = os.fork()
    if pid == 0:
        os._exit(7)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 7
