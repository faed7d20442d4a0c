"""What the CLI prints, as a user sees it: piped output, NO_COLOR, empty filters, task counts."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PIPELINES = """
from console import Pipeline

bad = Pipeline("bad")

@bad.task
def first():
    return 1

@bad.task
def boom(first):
    raise ValueError("nope")

@bad.task
def never(boom):
    return 2

@bad.task
def other(first):
    return 3
"""
BOX = set("┃━╇│─┏┓┗┛┡┩╭╮╰╯┌┐└┘├┤┼╋")


def _failed_run(project) -> None:
    project.write("main.py", PIPELINES)
    project.cli("run", "bad", check=1)


def _on_a_tty(project, *args: str, env: dict[str, str]) -> str:
    """Run the CLI with stdout on a pseudo-terminal, the way a person sees it."""
    master, slave = pty.openpty()
    full = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "120", "TERM": "xterm-256color", **env}
    full.pop("OPSCONSOLE_HOME", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "console", "--project", str(project.root), *args],
        stdout=slave,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        env=full,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(master)
    return b"".join(chunks).decode("utf-8", "replace")


def test_piped_tables_are_plain_tab_separated_lines(project) -> None:
    _failed_run(project)
    for args in (("runs",), ("show", "1"), ("pipelines",), ("checks",)):
        out = project.cli(*args).stdout
        assert not BOX & set(out), (args, out)
        assert "\x1b" not in out, args
    lines = project.cli("runs").stdout.splitlines()
    header = next(line for line in lines if line.startswith("#\t"))
    assert header.split("\t") == ["#", "pipeline", "status", "trigger", "started", "took", "tasks"]
    row = lines[lines.index(header) + 1].split("\t")
    assert row[0] == "1" and row[1] == "bad" and row[2] == "✗ failed"


def test_no_color_on_a_terminal_sends_no_escape_codes(project) -> None:
    _failed_run(project)
    coloured = _on_a_tty(project, "runs", env={"NO_COLOR": ""})
    assert "\x1b[" in coloured  # an empty NO_COLOR leaves colour on (no-color.org)
    assert BOX & set(coloured)  # a terminal still gets the drawn table
    plain = _on_a_tty(project, "runs", env={"NO_COLOR": "1"})
    assert "\x1b[" not in plain, repr(plain)
    assert "bad" in plain and "failed" in plain


def test_filters_that_match_nothing_say_so_and_an_unknown_pipeline_exits_2(project) -> None:
    empty = project.cli("runs", check=0)
    project.write("main.py", PIPELINES)
    assert "no runs yet" in project.cli("runs", check=0).stdout or "no runs yet" in empty.stdout
    project.cli("run", "bad", check=1)
    proc = project.cli("runs", "--status", "running", check=0)
    assert "no runs match --status running" in proc.stdout and "no runs yet" not in proc.stdout
    proc = project.cli("runs", "--pipeline", "nosuch")
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert proc.stderr.count("\n") == 1 and "unknown pipeline 'nosuch'" in proc.stderr
    assert "known: bad" in proc.stderr and "Traceback" not in proc.stderr
    assert project.cli("runs", "--pipeline", "nosuch", "--json").returncode == 2
    # a pipeline that exists but never ran is not an error
    project.write(
        "more.py",
        'from console import Pipeline\nfresh = Pipeline("fresh")\n@fresh.task\ndef a():\n    return 1\n',
    )
    proc = project.cli("runs", "--pipeline", "fresh", check=0)
    assert "no runs match --pipeline fresh" in proc.stdout


def test_task_counts_show_what_succeeded_and_mark_the_rest(project) -> None:
    _failed_run(project)
    runs = project.cli("runs").stdout
    assert "2/4 (1 failed, 1 skipped)" in runs and "4/4" not in runs
    assert "tasks 2/4 (1 failed, 1 skipped)" in project.cli("show", "1").stdout
    assert "tasks 2/4 (1 failed, 1 skipped)" in project.cli("rerun", "1").stdout
    run = project.cli_json("show", "1")
    assert run["task_counts"] == {"succeeded": 2, "failed": 1, "skipped": 1}
    assert run["n_done"] == 4  # the old field keeps its meaning: finished, however they ended


def test_fmt_task_counts_marks_cancelled_and_falls_back_without_counts() -> None:
    from console.presentation import fmt_task_counts

    assert (
        fmt_task_counts({"n_tasks": 3, "task_counts": {"succeeded": 1, "cancelled": 2}})
        == "1/3 (2 cancelled)"
    )
    assert fmt_task_counts({"n_tasks": 3, "task_counts": {"succeeded": 3}}) == "3/3"
    assert fmt_task_counts({"n_tasks": 3, "n_done": 1}) == "1/3"


def test_plain_cells_drop_markup_and_control_sequences() -> None:
    from rich.table import Table
    from rich.text import Text

    from console.headless.plain import table_lines

    table = Table(title="t")
    table.add_column("a")
    table.add_column("b")
    table.add_row("[bold]x[/]", Text("\\[/] \x1b[31mred\x1b[0m\r\x00\tz"))
    assert table_lines(table) == ["t", "a\tb", "x\t\\[/] red z"]


MODEL_PIPELINE = """
from console import Pipeline
from console.quality import checks as qc
import pandas as pd

m = Pipeline("train")

@m.task(checks=[qc.row_count(min=1)])
def data():
    print("loaded 3 rows")
    return pd.DataFrame({"x": [1, 2, 3]})

@m.task
def model(data, ctx):
    ctx.log_metric("accuracy", 0.9)
    return ctx.register_model("m", {"w": 1}, metrics={"accuracy": 0.9})
"""


def _iso_with_offset(value: object) -> bool:
    from datetime import datetime

    return isinstance(value, str) and datetime.fromisoformat(value).utcoffset() is not None


def _time_fields(obj: object, path: str = "") -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    if isinstance(obj, dict):
        for key, value in obj.items():
            if (key == "at" or key.endswith("_at")) and value is not None:
                found.append((f"{path}.{key}", value))
            found += _time_fields(value, f"{path}.{key}")
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            found += _time_fields(value, f"{path}[{i}]")
    return found


def test_times_are_local_with_the_zone_once_and_json_is_iso_with_offset(project) -> None:
    import json
    from datetime import datetime
    from zoneinfo import ZoneInfo

    project.write("train.py", MODEL_PIPELINE)
    ny = {"TZ": "America/New_York"}
    run = json.loads(project.cli("run", "train", "--json", env=ny, check=0).stdout)
    started = datetime.fromisoformat(run["started_at"]).astimezone(ZoneInfo("America/New_York"))
    local = started.strftime("%H:%M:%S")
    zone = started.strftime("%Z")  # EST or EDT
    project.cli("promote", "m", "1", "--reason", "first", check=0)
    for args in (
        ("runs",),
        ("models", "m"),
        ("history", "m"),
        ("metrics",),
        ("checks", "--history", "row_count()"),
    ):
        out = project.cli(*args, env=ny).stdout
        assert f"times in {zone} (UTC-0" in out, (args, out)
        assert out.count(zone) == 1, (args, out)
    runs = project.cli("runs", env=ny).stdout
    assert local in runs

    def new_york(iso_text: str) -> str:
        return datetime.fromisoformat(iso_text).astimezone(ZoneInfo("America/New_York")).strftime("%H:%M:%S")

    # the versions table and the alias history show the same rule: New York time, like `runs`
    history = project.cli("history", "m", env=ny).stdout
    assert new_york(project.cli_json("history", "m")[0]["at"]) in history
    versions = project.cli("models", "m", env=ny).stdout
    assert new_york(project.cli_json("models", "m")["versions"][0]["created_at"]) in versions
    commands = (
        ("runs",), ("show", "1"), ("models",), ("models", "m"), ("history", "m"), ("alerts", "--all"),
        ("metrics",), ("metrics", "accuracy"), ("checks",), ("checks", "--history", "row_count()"),
        ("logs", "1"), ("pipelines",),
    )  # fmt: skip
    seen = 0
    for args in commands:
        proc = project.cli(*args, "--json", env=ny)
        assert proc.returncode in (0, 1), (args, proc.stderr)
        text = proc.stdout.strip()
        docs, at = [], 0
        while at < len(text):  # `logs --json` prints one object per line of log
            doc, at = json.JSONDecoder().raw_decode(text, at)
            docs.append(doc)
            at = len(text) - len(text[at:].lstrip())
        for doc in docs:
            for where, value in _time_fields(doc):
                seen += 1
                assert _iso_with_offset(value), (args, where, value)
    assert seen >= 10


def test_compact_task_counts_fold_what_did_not_succeed() -> None:
    from console.presentation import fmt_task_counts

    run = {"n_tasks": 4, "task_counts": {"succeeded": 2, "failed": 1, "skipped": 1}}
    assert fmt_task_counts(run, compact=True) == "2/4 ✗2"
    assert fmt_task_counts(run | {"task_counts": {"succeeded": 4}}, compact=True) == "4/4"
