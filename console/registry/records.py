"""What the registry hands back: a model version and a gate decision (plain, picklable)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, tz=UTC).isoformat(timespec="milliseconds")


@dataclass
class GateDecision:
    """One champion/challenger comparison: who, on what, the scores and the verdict."""

    name: str
    challenger: int
    champion: int | None
    metric: str | None
    challenger_score: float | None
    champion_score: float | None
    promoted: bool
    reason: str
    run_id: int | None = None
    at: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["at"] = iso(self.at)
        return out

    def describe(self) -> str:
        """One line for the task log and the CLI."""
        verdict = "promoted" if self.promoted else "refused"
        if self.champion is None:
            return f"gate {self.name} v{self.challenger}: {verdict} ({self.reason})"
        return f"gate {self.name} v{self.challenger} vs champion v{self.champion}: {verdict} ({self.reason})"

    @classmethod
    def from_row(cls, row: sqlite3.Row | dict[str, Any]) -> GateDecision:
        r = dict(row)
        return cls(
            name=r["name"],
            challenger=r["challenger"],
            champion=r["champion"],
            metric=r["metric"],
            challenger_score=r["challenger_score"],
            champion_score=r["champion_score"],
            promoted=bool(r["promoted"]),
            reason=r["reason"] or "",
            run_id=r["run_id"],
            at=r["at"],
        )


def fmt(score: float | None) -> str:
    return "-" if score is None else f"{score:.4f}"


@dataclass
class ModelVersion:
    """A registered version of a model (its artifact is loaded with ``registry.load``)."""

    name: str
    version: int
    created_at: float
    sha256: str
    size: int
    data_sha256: str | None = None
    run_id: int | None = None
    task: str | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, Any] = field(default_factory=dict)
    signature: list[dict[str, str]] | None = None
    env: dict[str, str] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    gate: GateDecision | None = None
    chunks: list[str] | None = field(default=None, repr=False)  # per-2 MiB sha256, for streaming
    gate_pending: bool = False  # a gate was due and has not decided (its run was killed)

    @property
    def promoted(self) -> bool | None:
        """After registration with a gate: whether this version became production."""
        return None if self.gate is None else self.gate.promoted

    @classmethod
    def from_row(cls, row: sqlite3.Row | dict[str, Any], aliases: list[str] | None = None) -> ModelVersion:
        r = dict(row)
        return cls(
            name=r["name"],
            version=r["version"],
            created_at=r["created_at"],
            sha256=r["sha256"],
            size=r["size"],
            data_sha256=r["data_sha256"],
            run_id=r["run_id"],
            task=r["task"],
            metrics=json.loads(r["metrics"] or "{}"),
            params=json.loads(r["params"] or "{}"),
            tags=json.loads(r["tags"] or "{}"),
            signature=json.loads(r["signature"]) if r["signature"] else None,
            env=json.loads(r["env"] or "{}"),
            aliases=list(aliases or []),
            chunks=_chunks(r.get("chunks")),
            gate_pending=bool(r.get("gate_pending")),
        )

    def to_dict(self) -> dict[str, Any]:
        """The ``models NAME --json`` entry (documented keys first; add fields, never rename)."""
        return {
            "version": self.version,
            "aliases": self.aliases,
            "metrics": self.metrics,
            "sha256": self.sha256,
            "run_id": self.run_id,
            "created_at": iso(self.created_at),
            "task": self.task,
            "size": self.size,
            "data_sha256": self.data_sha256,
            "params": self.params,
            "tags": self.tags,
            "signature": self.signature,
            "env": self.env,
            "gate": None if self.gate is None else self.gate.to_dict(),
            "gate_pending": self.gate_pending,
        }


def _chunks(text: str | None) -> list[str] | None:
    if not text:
        return None
    value = json.loads(text)
    return [str(d) for d in value] if isinstance(value, list) else None
