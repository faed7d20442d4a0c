"""Lineage of a model, seed, source or table: what it reads and what reads it, across pipelines.

The graph joins three things: dbt projects' refs and sources, ``@p.sql`` pipelines' task
edges (Python tasks that feed a SQL model or read its frame), and ``sql.read`` events of
Python tasks that read a warehouse table with ``read_table`` (recorded when they ran).
"""

from __future__ import annotations

import json
from collections import deque
from typing import Any

from console.errors import NotFoundError

Graph = dict[str, dict[str, Any]]  # node key -> {"name", "kind", "pipeline", "up": set, "down": set}


def _node(graph: Graph, key: str, name: str, kind: str, pipeline: str) -> dict[str, Any]:
    return graph.setdefault(
        key, {"name": name, "kind": kind, "pipeline": pipeline, "up": set(), "down": set()}
    )


def _edge(graph: Graph, up: str, down: str) -> None:
    graph[up]["down"].add(down)
    graph[down]["up"].add(up)


def build_graph(catalog: Any, db: Any) -> Graph:
    """Every SQL node and the Python tasks next to them, keyed by relation name or ``pipeline.task``."""
    graph: Graph = {}
    for pipeline in catalog.pipelines.values():
        project = getattr(pipeline, "sql_project", None)
        if project is not None:
            for src, table in project.sources:
                _node(graph, f"source:{src}.{table}", f"{src}.{table}", "source", pipeline.name)
            for node in project.nodes.values():
                if node.kind == "test":
                    continue
                _node(
                    graph,
                    node.name,
                    node.name,
                    node.materialized if node.kind == "model" else "seed",
                    pipeline.name,
                )
            for node in project.nodes.values():
                if node.kind == "test":
                    continue
                for ref in node.refs:
                    _edge(graph, ref, node.name)
                for src, table in node.sources:
                    _edge(graph, f"source:{src}.{table}", node.name)
        elif pipeline.uses_warehouse:
            keys = {}
            for spec in pipeline.tasks.values():
                sql = getattr(spec.fn, "opsconsole_sql", False)
                key = spec.name if sql else f"{pipeline.name}.{spec.name}"
                keys[spec.name] = key
                _node(graph, key, spec.name, "sql model" if sql else "python task", pipeline.name)
            for spec in pipeline.tasks.values():
                for up in spec.upstream:
                    _edge(graph, keys[up], keys[spec.name])
    _add_reads(graph, db)
    return graph


def _add_reads(graph: Graph, db: Any) -> None:
    try:
        rows = db.query(
            "SELECT DISTINCT e.task, e.data, r.pipeline FROM events e JOIN runs r ON r.id = e.run_id"
            " WHERE e.kind = 'sql.read'"
        )
    except Exception:  # noqa: BLE001 - an old or empty store
        return
    for row in rows:
        relation = str(json.loads(row["data"] or "{}").get("relation", ""))
        table = relation[len("main.") :] if relation.startswith("main.") else relation
        if table not in graph:
            continue
        key = f"{row['pipeline']}.{row['task']}"
        _node(graph, key, str(row["task"]), "python task", str(row["pipeline"]))
        _edge(graph, table, key)


def lineage(catalog: Any, db: Any, name: str) -> dict[str, Any]:
    """``{"name", "kind", "pipeline", "upstream": [...], "downstream": [...]}``, each item with its depth."""
    graph = build_graph(catalog, db)
    key = name if name in graph else f"source:{name}" if f"source:{name}" in graph else None
    if key is None:
        matches = [k for k, v in graph.items() if v["name"] == name]
        key = matches[0] if matches else None
    if key is None:
        known = (
            ", ".join(sorted(v["name"] for v in graph.values() if v["kind"] != "python task")[:20]) or "none"
        )
        raise NotFoundError(f"no model, seed, source or SQL table named {name!r} (known: {known})")
    node = graph[key]
    return {
        "name": node["name"],
        "kind": node["kind"],
        "pipeline": node["pipeline"],
        "upstream": _walk(graph, key, "up"),
        "downstream": _walk(graph, key, "down"),
    }


def _walk(graph: Graph, start: str, side: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen = {start}
    queue = deque((k, 1) for k in sorted(graph[start][side]))
    while queue:
        key, depth = queue.popleft()
        if key in seen:
            continue
        seen.add(key)
        node = graph[key]
        out.append({"name": node["name"], "kind": node["kind"], "pipeline": node["pipeline"], "depth": depth})
        queue.extend((k, depth + 1) for k in sorted(node[side]))
    return out
