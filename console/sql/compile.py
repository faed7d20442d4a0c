"""Compiling one node for a run: Jinja rendered with real vars, ephemerals inlined as CTEs."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from console.sql.nodes import Node, SqlProject
from console.sql.render import Relation, Renderer, compile_template

_WITH = re.compile(r"^(\s*(?:--[^\n]*\n\s*|/\*.*?\*/\s*)*)with\b", re.I | re.S)


def renderer_of(project: SqlProject) -> Renderer:
    renderer: Renderer = project.renderer  # type: ignore[attr-defined]
    return renderer


def run_context(
    project: SqlProject,
    node: Node,
    variables: dict[str, Any],
    exists: Callable[[str, str], bool],
    *,
    full_refresh: bool = False,
) -> dict[str, Any]:
    """dbt's context for ``node`` at run time (``execute`` true, vars strict)."""
    renderer = renderer_of(project)
    context = renderer.base_context(variables=variables, execute=True, strict_vars=True, file=node.file)

    def ref(*args: str, **_: Any) -> Relation:
        dep = project.nodes[args[-1]]
        return Relation(dep.relation(), dep.schema, dep.identifier)

    def source(src: str, table: str) -> Relation:
        found = project.sources[(src, table)]
        return Relation(found.relation(), found.schema, found.identifier)

    def is_incremental() -> bool:
        return (
            node.materialized == "incremental" and not full_refresh and exists(node.schema, node.identifier)
        )

    context.update(
        ref=ref,
        source=source,
        config=lambda *a, **k: "",
        is_incremental=is_incremental,
        this=Relation(node.relation(), node.schema, node.identifier),
        model=Relation(node.relation(), node.schema, node.identifier),
    )
    return context


def render_node(project: SqlProject, node: Node, context: dict[str, Any]) -> str:
    renderer = renderer_of(project)
    template = compile_template(renderer.env, node.raw, node.file)
    return renderer.render(template, context, node.file)


def compile_node(
    project: SqlProject,
    node: Node,
    variables: dict[str, Any],
    exists: Callable[[str, str], bool],
    *,
    full_refresh: bool = False,
) -> str:
    """The SQL ``node`` runs: rendered, with the ephemeral models it reads prepended as CTEs."""
    sql = render_node(project, node, run_context(project, node, variables, exists, full_refresh=full_refresh))
    ctes = []
    for dep in project.ephemerals(node):
        body = render_node(project, dep, run_context(project, dep, variables, exists))
        ctes.append(f"{dep.relation()} as (\n{strip_sql(body)}\n)")
    return inject_ctes(sql, ctes)


def strip_sql(sql: str) -> str:
    """The statement without trailing semicolons and blank space (it gets wrapped)."""
    return sql.strip().rstrip(";").rstrip()


def inject_ctes(sql: str, ctes: list[str]) -> str:
    if not ctes:
        return sql
    joined = ",\n".join(ctes)
    match = _WITH.match(sql)
    if match:
        return f"{match.group(1)}with {joined},{sql[match.end() :]}"
    return f"with {joined}\n{sql}"
