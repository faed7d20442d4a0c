"""Paused pipelines: their schedules, file triggers and monitors do not fire.

The state is a row per pipeline in ``paused`` (who, when, why), so it survives restarts
and every process sees it: the trigger service reads the set once per tick. Resuming
deletes the row; what was missed while paused is then handled by the pipeline's own
catch-up policy, because the scheduler never advanced its last handled tick meanwhile.
"""

from __future__ import annotations

import fnmatch
import json
import time
from collections.abc import Iterable
from typing import Any

from console.errors import UsageError
from console.store.db import Database
from console.store.marks import current_user
from console.store.runs import iso


def match(patterns: Iterable[str], names: Iterable[str]) -> list[str]:
    """Names matching any of ``patterns`` (exact names or shell globs); exit 2 when none does."""
    names = sorted(set(names))
    out: list[str] = []
    for pattern in patterns:
        hits = [n for n in names if n == pattern or fnmatch.fnmatchcase(n, pattern)]
        if not hits:
            raise UsageError(f"no pipeline matches {pattern!r} (pipelines: {', '.join(names) or 'none'})")
        out.extend(h for h in hits if h not in out)
    return out


def pause(db: Database, names: Iterable[str], *, reason: str | None = None) -> list[str]:
    """Pause ``names``; returns those that were not paused already."""
    now, who = time.time(), current_user()
    changed = []
    with db.transaction() as conn:
        for name in names:
            cur = conn.execute(
                "INSERT OR IGNORE INTO paused (pipeline, at, user, reason) VALUES (?, ?, ?, ?)",
                (name, now, who, reason),
            )
            if cur.rowcount:
                changed.append(name)
                conn.execute(
                    "INSERT INTO events (at, kind, status, data) VALUES (?, 'pipeline.paused', 'paused', ?)",
                    (now, json.dumps({"pipeline": name, "user": who, "reason": reason, "summary": f"{name} paused by {who}"})),
                )
    return changed


def resume(db: Database, names: Iterable[str]) -> list[str]:
    """Resume ``names``; returns those that were paused."""
    now = time.time()
    changed = []
    with db.transaction() as conn:
        for name in names:
            cur = conn.execute("DELETE FROM paused WHERE pipeline=?", (name,))
            if cur.rowcount:
                changed.append(name)
                conn.execute(
                    "INSERT INTO events (at, kind, status, data) VALUES (?, 'pipeline.resumed', 'active', ?)",
                    (now, json.dumps({"pipeline": name, "summary": f"{name} resumed"})),
                )
    return changed


def paused_names(db: Database) -> set[str]:
    return {r[0] for r in db.query("SELECT pipeline FROM paused")}


def paused_rows(db: Database) -> dict[str, dict[str, Any]]:
    rows = db.query("SELECT pipeline, at, user, reason FROM paused")
    return {r["pipeline"]: {"at": iso(r["at"]), "user": r["user"], "reason": r["reason"]} for r in rows}

