"""The headless CLI through a subprocess: exit codes, --json shapes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PIPELINES = """
from console import Pipeline

ok = Pipeline("ok", params={"n": 3, "rate": 0.5, "flag": False})

@ok.task
def numbers(n):
    print(f"making {n} numbers")
    return list(range(n))

@ok.task
def total(numbers, rate, ctx):
    ctx.log_metric("total", sum(numbers) * rate)
    return sum(numbers) * rate

bad = Pipeline("bad")

@bad.task
def first():
    return 1

@bad.task
def boom(first):
    raise ValueError("column 'amount' has 3 negative values")

@bad.task
def never(boom):
    return 2
"""


def setup(project) -> None:
    project.write("main.py", PIPELINES)
    project.write("broken.py", "from console import Pipeline\np = Pipeline('broken')\n@p.task\ndef x(:\n")


def test_run_succeeds_with_exit_0_and_the_documented_json(project) -> None:
    setup(project)
    run = project.cli_json("run", "ok", "--param", "n=5")
    assert set(run) >= {"id", "pipeline", "status", "trigger", "params", "started_at", "ended_at", "tasks"}
    assert run["status"] == "succeeded" and run["params"] == {"n": 5, "rate": 0.5, "flag": False}
    assert run["trigger"] == "manual"
    assert [t["name"] for t in run["tasks"]] == ["numbers", "total"]
    for task in run["tasks"]:
        assert set(task) >= {"name", "status", "attempts", "duration_s", "error"}
        assert task["status"] == "succeeded" and task["attempts"] == 1


def test_failed_run_exits_1_and_show_logs_rerun_tell_the_story(project) -> None:
    setup(project)
    proc = project.cli("run", "bad")
    assert proc.returncode == 1
    assert "failed" in proc.stdout and "rerun 1 --from-failed" in proc.stdout
    show = project.cli_json("show", "1")
    assert {t["name"]: t["status"] for t in show["tasks"]} == {
        "first": "succeeded",
        "boom": "failed",
        "never": "skipped",
    }
    assert "negative values" in next(t for t in show["tasks"] if t["name"] == "boom")["error"]
    logs = project.cli("logs", "1", "boom", check=0)
    assert "ValueError: column 'amount' has 3 negative values" in logs.stdout
    rerun = project.cli_json("rerun", "1", "--from-failed", check=1)
    assert rerun["trigger"] == "rerun-failed"
    tasks = {t["name"]: t for t in rerun["tasks"]}
    assert tasks["first"]["reused"] is True and tasks["boom"]["status"] == "failed"


def test_runs_lists_newest_first_without_tasks(project) -> None:
    setup(project)
    project.cli("run", "ok", check=0)
    project.cli("run", "bad", check=1)
    runs = project.cli_json("runs")
    assert [r["pipeline"] for r in runs] == ["bad", "ok"]
    assert all("tasks" not in r for r in runs)
    assert [r["pipeline"] for r in project.cli_json("runs", "--status", "succeeded")] == ["ok"]
    text = project.cli("runs", check=0).stdout
    assert "ok" in text and "bad" in text


def test_pipelines_lists_broken_ones_with_file_line_and_error(project) -> None:
    setup(project)
    rows = {r["name"]: r for r in project.cli_json("pipelines")}
    assert rows["ok"]["status"] == "ok" and rows["ok"]["tasks"] == ["numbers", "total"]
    assert rows["broken"]["status"] == "broken"
    assert rows["broken"]["file"] == "pipelines/broken.py" and rows["broken"]["line"] == 4
    assert "SyntaxError" in rows["broken"]["error"]
    for row in rows.values():
        assert set(row) >= {"name", "file", "status", "error", "tasks"}


def test_bad_input_gives_one_line_and_exit_2(project) -> None:
    setup(project)
    cases = [
        (("run", "nope"), "unknown pipeline: 'nope'"),
        (("run", "ok", "--param", "n=abc"), "param n: expected int, got 'abc'"),
        (("run", "ok", "--param", "missing=1"), "unknown param 'missing'"),
        (("run", "ok", "--param", "novalue"), "expected NAME=VALUE"),
        (("run", "broken"), "pipelines/broken.py:4"),
        (("show", "999"), "unknown run: 999"),
        (("logs", "abc"), "unknown run"),
        (("frobnicate",), "invalid choice"),
    ]
    for args, message in cases:
        proc = project.cli(*args)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], (args, proc.stderr)
        assert "Traceback" not in proc.stderr


def test_logs_of_a_run_and_a_missing_task(project) -> None:
    setup(project)
    project.cli("run", "ok", check=0)
    out = project.cli("logs", "last", check=0).stdout
    assert "[numbers]" in out and "making 3 numbers" in out
    proc = project.cli("logs", "1", "nope")
    assert proc.returncode == 2 and "has no task 'nope'" in proc.stderr
    raw = project.cli("logs", "1", "numbers", "--json", check=0).stdout
    decoder, pos, records = json.JSONDecoder(), 0, []
    while pos < len(raw.rstrip()):
        obj, pos = decoder.raw_decode(raw, pos)
        records.append(obj)
        while pos < len(raw) and raw[pos].isspace():
            pos += 1
    assert records and records[0]["task"] == "numbers" and "making 3 numbers" in records[0]["line"]


def test_no_project_is_a_clear_error(tmp_path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "console", "runs"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "no ops-console project" in proc.stderr


def test_headless_cli_imports_no_textual_pandas_or_sklearn(project) -> None:
    setup(project)
    project.cli("run", "ok", check=0)
    code = (
        "import sys\n"
        "from console.cli import main\n"
        f"rc = main(['--project', {str(project.root)!r}, '--no-ui', 'runs'])\n"
        "heavy = [m for m in ('textual', 'pandas', 'sklearn', 'duckdb', 'jinja2') if m in sys.modules]\n"
        "assert rc == 0, rc\n"
        "assert not heavy, heavy\n"
        "print('clean')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("clean")
