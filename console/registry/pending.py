"""Gates that were due and never decided: a kill between registering a version and its gate.

``register`` records a version with ``gate_pending=1`` when a gate is due, and the gate's
decision clears it in the transaction that records the verdict. A process killed in
between leaves the version pending: ``models`` shows it so, and a rerun of its run
decides it (the same comparison, against today's production holder) before starting.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from console.registry.records import GateDecision, ModelVersion

if TYPE_CHECKING:
    from console.store.state import Store


def pending_versions(store: Store, run_id: int | None = None) -> list[ModelVersion]:
    """Versions whose gate has not decided (of one run, or all), oldest first."""
    sql = "SELECT * FROM model_versions WHERE gate_pending=1"
    params: tuple[Any, ...] = ()
    if run_id is not None:
        sql += " AND run_id=?"
        params = (run_id,)
    return [ModelVersion.from_row(r) for r in store.db.query(sql + " ORDER BY name, version", params)]


def decide_pending(
    store: Store, run_id: int, promote_if: Any, log: Callable[[str], None] | None = None
) -> list[GateDecision]:
    """Run the gate of every version ``run_id`` registered whose decision never came."""
    from console.registry.api import gate

    decisions = []
    for mv in pending_versions(store, run_id):
        decisions.append(gate(store, mv, promote_if, run_id=run_id, task=mv.task, log=log))
    return decisions
