"""What the console's Data tab lists: every SQL model and warehouse table, built or not.

One row per relation: materialisation, rows, the run and time of its last build, and the
results of the tests attached to it in that run. Models that were never built are listed
too (from the pipelines' SQL projects), so a new project shows up before its first run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from console.sql.queries import list_tables


def tests_by_model(db: Any, run_ids: list[int]) -> dict[tuple[int, str], tuple[int, int]]:
    """(run, model) -> (passed, total) of the dbt tests attached to the model in that run."""
    if not run_ids:
        return {}
    marks = ",".join("?" * len(run_ids))
    rows = db.query(f"SELECT run_id, passed, detail FROM checks WHERE run_id IN ({marks})", tuple(run_ids))
    out: dict[tuple[int, str], tuple[int, int]] = {}
    for row in rows:
        try:
            model = json.loads(row["detail"] or "{}").get("details", {}).get("model")
        except ValueError:
            continue
        if model:
            passed, total = out.get((row["run_id"], model), (0, 0))
            out[(row["run_id"], model)] = (passed + int(row["passed"]), total + 1)
    return out


def data_rows(path: Path, db: Any, catalog: Any | None) -> list[dict[str, Any]]:
    """Tables of the warehouse plus models not built yet, with their last tests' results."""
    tables = list_tables(path, db)
    runs = sorted({t["run_id"] for t in tables if t["run_id"] is not None})
    tests = tests_by_model(db, runs)
    out = []
    seen = set()
    for t in tables:
        passed, total = tests.get((t["run_id"], t["model"]), (0, 0)) if t["model"] else (0, 0)
        out.append(
            {
                **t,
                "materialized": t["materialized"] or t["kind"],
                "tests_passed": passed,
                "tests_total": total,
            }
        )
        seen.add(t["name"])
    for name, pipeline, materialized in _declared(catalog):
        if name not in seen:
            out.append(
                {
                    "name": name,
                    "kind": None,
                    "rows": None,
                    "columns": None,
                    "model": name,
                    "pipeline": pipeline,
                    "materialized": materialized,
                    "run_id": None,
                    "built_at": None,
                    "tests_passed": 0,
                    "tests_total": 0,
                }
            )
    return out


def _declared(catalog: Any | None) -> list[tuple[str, str, str]]:
    if catalog is None:
        return []
    out: list[tuple[str, str, str]] = []
    for pipeline in catalog.pipelines.values():
        project = getattr(pipeline, "sql_project", None)
        if project is not None:
            out.extend(
                (
                    n.identifier if n.schema == "main" else f"{n.schema}.{n.identifier}",
                    pipeline.name,
                    n.materialized,
                )
                for n in project.nodes.values()
                if n.kind != "test" and n.materialized != "ephemeral"
            )
        elif pipeline.uses_warehouse:
            out.extend(
                (s.name, pipeline.name, getattr(s.fn, "materialized", "table"))
                for s in pipeline.tasks.values()
                if getattr(s.fn, "opsconsole_sql", False)
            )
    return out


def declared_source(catalog: Any | None, name: str) -> tuple[str, Path, str] | None:
    """The kind (``model`` or ``seed``), file and SQL of the dbt node listed as ``name`` (as
    :func:`data_rows` names it), as written: what the Data tab shows of one never built. None
    for a ``@p.sql`` task (its SQL is made by its function when it runs) or an unknown name."""
    if catalog is None:
        return None
    for pipeline in catalog.pipelines.values():
        project = getattr(pipeline, "sql_project", None)
        for node in project.nodes.values() if project is not None else ():
            listed = node.identifier if node.schema == "main" else f"{node.schema}.{node.identifier}"
            if node.kind != "test" and listed == name:
                return node.kind, node.file, node.raw
    return None
