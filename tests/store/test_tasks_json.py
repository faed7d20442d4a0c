"""A run's ``--json`` task list built by SQLite is the one ``run_to_json`` builds from rows."""

from __future__ import annotations

import io
import json

import pytest

from console.headless import output
from console.store.runs import create_run, get_run_row, get_tasks, run_to_json, tasks_json_text
from console.store.state import Store

HOSTILE = "[/] [bold]x\x1b[31m red\r\x00 ünï 🚀 \"quoted\" \\ back\nnew line\t\u2028"


def test_the_sqlite_encoding_matches_the_rows_encoding(tmp_path) -> None:
    store = Store(tmp_path / "s")
    tasks = [("a", []), (HOSTILE, ["a"]), ("c", ["a", HOSTILE]), ("z_first_by_name", [])]
    run_id = create_run(store.db, "p", trigger="manual", params={}, tasks=tasks)
    store.db.execute(
        "UPDATE tasks SET status='failed', attempts=3, duration_s=0.1234567891, error=?, reused=0, log_lines=7"
        " WHERE run_id=? AND name=?",
        (HOSTILE, run_id, HOSTILE),
    )
    store.db.execute("UPDATE tasks SET status='succeeded', reused=1, duration_s=1e-7 WHERE run_id=? AND name='a'",
                     (run_id,))  # fmt: skip
    expected = run_to_json(get_run_row(store.db, run_id), get_tasks(store.db, run_id))["tasks"]
    assert json.loads(tasks_json_text(store.db, run_id)) == expected
    assert [t["name"] for t in expected] == [name for name, _ in tasks]  # the run's order, not by name
    assert json.loads(tasks_json_text(store.db, run_id + 1)) == []
    store.close()


@pytest.mark.parametrize("tty", [False, True])
def test_the_document_is_the_same_piped_or_indented(monkeypatch, tty) -> None:
    out = io.StringIO()
    out.isatty = lambda: tty  # type: ignore[method-assign]
    monkeypatch.setattr(output.sys, "stdout", out)
    doc = {"id": 3, "error": HOSTILE, "tasks": "replaced"}
    output.print_json_with(doc, "tasks", json.dumps([{"name": HOSTILE}]))
    text = out.getvalue()
    assert json.loads(text) == {"id": 3, "error": HOSTILE, "tasks": [{"name": HOSTILE}]}
    assert text.endswith("\n")
    assert ('\n  "id": 3' in text) if tty else text.count("\n") == 1  # indented for a person, one line piped
    if not tty:
        out.seek(0)
        out.truncate()
        output.print_json_with({}, "tasks", "[]")
        assert json.loads(out.getvalue()) == {"tasks": []}
