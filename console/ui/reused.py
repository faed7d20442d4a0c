"""Where a reused task's result came from: the run that actually computed it.

``rerun --from-failed`` reuses the outputs of the tasks that succeeded; a rerun of a rerun
reuses them again, so the origin is found by walking the parents until the task ran.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from console.store.runs import get_run_row, get_tasks

if TYPE_CHECKING:
    from console.store.db import Database

MAX_HOPS = 100  # a chain of reruns longer than this is not followed further


def reused_origin(db: Database, run_id: int, task: str) -> int | None:
    """The id of the run whose ``task`` produced the result that ``run_id`` reused."""
    current = run_id
    for _ in range(MAX_HOPS):
        parent = get_run_row(db, current)["parent_run_id"]
        if parent is None:
            return None
        try:
            rows = {t["name"]: t for t in get_tasks(db, int(parent))}
        except Exception:  # noqa: BLE001 - the parent was removed by gc
            return None
        row = rows.get(task)
        if row is None:
            return None
        if not row["reused"]:
            return int(parent)
        current = int(parent)
    return None
