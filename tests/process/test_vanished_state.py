"""A state directory deleted during a run fails the run; it never reports `succeeded`."""

from __future__ import annotations

import json

GONE = """
import shutil
from pathlib import Path
from console import Pipeline

p = Pipeline("gone")

@p.task
def first():
    shutil.rmtree(Path(__file__).resolve().parents[1] / ".opsconsole")
    return 1

@p.task
def second(first):
    print("still here")
    return first + 1
"""


def test_a_run_whose_state_dir_was_deleted_fails(project) -> None:
    project.write("gone.py", GONE)
    proc = project.cli("run", "gone", "--json", timeout=60)
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert "state directory was deleted during run 1" in proc.stderr
    run = json.loads(proc.stdout)
    assert run["status"] == "failed"
    assert "deleted" in run["error"]


def test_the_plain_output_says_failed_too(project) -> None:
    project.write("gone.py", GONE)
    proc = project.cli("run", "gone", timeout=60)
    assert proc.returncode == 1
    finished = [
        ln for ln in proc.stdout.splitlines() if "run 1 gone" in ln and " in " in ln and "task" not in ln
    ]
    assert finished and all("succeeded in" not in ln for ln in finished), proc.stdout
    assert "failed" in finished[-1]
