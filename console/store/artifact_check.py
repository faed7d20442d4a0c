"""Verifying the artifact files the database refers to: registered models and file-backed results.

``opsconsole store --check`` runs this after SQLite's own integrity check, so a tampered, truncated
or missing artifact is reported (each one, with what it belongs to) instead of the store looking
healthy until someone loads the model. It reads through a plain read-only connection: the check
must work where ``Store()`` would refuse to open.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from console.store.artifacts import CHUNK, KEY_RE


@dataclass(frozen=True)
class ArtifactProblem:
    """One artifact that does not match what the database recorded for it."""

    kind: str  # "model" or "result"
    owner: str  # "model fraud v3", "result of run 12 task train"
    sha256: str
    path: str
    problem: str  # "missing", "size 10 B, recorded 2,048 B", "sha256 differs (tampered)"

    def describe(self) -> str:
        return f"{self.owner}: artifact {self.sha256[:12]} {self.problem} ({self.path})"

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "owner": self.owner,
            "sha256": self.sha256,
            "path": self.path,
            "problem": self.problem,
        }


def file_problem(path: Path, sha256: str, size: int | None) -> str | None:
    """Why the file at ``path`` is not the recorded artifact, or None when it is."""
    try:
        actual = path.stat().st_size
    except FileNotFoundError:
        return "missing"
    if size is not None and actual != size:
        return f"size {actual:,} B, recorded {size:,} B (truncated or replaced)"
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    if digest.hexdigest() != sha256:
        return "sha256 differs from the recorded one (tampered)"
    return None


def check_artifacts(conn: sqlite3.Connection, root: Path) -> tuple[int, list[ArtifactProblem]]:
    """Verify every model version's artifact and every file-backed result: (files checked, problems)."""
    wanted: list[tuple[str, str | None, str, int | None]] = []
    for name, version, sha256, size in conn.execute(
        "SELECT name, version, sha256, size FROM model_versions ORDER BY name, version"
    ):
        wanted.append(("model", f"model {name} v{version}", str(sha256), size))
    for key, size in conn.execute("SELECT key, size FROM results WHERE inline IS NULL ORDER BY key"):
        wanted.append(("result", None, str(key), size))
    problems: list[ArtifactProblem] = []
    seen: dict[str, str | None] = {}
    for kind, owner, sha256, size in wanted:
        if not KEY_RE.match(sha256):
            problems.append(
                ArtifactProblem(kind, owner or "result", sha256, "-", "has no valid sha256 recorded")
            )
            continue
        path = root / sha256[:2] / sha256
        if sha256 not in seen:  # two versions of the same bytes share one file: hash it once
            seen[sha256] = file_problem(path, sha256, size)
        problem = seen[sha256]
        if problem is not None:
            # which run a result belongs to is looked up only for a bad one (tasks has no index on it)
            who = owner or _result_owner(conn, sha256)
            problems.append(ArtifactProblem(kind, who, sha256, str(path), problem))
    return len(seen), problems


def _result_owner(conn: sqlite3.Connection, key: str) -> str:
    row = conn.execute(
        "SELECT run_id, name FROM tasks WHERE result_key=? ORDER BY run_id DESC LIMIT 1", (key,)
    ).fetchone()
    return f"result of run {row[0]} task {row[1]}" if row else "result (no run refers to it)"
