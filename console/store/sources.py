"""Pipeline source texts by sha256, stored when a run starts, so two runs' code can be diffed."""

from __future__ import annotations

import hashlib
import time

from console.store.db import Database


def save_source(db: Database, text: str, sha256: str | None = None) -> str:
    """Keep ``text`` under its sha256 (once: later runs of the same code add nothing)."""
    digest = sha256 or hashlib.sha256(text.encode()).hexdigest()
    if db.query_one("SELECT 1 FROM sources WHERE sha256=?", (digest,)) is None:
        db.execute("INSERT OR IGNORE INTO sources (sha256, text, at) VALUES (?, ?, ?)", (digest, text, time.time()))
    return digest


def get_source(db: Database, sha256: str | None) -> str | None:
    if not sha256:
        return None
    row = db.query_one("SELECT text FROM sources WHERE sha256=?", (sha256,))
    return None if row is None else str(row["text"])


def record_start(db: Database, run_id: int, *, source: str | None, sha256: str | None,
                 sla_s: float | None, task_slas: dict[str, float]) -> None:
    """What a run start records besides its row: its pipeline's source text and deadlines."""
    if source is not None:
        save_source(db, source, sha256)
    if sla_s is not None or task_slas:
        import json

        db.execute(
            "UPDATE runs SET sla_s=?, task_slas=? WHERE id=?",
            (sla_s, json.dumps(task_slas) if task_slas else None, run_id),
        )
