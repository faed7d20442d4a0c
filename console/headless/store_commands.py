"""Keeping the store: ``gc --keep-days N`` prunes old runs, ``store --check`` and
``store --backup-and-reset`` check the database or move a corrupt one aside (never delete it).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.headless.output import print_json

if TYPE_CHECKING:
    from console.session import Session

EXIT_OK, EXIT_FAILED = 0, 1


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("gc", parents=[common], help="delete logs, outputs and results of old runs")
    p.add_argument("--keep-days", dest="keep_days", type=float, required=True, metavar="N")
    p.add_argument("--dry-run", dest="dry_run", action="store_true", help="say what would be freed")
    p.set_defaults(func=cmd_gc)

    p = sub.add_parser(
        "store", parents=[common], help="check the state database, or move a corrupt one aside"
    )
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--check", action="store_true", help="PRAGMA integrity_check")
    group.add_argument(
        "--backup-and-reset",
        dest="backup_and_reset",
        action="store_true",
        help="move a corrupt state.db aside (state.db.corrupt-<time>) and start a fresh one",
    )
    p.add_argument("--force", action="store_true", help="reset even a database that passes its check")
    p.set_defaults(func=cmd_store)


def fmt_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def cmd_gc(args: argparse.Namespace, session: Session) -> int:
    from console.triggers.gc import collect_garbage

    if session.read_only and not args.dry_run:
        from console.errors import ReadOnlyError

        raise ReadOnlyError("read-only mode: gc would delete files (use --dry-run to look)")
    report = collect_garbage(session.store, args.keep_days, dry_run=args.dry_run)
    if args.json:
        print_json(report.to_json())
        return EXIT_OK
    before = time.strftime("%Y-%m-%d %H:%M", time.localtime(report.cutoff))
    verb = "would free" if report.dry_run else "freed"
    lines = [
        f"gc: {len(report.runs)} run(s) ended before {before} (--keep-days {args.keep_days:g})",
        f"  logs          {report.log_dirs:>6} folder(s) {fmt_bytes(report.log_bytes):>10}",
        f"  run outputs   {report.run_dirs:>6} folder(s) {fmt_bytes(report.run_bytes):>10}",
        f"  events        {report.events:>6} row(s)",
        f"  results       {report.results:>6} row(s)    {fmt_bytes(report.result_bytes):>10}",
        f"  artifacts     {report.artifacts:>6} file(s)   {fmt_bytes(report.artifact_bytes):>10}",
    ]
    if report.kept_for_models or report.kept_for_runs:
        lines.append(
            f"  kept {report.kept_for_models} artifact(s) referenced by model versions and "
            f"{report.kept_for_runs} still used by newer runs"
        )
    lines.append(
        f"{verb} {fmt_bytes(report.freed_bytes)}" + (" (dry run: nothing deleted)" if report.dry_run else "")
    )
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_OK


# -- store ------------------------------------------------------------------------------------------------
def check_artifact_files(db_path: Path, root: Path, info: dict[str, Any]) -> list[Any]:
    """Each registered model's and file result's artifact against its recorded sha256 and size."""
    from console.store.artifact_check import check_artifacts

    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    try:
        checked, bad = check_artifacts(conn, root)
    finally:
        conn.close()
    info["artifacts_checked"] = checked
    return bad


def strip_controls(text: str) -> str:
    """Model names are checked, paths are not: no control byte of one reaches the terminal."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def integrity(db_path: Path) -> tuple[bool, list[str], dict[str, Any]]:
    """Run ``PRAGMA integrity_check`` on a raw connection (works on a corrupt file)."""

    info: dict[str, Any] = {"size": db_path.stat().st_size}
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
        try:
            problems = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
            info["schema_version"] = conn.execute("PRAGMA user_version").fetchone()[0]
            if problems == ["ok"]:
                info["runs"] = conn.execute("SELECT count(*) FROM runs").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        from console.store.db import disk_full

        problems = [str(exc)]
        if isinstance(exc, sqlite3.OperationalError) and disk_full(db_path):
            info["disk_full"] = True  # SQLite could not even read: that says nothing of corruption
    return problems == ["ok"], [p for p in problems if p != "ok"], info


def cmd_store(args: argparse.Namespace, session: Session) -> int:
    home = session.project.home  # never Store(): it refuses to open a corrupt database
    db_path = home / "state.db"
    if not db_path.exists():
        message = f"{db_path}: no state database yet (nothing has run)"
        if args.json:
            print_json({"path": str(db_path), "exists": False, "ok": True, "problems": []})
        else:
            sys.stdout.write(message + "\n")
        return EXIT_OK
    ok, problems, info = integrity(db_path)
    if info.get("disk_full"):
        from console.errors import StoreUnavailableError
        from console.store.db import full_disk_message

        # never advise a reset for a full disk: the database is most likely healthy
        raise StoreUnavailableError(full_disk_message(db_path).replace("try again", "check again"))
    if args.check:
        bad = check_artifact_files(db_path, home / "artifacts", info) if ok else []
        if args.json:
            print_json(
                {
                    "path": str(db_path),
                    "exists": True,
                    "ok": ok and not bad,
                    "problems": problems + [b.describe() for b in bad],
                    **info,
                    "bad_artifacts": [b.to_json() for b in bad],
                }
            )
        elif ok and not bad:
            sys.stdout.write(
                f"{db_path}: ok (schema v{info.get('schema_version')}, {info.get('runs', 0)} runs, "
                f"{fmt_bytes(info['size'])}; {info.get('artifacts_checked', 0)} artifact(s) verified)\n"
            )
        elif ok:
            sys.stdout.write(
                f"{db_path}: database ok, but {len(bad)} artifact(s) do not match their record:\n"
            )
            for b in bad:
                sys.stdout.write(f"  {strip_controls(b.describe())}\n")
            sys.stdout.write(
                "  loading these is refused; restore the files from a backup or register the models again\n"
            )
        else:
            shown = "; ".join(problems[:5]) + (f"; ... {len(problems) - 5} more" if len(problems) > 5 else "")
            sys.stdout.write(
                f"{db_path}: CORRUPT: {shown}\n"
                "  move it aside and start fresh: opsconsole store --backup-and-reset\n"
            )
        return EXIT_OK if ok and not bad else EXIT_FAILED
    if session.read_only:
        from console.errors import ReadOnlyError

        raise ReadOnlyError(f"read-only mode: store --backup-and-reset of {db_path} refused")
    return _backup_and_reset(home, db_path, ok, args)


def _backup_and_reset(home: Path, db_path: Path, ok: bool, args: argparse.Namespace) -> int:
    from console.errors import UsageError
    from console.store.state import Store
    from console.triggers.lock import ServiceLock

    if ok and not args.force:
        raise UsageError(
            f"{db_path} passes its integrity check; refusing to reset a healthy store "
            "(add --force to move it aside anyway)"
        )
    lock = ServiceLock(home)
    if not lock.acquire():
        raise UsageError(
            f"an ops-console service (pid {lock.holder() or '?'}) is using this store; stop it first"
        )
    try:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        moved: list[str] = []
        # the -wal/-shm files travel with the database, so the copy can still be opened
        for suffix in ("", "-wal", "-shm"):
            src = home / f"state.db{suffix}"
            if src.exists():
                dst = home / f"state.db.corrupt-{stamp}{suffix}"
                os.replace(src, dst)
                moved.append(dst.name)
        # new runs restart at id 1: their logs and outputs must not land in the old folders
        for name in ("logs", "runs"):
            src = home / name
            if src.exists():
                dst = home / f"{name}.corrupt-{stamp}"
                os.replace(src, dst)
                moved.append(dst.name + "/")
        Store(home).close()
    finally:
        lock.release()
    if args.json:
        print_json({"path": str(db_path), "moved": moved, "fresh": True})
    else:
        sys.stdout.write(
            f"moved aside in {home}: {', '.join(moved)}\n"
            f"started a fresh {db_path.name}; artifacts/ kept (content-addressed files)\n"
        )
    return EXIT_OK
