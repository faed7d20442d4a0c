"""``checks --suite FILE.json DATA.csv`` and ``suggest --format gx`` through the real CLI."""

from __future__ import annotations

import json
from typing import Any

from console.quality import validate
from console.quality.csvio import read_csv
from console.quality.gx import load_suite

SUITE: dict[str, Any] = {
    "name": "orders",
    "expectations": [
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "id"}, "meta": {}},
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "amount", "min_value": 0}},
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "country", "value_set": ["DE", "FR"]},
            "severity": "warning",
        },
    ],
}


def write(project: Any, rows: str, suite: dict[str, Any] = SUITE) -> tuple[str, str]:
    project.root.mkdir(parents=True, exist_ok=True)
    data, path = project.root / "orders.csv", project.root / "orders.json"
    data.write_text(rows)
    path.write_text(json.dumps(suite))
    return str(path), str(data)


def test_failing_error_check_exits_1_and_the_run_is_stored(project: Any) -> None:
    suite, data = write(project, "id,amount,country\n1,10,DE\n2,-5,FR\n2,7,XX\n")
    rows = project.cli_json("checks", "--suite", suite, data, check=1)
    by_check = {r["check"]: r for r in rows}
    unique = by_check["expect_column_values_to_be_unique(id)"]
    assert (unique["passed"], unique["failing"], unique["total"], unique["sample_index"]) == (False, 2, 3, [1, 2])
    assert by_check["expect_column_values_to_be_in_set(country)"]["severity"] == "warn"
    assert {r["pipeline"] for r in rows} == {"suite:orders"}
    run_id = rows[0]["run_id"]
    runs = project.cli_json("runs")
    assert [(r["id"], r["pipeline"], r["status"]) for r in runs] == [(run_id, "suite:orders", "failed")]
    stored = project.cli_json("checks", str(run_id), check=1)
    assert [r["check"] for r in stored] == [r["check"] for r in rows]
    history = project.cli_json("checks", "--history", "expect_column_values_to_be_unique(id)")
    assert [h["run_id"] for h in history] == [run_id]


def test_only_warnings_failing_exits_0(project: Any) -> None:
    suite, data = write(project, "id,amount,country\n1,10,DE\n2,5,XX\n")
    proc = project.cli("checks", "--suite", suite, data, check=0)
    assert "suite orders: 2 rows" in proc.stdout and "! warn" in proc.stdout


def test_bad_suite_or_missing_data_exits_2_with_one_line(project: Any) -> None:
    bad = {"name": "x", "expectations": [{"type": "expect_column_values_to_be_purple", "kwargs": {}}]}
    suite, data = write(project, "id\n1\n", bad)
    proc = project.cli("checks", "--suite", suite, data, check=2)
    assert "expect_column_values_to_be_purple" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    proc = project.cli("checks", "--suite", suite, check=2)
    assert "needs the data file" in proc.stderr


def test_untrusted_text_is_printed_literally(project: Any) -> None:
    nasty = "[/]b[bold]\x1b[31m\rz\x00"
    suite = {"name": "n[/]", "expectations": [{"type": "expect_column_values_to_be_in_set",
             "kwargs": {"column": "c", "value_set": ["ok"]}}]}  # fmt: skip
    header = nasty.replace("\x00", "")  # NUL cannot sit in a CSV header; it goes in a value
    suite["expectations"][0]["kwargs"]["column"] = header
    path, data = write(project, json.dumps(header) + "\n" + json.dumps(nasty) + "\n", suite)
    proc = project.cli("checks", "--suite", path, data, check=1)
    assert "\x1b" not in proc.stdout and "\r" not in proc.stdout and "\x00" not in proc.stdout
    assert "[/]b[bold]\\x1b[31m\\x0dz" in proc.stdout and "suite n[/]" in proc.stdout


def test_suggest_format_gx_round_trips(project: Any) -> None:
    _, data = write(project, "order_id,amount,country\n1,10.5,DE\n2,3.25,FR\n3,7.0,DE\n4,1.0,FR\n")
    proc = project.cli("suggest", data, "--format", "gx", check=0)
    written = json.loads(proc.stdout)
    assert written["name"] == "orders" and written["expectations"]
    assert validate(read_csv(data), load_suite(written)).passed
    proc = project.cli("suggest", data, "--format", "gx", "--name", "mine", check=0)
    assert json.loads(proc.stdout)["name"] == "mine"


def test_read_only_validates_without_storing(project: Any) -> None:
    suite, data = write(project, "id,amount,country\n1,10,DE\n")
    rows = project.cli_json("checks", "--suite", suite, data, "--read-only", check=0)
    assert rows and all(r["run_id"] is None for r in rows)
    assert project.cli_json("runs") == []
