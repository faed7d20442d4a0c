"""Reading the registry: versions, aliases, gate decisions, the model list."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from console.errors import NotFoundError
from console.registry.names import PRODUCTION, check_name, check_version
from console.registry.records import GateDecision, ModelVersion, iso

if TYPE_CHECKING:
    from console.store.db import Database


def aliases_of(db: Database, name: str) -> dict[str, int]:
    rows = db.query("SELECT alias, version FROM aliases WHERE name=? ORDER BY alias", (name,))
    return {r["alias"]: r["version"] for r in rows}


def model_exists(db: Database, name: str) -> bool:
    return db.query_one("SELECT 1 FROM model_versions WHERE name=? LIMIT 1", (name,)) is not None


def require_model(db: Database, name: str) -> None:
    check_name(name)
    if not model_exists(db, name):
        known = [r["name"] for r in db.query("SELECT DISTINCT name FROM model_versions ORDER BY name")]
        hint = f"; registered: {', '.join(known)}" if known else "; nothing is registered yet"
        raise NotFoundError(f"no model named {name!r}{hint}")


def get_version(db: Database, name: str, version: int) -> ModelVersion:
    row = db.query_one("SELECT * FROM model_versions WHERE name=? AND version=?", (name, version))
    if row is None:
        require_model(db, name)
        latest = db.query_one("SELECT max(version) AS v FROM model_versions WHERE name=?", (name,))
        raise NotFoundError(
            f"model {name!r} has no version {version} (latest is v{latest['v'] if latest else '?'})"
        )
    holders = [a for a, v in aliases_of(db, name).items() if v == version]
    return ModelVersion.from_row(row, holders)


def resolve(
    db: Database, name: str, alias: str | None = None, version: int | str | None = None
) -> ModelVersion:
    """The version named by ``version``, else by ``alias`` (default ``production``)."""
    check_name(name)
    if version is not None:
        return get_version(db, name, check_version(version))
    alias = check_name(alias or PRODUCTION, "alias")
    row = db.query_one("SELECT version FROM aliases WHERE name=? AND alias=?", (name, alias))
    if row is None:
        require_model(db, name)
        raise NotFoundError(
            f"model {name!r} has no {alias!r} alias; promote a version first "
            f"(opsconsole promote {name} VERSION --alias {alias}) or pass a version"
        )
    return get_version(db, name, row["version"])


def gate_decisions(db: Database, name: str) -> dict[int, GateDecision]:
    """The latest gate decision per challenger version of ``name``."""
    rows = db.query("SELECT * FROM gate_decisions WHERE name=? ORDER BY id", (name,))
    return {r["challenger"]: GateDecision.from_row(r) for r in rows}


def versions(db: Database, name: str) -> list[ModelVersion]:
    """Every version of ``name``, oldest first, with its aliases and gate decision."""
    require_model(db, name)
    holders: dict[int, list[str]] = {}
    for alias, version in aliases_of(db, name).items():
        holders.setdefault(version, []).append(alias)
    gates = gate_decisions(db, name)
    out = []
    for row in db.query("SELECT * FROM model_versions WHERE name=? ORDER BY version", (name,)):
        mv = ModelVersion.from_row(row, holders.get(row["version"], []))
        mv.gate = gates.get(mv.version)
        out.append(mv)
    return out


def model_json(db: Database, name: str) -> dict[str, Any]:
    """The ``models NAME --json`` object."""
    vs = versions(db, name)
    return {"name": name, "aliases": aliases_of(db, name), "versions": [v.to_dict() for v in vs]}


def models_json(db: Database) -> list[dict[str, Any]]:
    """The ``models --json`` list: one summary per model name."""
    rows = db.query(
        "SELECT name, max(version) AS latest, count(*) AS n, max(created_at) AS updated"
        " FROM model_versions GROUP BY name ORDER BY name"
    )
    alias_rows = db.query("SELECT name, alias, version FROM aliases ORDER BY name, alias")
    by_name: dict[str, dict[str, int]] = {}
    for r in alias_rows:
        by_name.setdefault(r["name"], {})[r["alias"]] = r["version"]
    out = []
    for r in rows:
        latest = db.query_one(
            "SELECT metrics, run_id FROM model_versions WHERE name=? AND version=?", (r["name"], r["latest"])
        )
        aliases = by_name.get(r["name"], {})
        out.append(
            {
                "name": r["name"],
                "latest": r["latest"],
                "aliases": aliases,
                "production": aliases.get(PRODUCTION),
                "versions": r["n"],
                "updated_at": iso(r["updated"]),
                "latest_metrics": json.loads(latest["metrics"]) if latest else {},
                "latest_run_id": latest["run_id"] if latest else None,
            }
        )
    return out


def history(db: Database, name: str, alias: str | None = None) -> list[dict[str, Any]]:
    """Alias changes of ``name``, oldest first, in the ``history --json`` shape."""
    require_model(db, name)
    sql, params = "SELECT * FROM alias_history WHERE name=?", [name]
    if alias is not None:
        sql += " AND alias=?"
        params.append(check_name(alias, "alias"))
    rows = db.query(sql + " ORDER BY id", params)
    gates = db.query("SELECT * FROM gate_decisions WHERE name=? ORDER BY id", (name,))
    gate_by_version = {g["challenger"]: GateDecision.from_row(g) for g in gates if g["promoted"]}
    out: list[tuple[float, dict[str, Any]]] = []
    for r in rows:
        action, _, command = (r["command"] or "").partition(": ")
        gate = gate_by_version.get(r["to_version"]) if action == "gate" else None
        entry = {
            "at": iso(r["at"]),
            "user": r["user"],
            "alias": r["alias"],
            "from_version": r["from_version"],
            "to_version": r["to_version"],
            "reason": r["reason"],
            "action": action,
            "command": command or None,
            "changed": True,
            "gate": None if gate is None else gate.to_dict(),
        }
        out.append((r["at"], entry))
    if alias in (None, PRODUCTION):
        # a refused gate changes no alias, but it is part of production's story
        for g in gates:
            if g["promoted"]:
                continue
            decision = GateDecision.from_row(g)
            entry = {
                "at": iso(g["at"]),
                "user": None,
                "alias": PRODUCTION,
                "from_version": g["champion"],
                "to_version": g["champion"],
                "reason": decision.reason,
                "action": "gate-refused",
                "command": f"run {g['run_id']}" if g["run_id"] is not None else None,
                "changed": False,
                "gate": decision.to_dict(),
            }
            out.append((g["at"], entry))
    out.sort(key=lambda pair: pair[0])
    return [entry for _, entry in out]


def gate_refusals(db: Database, run_id: int) -> list[GateDecision]:
    """Gate decisions of a run that kept the champion (``opsconsole run`` exits 1 on them)."""
    rows = db.query("SELECT * FROM gate_decisions WHERE run_id=? AND promoted=0 ORDER BY id", (run_id,))
    return [GateDecision.from_row(r) for r in rows]


def pending_versions(db: Database, run_id: int | None = None) -> list[ModelVersion]:
    """Versions whose due gate never decided (a kill in between), of one run or all."""
    sql = "SELECT * FROM model_versions WHERE gate_pending=1"
    params: tuple[Any, ...] = ()
    if run_id is not None:
        sql += " AND run_id=?"
        params = (run_id,)
    return [ModelVersion.from_row(r) for r in db.query(sql + " ORDER BY name, version", params)]
