"""The store: schema versions, corruption, crash recovery, artifacts, the writer, many processes."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from console.errors import IntegrityError, StoreCorruptError, StoreError
from console.store.runs import create_run, get_run_row, get_tasks, list_runs, resolve_run_id
from console.store.schema import SCHEMA_VERSION
from console.store.state import Store

ROOT = Path(__file__).resolve().parents[2]


def test_new_store_has_wal_and_schema_version(tmp_path) -> None:
    store = Store(tmp_path / "s")
    conn = store.db.conn()
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()


def test_a_store_from_a_newer_version_is_refused(tmp_path) -> None:
    Store(tmp_path / "s").close()
    conn = sqlite3.connect(tmp_path / "s" / "state.db")
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(StoreError, match="newer ops-console"):
        Store(tmp_path / "s")


def test_a_corrupt_database_is_named_and_never_deleted(tmp_path) -> None:
    home = tmp_path / "s"
    home.mkdir()
    db = home / "state.db"
    db.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreCorruptError) as info:
        Store(home)
    assert str(db) in str(info.value) and "backup-and-reset" in str(info.value)
    assert db.read_bytes().startswith(b"this is not sqlite")


def test_runs_of_a_dead_process_become_interrupted(tmp_path) -> None:
    store = Store(tmp_path / "s")
    run_id = create_run(store.db, "p", trigger="manual", params={}, tasks=[("a", []), ("b", ["a"])])
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    store.db.execute("UPDATE runs SET status='running', pid=? WHERE id=?", (int(dead.stdout), run_id))
    store.db.execute("UPDATE tasks SET status='running' WHERE run_id=? AND name='a'", (run_id,))
    alive = create_run(store.db, "p", trigger="manual", params={}, tasks=[("a", [])])
    store.db.execute("UPDATE runs SET status='running' WHERE id=?", (alive,))  # our own pid: alive
    store.close()

    reopened = Store(tmp_path / "s")
    assert reopened.recovered == [run_id]
    assert get_run_row(reopened.db, run_id)["status"] == "interrupted"
    assert {t["name"]: t["status"] for t in get_tasks(reopened.db, run_id)} == {
        "a": "interrupted",
        "b": "interrupted",
    }
    assert get_run_row(reopened.db, alive)["status"] == "running"
    reopened.close()


def test_run_listing_pages_by_key_and_resolves_references(tmp_path) -> None:
    store = Store(tmp_path / "s")
    ids = [create_run(store.db, f"p{i % 2}", trigger="manual", params={}, tasks=[]) for i in range(7)]
    page1 = list_runs(store.db, limit=3)
    page2 = list_runs(store.db, limit=3, before_id=page1[-1]["id"])
    assert [r["id"] for r in page1 + page2] == ids[::-1][:6]
    assert {r["pipeline"] for r in list_runs(store.db, pipeline="p1")} == {"p1"}
    assert resolve_run_id(store.db, "last") == ids[-1]
    assert resolve_run_id(store.db, f"#{ids[0]}") == ids[0]
    store.close()


def test_artifacts_are_whole_and_verified(tmp_path) -> None:
    store = Store(tmp_path / "s")
    key = store.artifacts.put_bytes(b"model bytes")
    assert store.artifacts.read_verified(key) == b"model bytes"
    path = store.artifacts.path(key)
    path.write_bytes(b"model bytez")
    with pytest.raises(IntegrityError, match="sha256"):
        store.artifacts.read_verified(key)
    path.unlink()
    with pytest.raises(IntegrityError, match="missing"):
        store.artifacts.verify(key)
    with pytest.raises(IntegrityError, match="not an artifact key"):
        store.artifacts.path("../../etc/passwd")
    assert not list((tmp_path / "s" / "artifacts").rglob(".tmp-*"))
    store.close()


def test_a_failing_writer_surfaces_as_a_store_error(tmp_path) -> None:
    store = Store(tmp_path / "s")
    store.writer.sql("INSERT INTO no_such_table VALUES (1)")
    with pytest.raises(StoreError, match="no_such_table"):
        store.writer.flush(timeout=5)
    with pytest.raises(StoreError):
        store.writer.event(None, None, "x")
    store._writer = None  # the broken writer is dropped; the database is intact
    assert store.db.query_one("PRAGMA integrity_check")[0] == "ok"
    store.close()


def test_two_processes_running_at_once_both_record_fully(project) -> None:
    project.write(
        "work.py",
        """
        import time
        from console import Pipeline
        p = Pipeline("work", params={"n": 40})

        @p.task
        def start():
            return 0

        def make(i):
            def step(start):
                time.sleep(0.002)
                print(f"line from {i}")
                return i
            return step

        for i in range(40):
            p.task(name=f"s{i}")(make(i))
    """,
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "console", "--project", str(project.root), "run", "work", "--json"]
    running = [
        subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=120) for p in running]
    assert [p.returncode for p in running] == [0, 0], outs
    store = Store(project.root / ".opsconsole")
    runs = list_runs(store.db)
    assert len(runs) == 2 and {r["status"] for r in runs} == {"succeeded"}
    for run in runs:
        tasks = get_tasks(store.db, run["id"])
        assert len(tasks) == 41 and {t["status"] for t in tasks} == {"succeeded"}
        n_events = store.db.query_one("SELECT count(*) FROM events WHERE run_id=?", (run["id"],))[0]
        assert n_events == 1 + 1 + 41 * 2 + 1  # created, started, started+finished per task, finished
        lines = sum(store.log_path(run["id"], f"s{i}").read_text().count("line from") for i in range(40))
        assert lines == 40
    store.close()


def test_processes_creating_one_new_store_at_once_all_open_it(tmp_path) -> None:
    """SQLite's switch of a new file to WAL can deadlock two openers; the open lock serialises it."""
    code = "import sys; from pathlib import Path; from console.store.state import Store; Store(Path(sys.argv[1])).close()"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for round_ in range(5):
        home = tmp_path / f"home{round_}"
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", code, str(home)], stderr=subprocess.PIPE, text=True, env=env
            )
            for _ in range(6)
        ]
        errors = [p.communicate(timeout=60)[1] for p in procs]
        assert [p.returncode for p in procs] == [0] * 6, errors
        store = Store(home)
        assert store.db.query_one("PRAGMA journal_mode")[0] == "wal"
        store.close()


@pytest.mark.parametrize("n", [1, 17, 5000])
def test_the_writer_stores_every_row_of_a_big_batch_exactly(tmp_path, n: int) -> None:
    # many rows go in multi-row statements: every value must land as executemany would put it
    store = Store(tmp_path / "home")
    run_id = create_run(store.db, "p", trigger="manual", params={}, tasks=[(f"t{i}", []) for i in range(n)])
    expected = {}
    for i in range(n):
        at = 1764650000.123456789 + i / 7
        store.writer.change(run_id, f"t{i}", {"started_at": at, "status": "running"}, (at, run_id, f"t{i}", "task.started", "running", None))
        if i % 3:
            fields = {"ended_at": at + 1 / 3, "duration_s": 1 / 3, "error": None, "status": "succeeded"}
            data = {"n": i}
        else:  # a second shape in the same batch
            fields = {"ended_at": at + 1 / 3, "error": f"boom {i} \u2713", "status": "failed"}
            data = None
        store.writer.change(run_id, f"t{i}", fields, (at + 1 / 3, run_id, f"t{i}", "task.finished", fields["status"], data))
        expected[f"t{i}"] = (at, fields)
    store.writer.flush()
    rows = {t["name"]: t for t in get_tasks(store.db, run_id)}
    assert len(rows) == n
    for name, (at, fields) in expected.items():
        assert rows[name]["started_at"] == at
        for key, value in fields.items():
            assert rows[name][key] == value, (name, key)
    events = store.db.query("SELECT at, task, kind, status, data FROM events WHERE run_id=? AND kind LIKE 'task.%'", (run_id,))
    assert len(events) == 2 * n
    finished = {e["task"]: e for e in events if e["kind"] == "task.finished"}
    if n > 1:
        assert finished["t1"]["data"] == '{"n": 1}'
    assert finished["t0"]["data"] is None and finished["t0"]["at"] == expected["t0"][0] + 1 / 3
    store.close()
