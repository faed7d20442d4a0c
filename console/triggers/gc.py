"""Garbage collection of old runs: ``opsconsole gc --keep-days N [--dry-run]``.

For runs that ended (succeeded, failed, cancelled, interrupted) more than N days ago:

- their task logs (``logs/<id>/``) and output folders (``runs/<id>/``) are deleted;
- their events are deleted (the newest event of the store is always kept, so sequence
  numbers keep growing), and their tasks forget their result keys;
- result rows and artifact files that only they referenced are deleted.

Kept: the run and task rows themselves (history, a few hundred bytes each), check
results and metrics (quality history bounds and monitoring series need them), every
artifact a model version references (``model_versions.sha256``/``data_sha256``), and
every result or artifact a kept run references (task results, ``artifact.saved`` and
other events, check details, monitor evidence and alerts). Runs still queued or running
are never touched.

The database part is one transaction, computed while it holds the write lock, so no
reference can appear between the check and the delete; files are deleted after it
commits (a crash in between leaves unreferenced files, never a dangling reference to a
deleted file). SQL lives here rather than in ``store/`` because nothing else needs it.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import shutil
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from console.errors import IntegrityError, UsageError
from console.store.runs import TERMINAL_RUN_STATES
from console.store.state import Store

HEX64 = re.compile(r"\b[0-9a-f]{64}\b")
DAY = 86400.0
# the result of every task that returns None: shared by nearly all runs, never worth deleting
NONE_KEY = hashlib.sha256(pickle.dumps(None, protocol=5)).hexdigest()


MAX_KEEP_DAYS = 36_500  # a hundred years: more keeps everything anyway


@dataclass
class GcReport:
    """What was (or, with ``dry_run``, would be) freed."""

    keep_days: float
    cutoff: float
    dry_run: bool
    runs: list[int] = field(default_factory=list)
    log_dirs: int = 0
    log_bytes: int = 0
    run_dirs: int = 0
    run_bytes: int = 0
    events: int = 0
    results: int = 0
    result_bytes: int = 0
    artifacts: int = 0
    artifact_bytes: int = 0
    kept_for_models: int = 0
    kept_for_runs: int = 0

    @property
    def freed_bytes(self) -> int:
        return self.log_bytes + self.run_bytes + self.result_bytes + self.artifact_bytes

    def to_json(self) -> dict[str, object]:
        return {**asdict(self), "freed_bytes": self.freed_bytes}


def _size(path: Path) -> int:
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                pass
    return total


def _hexes(texts: Iterable[str | None]) -> set[str]:
    out: set[str] = set()
    for text in texts:
        if text and len(text) >= 64:
            out.update(HEX64.findall(text))
    return out


def _query(conn: sqlite3.Connection, sql: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc) or "no such column" in str(exc):
            return []  # an area whose tables this store does not have
        raise


class Collector:
    """Works out what to delete on one connection; ``apply`` deletes it."""

    def __init__(self, store: Store, keep_days: float, *, now: float | None = None) -> None:
        # NaN compares false with everything, and 1e308 days overflows a timestamp
        if not 0 <= keep_days <= MAX_KEEP_DAYS:
            raise UsageError(f"--keep-days must be from 0 to {MAX_KEEP_DAYS}, not {keep_days:g}")
        self.store = store
        self.now = time.time() if now is None else now
        self.report = GcReport(keep_days, self.now - keep_days * DAY, dry_run=True)
        self.old: set[int] = set()
        self.result_keys: set[str] = set()
        self.file_keys: set[str] = set()

    def plan(self, conn: sqlite3.Connection) -> None:
        rep = self.report
        marks = ",".join("?" * len(TERMINAL_RUN_STATES))
        self.old = {
            r[0]
            for r in _query(
                conn,
                f"SELECT id FROM runs WHERE status IN ({marks})"
                " AND coalesce(ended_at, started_at, created_at) < ?",
                (*TERMINAL_RUN_STATES, rep.cutoff),
            )
        }
        old_refs: set[str] = set()
        keep: set[str] = set()
        models = {k for r in _query(conn, "SELECT sha256, data_sha256 FROM model_versions") for k in r if k}
        for run_id, key in _query(conn, "SELECT run_id, result_key FROM tasks WHERE result_key IS NOT NULL"):
            (old_refs if run_id in self.old else keep).add(key)
        events: dict[int, int] = {}
        old_texts: list[str | None] = []
        kept_texts: list[str | None] = []
        for run_id, n in _query(conn, "SELECT run_id, count(*) FROM events GROUP BY run_id"):
            if run_id in self.old:
                events[run_id] = n
        for run_id, data in _query(conn, "SELECT run_id, data FROM events WHERE data IS NOT NULL"):
            (old_texts if run_id in self.old else kept_texts).append(data)
        for run_id, detail in _query(conn, "SELECT run_id, detail FROM checks"):
            (old_texts if run_id in self.old else kept_texts).append(detail)
        for table in ("monitor_evals", "alerts"):
            kept_texts.extend(r[0] for r in _query(conn, f"SELECT evidence FROM {table}"))
        old_refs |= _hexes(old_texts)
        keep |= _hexes(kept_texts)
        candidates = old_refs - keep - models - {NONE_KEY}
        # result rows no task references any more (a crash between a save and its task update)
        for (key,) in _query(
            conn,
            "SELECT key FROM results WHERE at < ? AND key NOT IN "
            "(SELECT result_key FROM tasks WHERE result_key IS NOT NULL)",
            (rep.cutoff,),
        ):
            if key not in keep and key not in models and key != NONE_KEY:
                candidates.add(key)
        rep.kept_for_models = len(old_refs & models)
        rep.kept_for_runs = len((old_refs & keep) - models)
        for key, size, inline in _query(
            conn,
            "SELECT key, size, inline IS NOT NULL FROM results WHERE key IN (SELECT value FROM json_each(?))",
            (_json_list(candidates),),
        ):
            self.result_keys.add(key)
            rep.results += 1
            if inline:
                rep.result_bytes += int(size)
        arts = self.store.artifacts
        for key in sorted(candidates):
            try:
                path = arts.path(key)
            except IntegrityError:  # not an artifact key
                continue
            if path.is_file():
                self.file_keys.add(key)
                rep.artifacts += 1
                rep.artifact_bytes += path.stat().st_size
        freed_runs = set()
        for run_id in sorted(self.old):
            logs, outputs = self.store.logs_dir / str(run_id), self.store.runs_dir / str(run_id)
            if logs.is_dir():
                rep.log_dirs += 1
                rep.log_bytes += _size(logs)
                freed_runs.add(run_id)
            if outputs.is_dir():
                rep.run_dirs += 1
                rep.run_bytes += _size(outputs)
                freed_runs.add(run_id)
            if events.get(run_id):
                freed_runs.add(run_id)
        rep.events = sum(events.values())
        tasks_with_keys = {
            r[0] for r in _query(conn, "SELECT DISTINCT run_id FROM tasks WHERE result_key IS NOT NULL")
        }
        freed_runs |= self.old & tasks_with_keys
        rep.runs = sorted(freed_runs)

    def apply_db(self, conn: sqlite3.Connection) -> None:
        """The database deletes (inside the caller's transaction)."""
        old = _json_list(sorted(self.old))
        top = conn.execute("SELECT max(seq) FROM events").fetchone()[0] or 0
        cur = conn.execute(
            "DELETE FROM events WHERE seq < ? AND run_id IN (SELECT value FROM json_each(?))", (top, old)
        )
        self.report.events = max(cur.rowcount, 0)
        conn.execute(
            "UPDATE tasks SET result_key=NULL WHERE result_key IS NOT NULL"
            " AND run_id IN (SELECT value FROM json_each(?))",
            (old,),
        )
        conn.execute(
            "DELETE FROM results WHERE key IN (SELECT value FROM json_each(?))",
            (_json_list(sorted(self.result_keys)),),
        )

    def apply_files(self) -> None:
        for run_id in self.report.runs:
            for folder in (self.store.logs_dir / str(run_id), self.store.runs_dir / str(run_id)):
                shutil.rmtree(folder, ignore_errors=True)
        for key in self.file_keys:
            self.store.artifacts.delete(key)


def _json_list(items: Iterable[object]) -> str:
    return json.dumps(list(items))


def collect_garbage(
    store: Store, keep_days: float, *, dry_run: bool = False, now: float | None = None
) -> GcReport:
    """Prune runs that ended more than ``keep_days`` ago (see the module docstring)."""
    collector = Collector(store, keep_days, now=now)
    if dry_run:
        collector.plan(store.db.conn())
        return collector.report
    with store.db.transaction() as conn:
        collector.plan(conn)
        collector.apply_db(conn)
    collector.apply_files()
    collector.report.dry_run = False
    return collector.report
