"""The config is validated once, with one clear line: types, ranges, paths, schedules."""

from __future__ import annotations

from typing import Any

import pytest

SMALL = """
from console import Pipeline

p = Pipeline("small")

@p.task
def t():
    return 1
"""


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ('read_only = "false"', "read_only must be true or false"),
        ("max_workers = 2.7", "max_workers must be a whole number"),
        ("max_workers = 0", "max_workers must be from 1"),
        ("max_workers = true", "max_workers must be a whole number"),
        ("state_dir = 42", "state_dir must be a path"),
        ('executor = "gpu"', "executor must be thread, process or dask"),
        ("name = []", "name must be a string"),
        ('pipelines = "flows"', "no such directory"),
    ],
)
def test_a_bad_config_value_is_one_clear_error(project: Any, line: str, says: str) -> None:
    project.write("small.py", SMALL)
    (project.root / "opsconsole.toml").write_text(line + "\n")
    proc = project.cli("runs")
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert says in proc.stderr and "opsconsole.toml" in proc.stderr, proc.stderr
    assert proc.stderr.count("\n") == 1 and "internal error" not in proc.stderr


def test_good_values_still_load(project: Any) -> None:
    project.write("small.py", SMALL)
    (project.root / "opsconsole.toml").write_text('read_only = false\nmax_workers = 3\nstate_dir = "state"\n')
    project.cli("run", "small", check=0)
    assert (project.root / "state" / "state.db").exists()


def test_read_only_true_is_read_only(project: Any) -> None:
    project.write("small.py", SMALL)
    (project.root / "opsconsole.toml").write_text("read_only = true\n")
    proc = project.cli("run", "small")
    assert proc.returncode == 2 and "read-only" in proc.stderr, proc.stderr


def test_a_missing_pipelines_directory_says_so(project: Any) -> None:
    (project.root / "pipelines").rmdir()
    (project.root / "opsconsole.toml").write_text("max_workers = 2\n")
    proc = project.cli("run", "iris")
    assert proc.returncode == 2
    assert "no pipelines directory" in proc.stderr, proc.stderr


@pytest.mark.parametrize("schedule", ["61 * * * *", "every 0s", "every 5 parsecs", "* * *"])
def test_a_bad_schedule_lists_the_pipeline_as_broken(project: Any, schedule: str) -> None:
    project.write("small.py", SMALL)
    project.write("sched.py", SMALL.replace('Pipeline("small")', f'Pipeline("sched", schedule={schedule!r})'))
    rows = {r["name"]: r for r in project.cli_json("pipelines")}
    assert rows["small"]["status"] == "ok"
    assert rows["sched"]["status"] == "broken", rows["sched"]
    assert "schedule" in rows["sched"]["error"] and rows["sched"]["line"] == 4
    proc = project.cli("run", "sched")
    assert proc.returncode == 2 and "broken" in proc.stderr, proc.stderr
