"""Bad input from the shell: one line naming what and where, exit 2, and the store untouched."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from console.store.runs import list_runs
from console.store.state import Store

SMALL = """
from console import Pipeline
p = Pipeline("small")

@p.task
def a():
    return 1
"""

RAISES_AT_IMPORT = """
from console import Pipeline
p = Pipeline("loud")
raise RuntimeError("config server unreachable")
"""


def one_line(proc: subprocess.CompletedProcess[str], code: int, text: str) -> None:
    assert proc.returncode == code, (proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and text in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'a,b\n1,"x\n2,y\n', "line 2: a quoted field is never closed"),
        (b"a,b\n1,caf\xe9\n", "not valid utf-8 (byte 0xe9 at line 2"),
        (b"", "empty file"),
        (b"a,b\n1,2\n1,2,3,4\n", "line 3"),
    ],
    ids=["broken-quoting", "wrong-encoding", "empty", "too-many-fields"],
)
def test_a_bad_csv_is_named_with_its_line(project, content: bytes, message: str) -> None:
    project.write("small.py", SMALL)
    project.cli("run", "small", check=0)
    bad = project.root / "bad.csv"
    bad.write_bytes(content)
    one_line(project.cli("suggest", str(bad)), 2, message)
    store = Store(project.root / ".opsconsole")
    assert [r["status"] for r in list_runs(store.db)] == ["succeeded"]
    store.close()


def test_a_module_that_raises_at_import_is_broken_and_the_others_run(project) -> None:
    project.write("small.py", SMALL)
    project.write("loud.py", RAISES_AT_IMPORT)
    one_line(project.cli("run", "loud"), 2, "loud.py:4")
    assert project.cli("run", "small").returncode == 0


def _make_immutable(paths: list[Path]) -> bool:
    """Root ignores file modes; the immutable attribute stops even root (where allowed)."""
    if shutil.which("chattr") is None:
        return False
    proc = subprocess.run(["chattr", "+i", *map(str, paths)], capture_output=True, check=False)
    return proc.returncode == 0


def test_a_read_only_store_directory_is_a_clear_error_and_loses_nothing(project) -> None:
    project.write("small.py", SMALL)
    project.cli("run", "small", check=0)
    home = project.root / ".opsconsole"
    targets = [home, home / "state.db"]
    if os.geteuid() != 0:
        home.chmod(0o555)
        (home / "state.db").chmod(0o444)
        undo = ["chmod", "u+w", *map(str, targets)]
    elif _make_immutable(targets):
        undo = ["chattr", "-i", *map(str, targets)]
    else:
        pytest.skip("running as root without chattr +i: cannot make a directory read-only")
    try:
        one_line(project.cli("run", "small"), 2, "the state directory is not writable")
    finally:
        subprocess.run(undo, check=True)
    store = Store(home)
    assert [r["status"] for r in list_runs(store.db)] == ["succeeded"]
    assert store.db.query_one("PRAGMA integrity_check")[0] == "ok"
    store.close()
