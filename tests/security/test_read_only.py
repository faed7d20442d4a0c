"""``--read-only`` refuses every change (``store --backup-and-reset --force`` too) and can look at a
state directory on a read-only filesystem (the store is opened read-only, immutable when unwritable)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SMALL = """
from console import Pipeline

p = Pipeline("small")

@p.task
def t():
    print("hello")
    return 1
"""


def test_read_only_refuses_backup_and_reset(project: Any) -> None:
    project.write("small.py", SMALL)
    project.cli("run", "small", check=0)
    home = project.root / ".opsconsole"

    def listing() -> list[str]:  # a reader may leave SQLite's -wal/-shm files: not a change
        return sorted(p.name for p in home.iterdir() if not p.name.endswith(("-wal", "-shm")))

    before = listing()
    proc = project.cli("store", "--backup-and-reset", "--force", "--read-only")
    assert proc.returncode == 2 and "read-only" in proc.stderr, (proc.stdout, proc.stderr)
    assert listing() == before
    assert project.cli_json("runs")[0]["status"] == "succeeded"


def _read_only_mount_works() -> bool:
    if shutil.which("unshare") is None or sys.platform != "linux":
        return False
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "mount --bind / /mnt 2>/dev/null || mount --bind /tmp /tmp"],
        capture_output=True,
        timeout=30,
    )
    return probe.returncode == 0


def on_read_only_fs(home: Path, project_root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a mount namespace where ``home`` is a read-only bind mount."""
    cli = [sys.executable, "-m", "console", "--project", str(project_root), *args]
    script = (
        f"mount --bind {home} {home} && mount -o remount,bind,ro {home} && "
        f"touch {home}/probe 2>/dev/null && echo WRITABLE; exec {' '.join(map(repr, cli))}"
    )
    env = {k: v for k, v in os.environ.items() if k != "OPSCONSOLE_HOME"}
    env.update({"PYTHONPATH": str(ROOT), "COLUMNS": "200"})
    return subprocess.run(
        ["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=120, env=env
    )


@pytest.mark.skipif(not _read_only_mount_works(), reason="needs unshare -rm to mount a read-only bind")
def test_a_state_dir_on_a_read_only_filesystem_can_be_viewed_read_only(project: Any) -> None:
    project.write("small.py", SMALL)
    project.cli("run", "small", check=0)
    project.cli("run", "small", check=0)
    home = project.root / ".opsconsole"
    for args, needle in (
        (("runs", "--read-only"), "small"),
        (("show", "2", "--read-only"), "succeeded"),
        (("logs", "1", "t", "--read-only"), "hello"),
        (("pipelines", "--read-only"), "small"),
        (("checks", "--read-only"), ""),
        (("models", "--read-only"), ""),
    ):
        proc = on_read_only_fs(home, project.root, *args)
        assert "WRITABLE" not in proc.stdout
        assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
        assert needle in proc.stdout, (args, proc.stdout)
    # acting on a read-only filesystem says why, in one line (read-only session or not)
    proc = on_read_only_fs(home, project.root, "run", "small")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert "read-only" in proc.stderr or "not writable" in proc.stderr, proc.stderr
