"""``@p.sql``: a SQL model inside a Python pipeline, and ``read_table`` for Python tasks.

The decorated function returns a SQL string (Jinja allowed: ``ref()``, ``var()``, ``this``).
Upstream pandas results are visible to it by their task name (DuckDB scans the frame in
place, no copy); upstream SQL models are tables of the same name. The model is built as a
warehouse table named after the task; a downstream Python task gets it as a DataFrame
(through Arrow), otherwise only a small summary is kept as the task's result.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

from console.errors import SqlProjectError, UsageError
from console.sql.materialize import Built, describe, existing_kind, q, run_statements
from console.sql.render import Relation, Renderer, compile_template
from console.sql.tasks import record_build, warehouse_for
from console.sql.warehouse import read_cursor, write_cursor

MATERIALIZED = ("table", "view")


def _is_frame(value: Any) -> bool:
    return type(value).__name__ == "DataFrame" and hasattr(value, "columns")


def to_frame(cur: Any, relation: str) -> Any:
    """A relation as a pandas DataFrame, through Arrow when pyarrow is there (no row loop either way)."""
    import importlib.util

    relation_obj = cur.sql(f"SELECT * FROM {relation}")  # the relational API hands Arrow over without a copy
    if importlib.util.find_spec("pyarrow") is not None:
        return relation_obj.to_arrow_table().to_pandas()
    return relation_obj.df()


def sql_task(pipeline: Any, name: str, fn: Callable[..., str], materialized: str) -> Callable[..., Any]:
    """The engine task for ``@p.sql``: ``run(ctx, **kwargs)``."""
    if materialized not in MATERIALIZED:
        raise UsageError(f"@p.sql task {name!r}: materialized must be one of {', '.join(MATERIALIZED)}")
    wanted = set(inspect.signature(fn).parameters)
    file = Path(fn.__code__.co_filename)

    def run(ctx: Any, **kwargs: Any) -> Any:
        own = {k: v for k, v in kwargs.items() if k in wanted}
        if "ctx" in wanted:
            own["ctx"] = ctx
        text = fn(**own)
        if not isinstance(text, str):
            raise SqlProjectError(
                f"@p.sql task {name!r} returned {type(text).__name__}, not a SQL string",
                str(file),
                fn.__code__.co_firstlineno,
            )
        # frames of Python tasks are scanned in place; SQL upstreams are read as their tables
        frames = {k: v for k, v in kwargs.items() if _is_frame(v) and not _is_sql(pipeline, k)}
        sql = render_sql(text, name, {**ctx.params}, set(kwargs), frames, file)
        relation = f"{q('main')}.{q(name)}"
        with write_cursor(warehouse_for(ctx), ctx.run_id, getattr(ctx, "_cancel", None)) as cur:
            for frame_name, frame in frames.items():
                cur.register(frame_name, frame)  # a view over the frame's memory, scanned in place
            current = existing_kind(cur, "main", name)
            statements = []
            if current and current != materialized:
                statements.append(f"DROP {current.upper()} {relation}")
            kind = "VIEW" if materialized == "view" else "TABLE"
            statements.append(f"CREATE OR REPLACE {kind} {relation} AS (\n{sql}\n)")
            results = run_statements(cur, statements, f"{file}: task {name}")
            rows = None if materialized == "view" else int(results[-1][0])  # CREATE TABLE AS reports it
            built = Built(f"main.{name}", materialized, materialized, rows, describe(cur, "main", name), sql)
            value = to_frame(cur, relation) if _has_python_consumer(pipeline, name) else built.summary()
            for frame_name in frames:
                cur.unregister(frame_name)
        record_build(ctx, built, sorted(kwargs))
        ctx.log(
            f"sql {materialized} main.{name} built ({len(built.columns)} columns"
            + (f", {rows:,} rows)" if rows is not None else ")")
        )
        return value

    run.opsconsole_sql = True  # type: ignore[attr-defined]
    run.__name__ = name
    return run


def _is_sql(pipeline: Any, name: str) -> bool:
    spec = pipeline.tasks.get(name)
    return spec is not None and getattr(spec.fn, "opsconsole_sql", False)


def _has_python_consumer(pipeline: Any, name: str) -> bool:
    for spec in pipeline.tasks.values():
        if name in spec.upstream and not getattr(spec.fn, "opsconsole_sql", False):
            return True
    return False


def render_sql(
    text: str, name: str, variables: dict[str, Any], upstream: set[str], frames: dict[str, Any], file: Path
) -> str:
    """Jinja over a ``@p.sql`` string: ``ref('task')``, ``var('param')``, ``this``."""
    if "{" not in text:
        return text.strip().rstrip(";")
    renderer = Renderer([])
    context = renderer.base_context(variables=variables, execute=True, strict_vars=True, file=file)

    def ref(*args: str, **_: Any) -> str:
        target = args[-1]
        if target not in upstream:
            raise SqlProjectError(
                f"ref({target!r}) in task {name!r}: name it as a parameter to depend on it", str(file)
            )
        return q(target) if target in frames else f"{q('main')}.{q(target)}"

    context.update(
        ref=ref,
        this=Relation(f"{q('main')}.{q(name)}", "main", name),
        is_incremental=lambda: False,
        config=lambda *a, **k: "",
    )
    template = compile_template(renderer.env, text, file)
    return renderer.render(template, context, file).strip().rstrip(";")


def read_table(name: str, ctx: Any) -> Any:
    """A warehouse table as a DataFrame inside a Python task; recorded so lineage shows the reader."""
    schema, _, table = name.rpartition(".")
    with read_cursor(warehouse_for(ctx), wait_s=60.0) as cur:  # a task may wait for another run
        frame = to_frame(cur, f"{q(schema or 'main')}.{q(table)}")
    ctx.event("sql.read", {"relation": f"{schema or 'main'}.{table}", "rows": len(frame)})
    return frame
