"""``opsconsole pause`` / ``resume``: names, globs, --all, the paused flag in ``pipelines --json``."""

from __future__ import annotations

from typing import Any


def paused(project: Any) -> dict[str, bool]:
    return {p["name"]: p["paused"] for p in project.cli_json("pipelines")}


def test_pause_by_glob_then_resume_all(ops_project: Any) -> None:
    out = ops_project.cli_json("pause", "fl*")
    assert out == [{"name": "flaky", "paused": True, "changed": True}]
    assert paused(ops_project) == {"flaky": True, "other_pipe": False}
    again = ops_project.cli("pause", "flaky", check=0)
    assert "already paused" in again.stdout
    assert "(paused)" in ops_project.cli("pipelines", check=0).stdout
    ops_project.cli("resume", "--all", check=0)
    assert paused(ops_project) == {"flaky": False, "other_pipe": False}
    ops_project.cli("pause", "--all", check=0)
    assert paused(ops_project) == {"flaky": True, "other_pipe": True}


def test_a_glob_that_matches_nothing_is_exit_2_and_changes_nothing(ops_project: Any) -> None:
    proc = ops_project.cli("pause", "flaky", "nothing_*", check=2)
    assert "no pipeline matches 'nothing_*'" in proc.stderr and len(proc.stderr.splitlines()) == 1
    assert paused(ops_project) == {"flaky": False, "other_pipe": False}
    assert "pass --all" in ops_project.cli("resume", check=2).stderr


def test_read_only_refuses_pause(ops_project: Any) -> None:
    assert "read-only" in ops_project.cli("--read-only", "pause", "--all", check=2).stderr
