"""A store that cannot be written: clear one-line errors, exit 2, nothing already stored is lost."""

from __future__ import annotations

import sqlite3

import pytest

from console.errors import StoreError, StoreUnavailableError
from console.store.runs import list_runs
from console.store.state import Store
from console.store.writer import Writer

PIPELINE = """
from console import Pipeline
p = Pipeline("small")

@p.task
def a():
    return 1

@p.task
def b(a):
    return a + 1
"""


def test_a_state_directory_that_cannot_be_created(project) -> None:
    project.write("small.py", PIPELINE)
    proc = project.cli("run", "small", env={"OPSCONSOLE_HOME": "/proc/no-such-dir/state"})
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "opsconsole: error: /proc/no-such-dir/state: cannot create the state directory "
        "(No such file or directory)"
    ]


def test_a_full_disk_is_named_and_nothing_is_lost(project) -> None:
    project.write("small.py", PIPELINE)
    project.cli("run", "small", check=0)
    home = project.root / ".opsconsole"
    (home / "state.db").rename(home / "kept.db")
    (home / "state.db").symlink_to("/dev/full")
    proc = project.cli("run", "small")
    assert proc.returncode == 2 and "the disk is full" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    (home / "state.db").unlink()
    (home / "kept.db").rename(home / "state.db")
    store = Store(home)
    assert [r["status"] for r in list_runs(store.db)] == ["succeeded"]
    store.close()


def test_the_writer_failing_mid_run_surfaces_and_keeps_the_database(
    project, make_engine, monkeypatch
) -> None:
    project.write("small.py", PIPELINE)
    engine = make_engine()
    assert engine.run("small").final_status == "succeeded"
    real_commit = Writer._commit

    def full_disk(self, ops):
        if any(op[0] == "C" for op in ops):
            raise sqlite3.OperationalError("database or disk is full")
        return real_commit(self, ops)

    monkeypatch.setattr(Writer, "_commit", full_disk)
    with pytest.raises(StoreError) as info:
        engine.run("small")
    assert isinstance(info.value, StoreUnavailableError) and "disk is full" in str(info.value)
    monkeypatch.setattr(Writer, "_commit", real_commit)
    assert engine.store.db.query_one("PRAGMA integrity_check")[0] == "ok"
    first = list_runs(engine.store.db)[-1]
    assert first["id"] == 1 and first["status"] == "succeeded"
