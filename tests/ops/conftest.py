"""Fixtures of the day-2 operations tests: a project with a flaky pipeline and a clean one."""

from __future__ import annotations

from typing import Any

import pytest

FLAKY = '''
from console import Pipeline

p = Pipeline("flaky", params={"fail": True, "n": 3})

@p.task
def load(n):
    print("loaded", n, "rows")
    return n

@p.task(retries=1, retry_delay=0.05)
def transform(load, fail):
    print("transform \\x1b[31m[bold]markup[/] \\r\\x00 done")
    if fail:
        raise ValueError("upstream file is empty")
    return load + 1

@p.task
def publish(transform):
    print("published", transform)
    return transform

other = Pipeline("other_pipe")

@other.task
def only():
    print("only task")
    return 1
'''


@pytest.fixture
def ops_project(project: Any) -> Any:
    project.write("flaky.py", FLAKY)
    return project


@pytest.fixture
def failed_run(ops_project: Any) -> int:
    run = ops_project.cli_json("run", "flaky", check=1)
    return int(run["id"])
