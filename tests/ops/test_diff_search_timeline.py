"""``diff``, ``logs --search`` and ``show --timeline`` through the CLI."""

from __future__ import annotations

from typing import Any

from ops_helpers import FLAKY


def test_diff_of_two_runs_with_changed_params_and_source(ops_project: Any, failed_run: int) -> None:
    ops_project.write("flaky.py", FLAKY.replace('print("published", transform)', 'print("shipped", transform)'))
    good = ops_project.cli_json("run", "flaky", "--param", "fail=false", check=0)["id"]
    d = ops_project.cli_json("diff", str(failed_run), str(good))
    assert set(d) >= {"a", "b", "params", "source", "tasks", "metrics", "checks"}
    assert d["a"]["id"] == failed_run and d["b"]["id"] == good and d["same_pipeline"] is True
    assert d["params"]["fail"] == [True, False] and d["params"]["n"] == [3, 3]
    assert d["source"]["changed"] is True
    assert '-    print("published", transform)' in d["source"]["diff"]
    assert '+    print("shipped", transform)' in d["source"]["diff"]
    tasks = {t["task"]: t for t in d["tasks"]}
    assert tasks["transform"]["a"]["status"] == "failed" and tasks["transform"]["b"]["status"] == "succeeded"
    text = ops_project.cli("diff", str(failed_run), str(good), check=0).stdout
    assert "source: changed" in text and "* fail: True -> False" in text


def test_diff_across_pipelines_is_allowed_and_says_so(ops_project: Any, failed_run: int) -> None:
    other = ops_project.cli_json("run", "other_pipe", check=0)["id"]
    d = ops_project.cli_json("diff", str(failed_run), str(other))
    assert d["same_pipeline"] is False and "different pipelines" in d["note"]
    assert "runs of different pipelines" in ops_project.cli("diff", str(failed_run), str(other), check=0).stdout
    assert "unknown run" in ops_project.cli("diff", str(failed_run), "404", check=2).stderr


def test_log_search_json_filters_and_context(ops_project: Any, failed_run: int) -> None:
    other = ops_project.cli_json("run", "other_pipe", check=0)["id"]
    hits = ops_project.cli_json("logs", "--search", "upstream file is (empty|full)")
    # fields are only ever added: 'at' (the line's ISO stamp, with its offset) and 'text' joined later
    assert hits and all(set(h) == {"run_id", "task", "line_no", "line", "at", "text"} for h in hits)
    assert {(h["run_id"], h["task"]) for h in hits} == {(failed_run, "transform")}
    line = hits_line(ops_project, other)
    assert ops_project.cli_json("logs", "--search", "task", "--pipeline", "other_pipe") == [
        {"run_id": other, "task": "only", "line_no": 1, "line": line, "at": line.split(" ", 1)[0],
         "text": line.split(" ", 1)[1]}
    ]  # fmt: skip
    assert ops_project.cli_json("logs", "--search", "loaded", "--task", "publish") == []
    assert len(ops_project.cli_json("logs", "--search", "loaded", "--since", "7d")) == 1
    text = ops_project.cli("logs", "--search", "markup", "-C", "1", check=0).stdout
    assert f"run {failed_run} transform:1: " in text
    assert "\x1b" not in text and "\x00" not in text and "\r" not in text and "[bold]markup[/]" in text
    assert "bad --search pattern" in ops_project.cli("logs", "--search", "(", check=2).stderr
    assert "--since" in ops_project.cli("logs", "--search", "x", "--since", "later", check=2).stderr


def hits_line(project: Any, run_id: int) -> str:
    """The first line of the task's log file as written (``logs --json`` gives it unchanged)."""
    import json

    first = project.cli("logs", str(run_id), "only", "--json", check=0).stdout.splitlines()[0]
    return str(json.loads(first)["line"])


def test_show_timeline_text_and_json(ops_project: Any, failed_run: int) -> None:
    text = ops_project.cli("show", str(failed_run), "--timeline", check=0).stdout
    assert "★ load" in text and "★ transform" in text and "(2 attempts)" in text and "▒" in text
    obj = ops_project.cli_json("show", str(failed_run), "--timeline")
    tl = obj["timeline"]
    assert tl["critical_path"] == ["load", "transform"]
    transform = next(t for t in tl["tasks"] if t["task"] == "transform")
    assert [a["outcome"] for a in transform["attempts"]] == ["retrying", "failed"]
