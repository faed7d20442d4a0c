"""The store's files are owner-only (0600) and its lock files are never opened through a symlink."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest

from console.errors import StoreUnavailableError

SMALL = """
from console import Pipeline

p = Pipeline("small")

@p.task
def t(ctx):
    print("hello")
    ctx.logger.warning("warned")
    return 1
"""


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_state_db_logs_and_locks_are_created_0600(project: Any) -> None:
    project.write("small.py", SMALL)
    project.cli("run", "small", check=0)
    home = project.root / ".opsconsole"
    private = [home / "state.db", home / "state.db.open-lock", *sorted((home / "logs").rglob("*.log"))]
    private += [p for p in (home / "artifacts").rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert len(private) >= 3, private
    for path in private:
        assert mode(path) == 0o600, (path, oct(mode(path)))


def test_wal_files_follow_the_database_mode(tmp_path: Path) -> None:
    from console.store.state import Store

    store = Store(tmp_path / "home")
    store.db.execute("CREATE TABLE IF NOT EXISTS probe (x)")
    for suffix in ("-wal", "-shm"):
        path = tmp_path / "home" / f"state.db{suffix}"
        if path.exists():
            assert mode(path) == 0o600, (path, oct(mode(path)))
    store.close()


def test_a_symlinked_service_lock_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    from console.triggers.lock import ServiceLock

    home = tmp_path / "home"
    home.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (home / "service.lock").symlink_to(victim)
    with pytest.raises(StoreUnavailableError, match="symbolic link"):
        ServiceLock(home).acquire()
    assert victim.read_text() == "precious\n"


def test_a_symlinked_open_lock_is_refused(tmp_path: Path) -> None:
    from console.store.state import Store

    home = tmp_path / "home"
    home.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (home / "state.db.open-lock").symlink_to(victim)
    with pytest.raises(StoreUnavailableError, match="symbolic link"):
        Store(home)
    assert victim.read_text() == "precious\n"
