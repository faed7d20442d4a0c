"""The functions that run a dbt project's seeds, models and tests as engine tasks.

Each one takes the task's ``ctx`` (and its upstream results by name, unused: the data is in
the warehouse), opens the run's write cursor, builds or tests, logs what it did, and
records the build (``sql_builds``) or the test result (``checks``) in the store.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from console.errors import SqlTestFailedError
from console.sql.materialize import Built, build_model, build_seed
from console.sql.nodes import Node, SqlProject
from console.sql.testing import run_test
from console.sql.warehouse import warehouse_path, write_cursor

BUILD_SQL = (
    "INSERT INTO sql_builds (run_id, pipeline, task, relation, kind, materialized, rows, columns,"
    " compiled_sql, upstream, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
CHECK_SQL = (
    "INSERT INTO checks (run_id, pipeline, task, check_name, kind, columns, severity, passed, failing,"
    " total, observed, error, duration_s, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


@lru_cache(maxsize=32)
def _configured(root: Path, home: Path) -> Path:
    from console.project import read_config

    return warehouse_path(root, home, read_config(root))


def warehouse_for(ctx: Any) -> Path:
    """The warehouse of the run's project: ``warehouse = "..."`` in its config, else the state dir's."""
    return _configured(Path(ctx.project_root), Path(ctx.store.home))


def record_build(ctx: Any, built: Built, upstream: list[str]) -> None:
    ctx.store.writer.many(
        BUILD_SQL,
        [
            (
                ctx.run_id,
                ctx.pipeline,
                ctx.task,
                built.relation,
                built.kind,
                built.materialized,
                built.rows,
                json.dumps([[c, t] for c, t in built.columns]),
                built.sql,
                json.dumps(upstream),
                time.time(),
            )
        ],
    )


def record_check(ctx: Any, result: dict[str, Any]) -> None:
    ctx.store.writer.many(
        CHECK_SQL,
        [
            (
                ctx.run_id,
                ctx.pipeline,
                ctx.task,
                result["check"],
                result["kind"],
                json.dumps(result["columns"]),
                result["severity"],
                int(result["passed"]),
                result["failing"],
                result["total"],
                result["observed"],
                result["error"],
                result["duration_s"],
                json.dumps(result, default=str),
                time.time(),
            )
        ],
    )


def _variables(project: SqlProject, ctx: Any) -> dict[str, Any]:
    return {**project.vars, **{k: v for k, v in ctx.params.items()}}


def node_task(project: SqlProject, node: Node) -> Callable[..., Any]:
    """The engine task for one node: ``fn(ctx, **upstream) -> summary dict``."""
    upstream = project.upstream(node)

    def run(ctx: Any, **_: Any) -> dict[str, Any]:
        cancel = getattr(ctx, "_cancel", None)
        with write_cursor(warehouse_for(ctx), ctx.run_id, cancel) as cur:
            ctx.check_cancelled()
            if node.kind == "test":
                return _test(ctx, cur, project, node)
            if node.kind == "seed":
                built = build_seed(cur, node)
            else:
                built = build_model(cur, project, node, _variables(project, ctx))
        record_build(ctx, built, upstream)
        rows = f", {built.rows:,} rows" if built.rows is not None else ""
        ctx.log(f"{built.materialized} {built.relation} built ({len(built.columns)} columns{rows})")
        return built.summary()

    run.__name__ = node.name
    return run


def _history(ctx: Any) -> Callable[[str], list[float]]:
    """Past observed values of a check of this pipeline and task (newest last), for ``anomaly=``."""

    def history(check: str) -> list[float]:
        rows = ctx.store.db.query(
            "SELECT observed FROM checks WHERE pipeline=? AND task=? AND check_name=? AND run_id<>?"
            " AND observed IS NOT NULL AND error IS NULL ORDER BY id DESC LIMIT 30",
            (ctx.pipeline, ctx.task, check, ctx.run_id),
        )
        return [float(r[0]) for r in reversed(rows)]

    return history


def _test(ctx: Any, cur: Any, project: SqlProject, node: Node) -> dict[str, Any]:
    result = run_test(cur, project, node, _variables(project, ctx), history=_history(ctx))
    record_check(ctx, result)
    mark = "ok  " if result["passed"] else ("FAIL" if result["severity"] == "error" else "warn")
    ctx.log(f"check {mark} {result['check']}: {result['error'] or result['message']}")
    failed = not result["passed"] and result["severity"] == "error"
    ctx.event(
        "check.failed" if failed else "check.passed",
        {
            "summary": f"checks: {int(result['passed'])}/1 passed"
            + (f", failed: {node.name}" if failed else ""),
            "failed": [node.name] if failed else [],
            "warned": [node.name] if not result["passed"] and not failed else [],
        },
    )
    if failed:
        raise SqlTestFailedError(f"test {node.name} failed: {result['error'] or result['message']}")
    return {"check": node.name, "passed": result["passed"], "failing": result["failing"]}
