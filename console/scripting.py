"""Python outside pipelines: a notebook or script opens the project the way the CLI does.

    import console
    console.runs(pipeline="iris_train", status="failed")   # a DataFrame, newest first
    run = console.run("iris_train", params={"n_estimators": 300})   # waits; the run as a dict
    model = console.registry.load("iris")                  # alias production, verified
    console.sql("select count(*) from stg_events")          # a DataFrame from the warehouse

The project is ``OPSCONSOLE_PROJECT`` or found upward from the working directory (like
``opsconsole`` without ``--project``; see ``console/workspace.py``); :func:`open_project`
points this module elsewhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from console.workspace import forget_store, open_project, project, store

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["open_project", "project", "run", "runs", "sql", "store"]

def runs(pipeline: str | None = None, status: str | None = None, limit: int = 1000) -> pd.DataFrame:
    """Runs newest first as a DataFrame; times are timezone-aware (UTC) timestamps."""
    import pandas as pd

    from console.store.runs import list_runs, run_to_json

    rows = [run_to_json(r) for r in list_runs(store().db, pipeline=pipeline, status=status, limit=limit)]
    frame = pd.DataFrame(rows, columns=list(rows[0]) if rows else ["id", "pipeline", "status", "trigger",
                                                                    "params", "started_at", "ended_at"])
    for col in ("started_at", "ended_at", "created_at"):
        if col in frame:
            frame[col] = pd.to_datetime(frame[col], utc=True, format="ISO8601")
    return frame


def run(name: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run pipeline ``name`` here and wait; the run with its tasks, as ``opsconsole run --json`` prints it."""
    from console.engine.engine import Engine
    from console.store.runs import get_run_row, get_tasks, run_to_json

    st = store()
    engine = Engine(project(), st)
    try:
        runner = engine.run(name, params or {})
        run_id = runner.run_id
    finally:
        engine.close(cancel=False)
        forget_store()
    db = store().db
    return run_to_json(get_run_row(db, run_id), get_tasks(db, run_id))


def sql(query: str) -> pd.DataFrame:
    """A read-only query on the project's warehouse, as a DataFrame (a SQL error: SqlQueryError)."""
    from console.errors import OpsConsoleError, SqlQueryError
    from console.sql.materialize import one_line
    from console.sql.warehouse import read_cursor, warehouse_path

    proj = project()
    with read_cursor(warehouse_path(proj.root, proj.home, proj.extra)) as cur:
        try:
            return cur.execute(query).df()
        except OpsConsoleError:
            raise
        except Exception as exc:  # noqa: BLE001 - every DuckDB error becomes one line
            raise SqlQueryError(one_line(exc)) from exc
