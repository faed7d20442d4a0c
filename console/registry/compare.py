"""Two versions of a model side by side (``opsconsole models compare NAME V1 V2``).

Metrics and params as ``{name: [v1, v2]}``, the training data's sha256 (same data or not),
the input signature's added, removed and retyped columns, and each version's gate decision.
"""

from __future__ import annotations

from typing import Any

from console.registry.names import check_version
from console.registry.queries import gate_decisions, get_version
from console.store.db import Database


def compare_versions(db: Database, name: str, v1: int | str, v2: int | str) -> dict[str, Any]:
    """The ``models compare --json`` object."""
    a = get_version(db, name, check_version(v1))
    b = get_version(db, name, check_version(v2))
    gates = gate_decisions(db, name)
    metrics = {k: [a.metrics.get(k), b.metrics.get(k)] for k in sorted(set(a.metrics) | set(b.metrics))}
    params = {k: [a.params.get(k), b.params.get(k)] for k in sorted(set(a.params) | set(b.params))}
    sig_a = {c["name"]: c.get("dtype") for c in a.signature or []}
    sig_b = {c["name"]: c.get("dtype") for c in b.signature or []}
    signature = {
        "added": [c for c in sig_b if c not in sig_a],
        "removed": [c for c in sig_a if c not in sig_b],
        "retyped": {c: [sig_a[c], sig_b[c]] for c in sig_a if c in sig_b and sig_a[c] != sig_b[c]},
        "known": a.signature is not None and b.signature is not None,
    }
    signature["changed"] = bool(signature["added"] or signature["removed"] or signature["retyped"])

    def side(mv: Any) -> dict[str, Any]:
        gate = gates.get(mv.version)
        return {
            "version": mv.version,
            "aliases": mv.aliases,
            "run_id": mv.run_id,
            "sha256": mv.sha256,
            "data_sha256": mv.data_sha256,
            "gate": gate.to_dict() if gate is not None else None,
        }

    return {
        "name": name,
        "a": side(a),
        "b": side(b),
        "metrics": metrics,
        "params": params,
        "params_changed": [k for k, (x, y) in params.items() if x != y],
        "data": {"sha256": [a.data_sha256, b.data_sha256], "same": a.data_sha256 == b.data_sha256},
        "signature": signature,
    }
