"""``opsconsole mark``: state by hand, the audit row in ``show``, and ``rerun --from-failed`` past it."""

from __future__ import annotations

from typing import Any


def test_marking_a_failed_task_succeeded_lets_rerun_from_failed_run_its_downstream(ops_project: Any, failed_run: int) -> None:
    proc = ops_project.cli("mark", str(failed_run), "transform", "--state", "succeeded", "--reason", "fixed upstream", check=0)
    assert "failed -> succeeded" in proc.stdout
    shown = ops_project.cli_json("show", str(failed_run))
    assert {t["name"]: t["status"] for t in shown["tasks"]}["transform"] == "succeeded"
    [mark] = shown["marks"]
    assert set(mark) == {"task", "from", "to", "reason", "user", "at"}
    assert (mark["task"], mark["from"], mark["to"], mark["reason"]) == ("transform", "failed", "succeeded", "fixed upstream")
    assert mark["at"].endswith("+00:00") and mark["user"]
    rerun = ops_project.cli_json("rerun", str(failed_run), "--from-failed", check=0)
    tasks = {t["name"]: t for t in rerun["tasks"]}
    assert tasks["load"]["reused"] and tasks["transform"]["reused"]
    assert tasks["publish"]["status"] == "succeeded" and not tasks["publish"]["reused"]
    text = ops_project.cli("show", str(failed_run), check=0).stdout
    assert "marked by hand" in text and "fixed upstream" in text


def test_marking_the_run_itself_and_a_task_skipped(ops_project: Any, failed_run: int) -> None:
    ops_project.cli("mark", str(failed_run), "publish", "--state", "skipped", check=0)
    out = ops_project.cli_json("mark", str(failed_run), "--state", "succeeded", "--reason", "accepted")
    assert out["task"] is None and out["from"] == "failed" and out["to"] == "succeeded"
    shown = ops_project.cli_json("show", str(failed_run))
    assert shown["status"] == "succeeded"
    assert [(m["task"], m["to"]) for m in shown["marks"]] == [("publish", "skipped"), (None, "succeeded")]


def test_bad_input_is_one_line_and_exit_2(ops_project: Any, failed_run: int) -> None:
    cases = [
        (("mark", "999", "--state", "failed"), "unknown run"),
        (("mark", str(failed_run), "nope", "--state", "failed"), "has no task 'nope'"),
        (("mark", str(failed_run), "load", "--state", "done"), "invalid choice"),
        (("mark", str(failed_run), "--state", "skipped"), "cannot mark a run 'skipped'"),
    ]
    for args, message in cases:
        proc = ops_project.cli(*args, check=2)
        assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert "Traceback" not in proc.stderr


def test_marking_a_task_of_a_running_run_is_refused(ops_project: Any, failed_run: int) -> None:
    import os

    from console.store.db import process_start_token
    from console.store.state import Store

    store = Store.for_project(ops_project.root)
    # owned by this (live) test process, so the CLI's recovery of dead runs leaves it running
    store.db.execute(
        "UPDATE runs SET status='running', pid=?, pid_start=? WHERE id=?",
        (os.getpid(), process_start_token(os.getpid()), failed_run),
    )
    store.db.execute("UPDATE tasks SET status='running' WHERE run_id=? AND name='publish'", (failed_run,))
    store.close()
    proc = ops_project.cli("mark", str(failed_run), "publish", "--state", "succeeded", check=2)
    assert "cannot be marked while the run is running" in proc.stderr


def test_read_only_refuses_mark(ops_project: Any, failed_run: int) -> None:
    proc = ops_project.cli("--read-only", "mark", str(failed_run), "transform", "--state", "succeeded", check=2)
    assert "read-only" in proc.stderr
    assert ops_project.cli_json("show", str(failed_run))["marks"] == []
