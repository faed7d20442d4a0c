"""A full disk is reported as a full disk: never as corruption, never masked by a ROLLBACK."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path

import pytest

MANY = """
from console import Pipeline

p = Pipeline("many")

def make(i):
    def work(ctx):
        ctx.log_metric("m", i)
        return "x" * 2000
    work.__name__ = f"t{i}"
    return work

for i in range(60):
    p.task(make(i))
"""


def test_a_full_disk_mid_run_fails_the_run_with_the_real_error(make_engine, project) -> None:
    from console.errors import StoreError
    from console.store.runs import get_run_row

    project.write("many.py", MANY)
    engine = make_engine()
    runner = engine.prepare("many")
    writer = engine.store.writer
    writer.flush()
    pages = writer._conn.execute("PRAGMA page_count").fetchone()[0]
    writer._conn.execute(f"PRAGMA max_page_count={pages}")  # SQLite's own "database or disk is full"
    with pytest.raises(StoreError) as err:
        engine.execute(runner)
    assert "disk is full" in str(err.value)
    assert "rollback" not in str(err.value)
    run = get_run_row(engine.store.db, runner.run_id)
    assert run["status"] == "failed"  # not left running, to be called "interrupted" later
    assert "disk is full" in run["error"]


def test_a_failed_commit_is_reported_not_the_rollback(tmp_path: Path) -> None:
    from console.errors import StoreError
    from console.store.db import Database

    db = Database(tmp_path / "state.db")
    db.execute("CREATE TABLE t (x)")
    db.conn().execute("PRAGMA max_page_count=" + str(db.conn().execute("PRAGMA page_count").fetchone()[0]))
    with pytest.raises(StoreError) as err:
        db.execute("INSERT INTO t VALUES (?)", ("x" * 100_000,))
    assert "disk is full" in str(err.value)
    assert "rollback" not in str(err.value)
    db.close()


def test_an_io_error_on_a_full_disk_says_the_disk_is_full(tmp_path: Path, monkeypatch) -> None:
    from console.store import db

    monkeypatch.setattr(db, "free_bytes", lambda path: 0)
    err = db.translate(sqlite3.OperationalError("disk I/O error"), tmp_path / "state.db")
    assert "the disk is full" in str(err)
    assert "reset" not in str(err) and "corrupt" not in str(err).replace("not corrupt", "")
    monkeypatch.setattr(db, "free_bytes", lambda path: 10 << 30)
    assert "disk is full" not in str(db.translate(sqlite3.OperationalError("disk I/O error"), tmp_path))


@pytest.fixture
def full_disk(tmp_path: Path):
    """A 2 MB tmpfs (needs root and mount; skipped elsewhere)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root")
    mnt = tmp_path / f"mnt-{uuid.uuid4().hex[:6]}"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_commands_on_an_already_full_disk_say_so(project, full_disk: Path) -> None:
    project.write(
        "ok.py", "from console import Pipeline\np = Pipeline('ok')\n@p.task\ndef a():\n    return 1\n"
    )
    env = {"OPSCONSOLE_HOME": str(full_disk / "state")}
    project.cli("run", "ok", env=env, check=0, timeout=60)
    with open(full_disk / "filler", "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
        except OSError:
            pass
    for args in (["runs"], ["show", "1"], ["run", "ok"]):
        proc = project.cli(*args, env=env, timeout=60)
        assert proc.returncode != 0
        assert "the disk is full" in proc.stderr, (args, proc.stderr)
        assert "disk I/O error" not in proc.stderr
    check = project.cli("store", "--check", env=env, timeout=60)
    assert check.returncode != 0
    text = check.stdout + check.stderr
    assert "the disk is full" in text
    assert "CORRUPT" not in text and "backup-and-reset" not in text
    reset = project.cli("store", "--backup-and-reset", env=env, timeout=60)
    assert reset.returncode != 0 and "the disk is full" in reset.stderr
    assert (full_disk / "state" / "state.db").exists()  # nothing moved aside


FILL = """
import os
from pathlib import Path
from console import Pipeline

p = Pipeline("fill")

@p.task
def fill(ctx):
    with open(Path(os.environ["OPSCONSOLE_HOME"]) / "filler", "wb") as fh:
        try:
            while True:
                fh.write(b"x" * 65536)
                fh.flush()
        except OSError:
            pass
    for i in range(300):
        ctx.log_metric("m", i)
    return "ok"

@p.task
def after(fill):
    return 1
"""


def test_a_run_that_fills_the_disk_is_recorded_failed(project, full_disk: Path) -> None:
    project.write("fill.py", FILL)
    env = {"OPSCONSOLE_HOME": str(full_disk / "state")}
    proc = project.cli("run", "fill", "--json", env=env, timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert "the disk is full" in proc.stderr and "rollback" not in proc.stderr
    (full_disk / "state" / "filler").unlink()
    shown = project.cli("show", "1", "--json", env=env, check=0, timeout=60)
    import json

    run = json.loads(shown.stdout)
    assert run["status"] == "failed"  # not "interrupted" once the disk has room again
    assert "the disk is full" in run["error"]
