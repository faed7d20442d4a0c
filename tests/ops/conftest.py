"""Fixtures of the day-2 operations tests: a project with a flaky pipeline and a clean one."""

from __future__ import annotations

from typing import Any

import pytest
from ops_helpers import FLAKY


@pytest.fixture
def ops_project(project: Any) -> Any:
    project.write("flaky.py", FLAKY)
    return project


@pytest.fixture
def failed_run(ops_project: Any) -> int:
    run = ops_project.cli_json("run", "flaky", check=1)
    return int(run["id"])
