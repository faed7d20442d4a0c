"""Bad input exits 2 with one short line, never 1 "internal error" (issue: the class of exit codes)."""

from __future__ import annotations

from typing import Any

import pytest

SMALL = """
from console import Pipeline

p = Pipeline("small", params={"n": 1, "rows": [1, 2]})

@p.task
def t(n, rows):
    print("✓ done ünïcode")
    return n
"""

HUGE = "9" * 30  # past 64 bits


@pytest.mark.parametrize(
    "args",
    [
        ("show", HUGE),
        ("show", "١"),  # an Arabic-Indic digit: int() takes it, a run id must not
        ("show", "1_0"),  # int("1_0") == 10
        ("logs", HUGE),
        ("rerun", HUGE),
        ("cancel", HUGE),
        ("checks", HUGE),
        ("runs", "--limit", HUGE),
        ("alerts", "--limit", HUGE),
        ("alerts", "--ack", HUGE),
        ("gc", "--keep-days", "nan"),
        ("gc", "--keep-days", "1e308"),
        ("gc", "--keep-days", "-1"),
        ("run", "x" * 10_000),
        ("run", "../small"),
        ("run", "small", "--param", "rows=" + "[" * 50_000 + "]" * 50_000),
        ("run", "small", "--param", "ctx=9"),
    ],
)
def test_bad_input_exits_2_with_one_short_line(project: Any, args: tuple[str, ...]) -> None:
    project.write("small.py", SMALL)
    project.cli("run", "small", check=0)
    proc = project.cli(*args)
    assert proc.returncode == 2, (args[:3], proc.stdout[-500:], proc.stderr[-500:])
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1 and len(proc.stderr) < 400, proc.stderr[:500]


def test_a_latin1_stdout_does_not_turn_success_into_failure(project: Any) -> None:
    project.write("small.py", SMALL)
    proc = project.cli("run", "small", env={"PYTHONIOENCODING": "latin-1"})
    assert proc.returncode == 0, proc.stderr
    assert "succeeded" in proc.stdout
    shown = project.cli("runs", env={"PYTHONIOENCODING": "latin-1"})
    assert shown.returncode == 0 and "small" in shown.stdout, shown.stderr
