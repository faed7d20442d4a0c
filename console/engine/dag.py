"""Resolving a pipeline's parameters into edges, and checking the graph."""

from __future__ import annotations

from collections import deque

from console.engine.pipeline import RESERVED, Pipeline
from console.errors import PipelineDefinitionError


def resolve(pipeline: Pipeline) -> list[str]:
    """Bind every task parameter to a task, a pipeline param or ``ctx``; return a topological order.

    Raises PipelineDefinitionError (with file and line) for an unknown name or a cycle.
    """
    for spec in pipeline.tasks.values():
        upstream, params = [], []
        for arg in spec.arg_names:
            if arg in RESERVED:
                spec.wants_ctx = True
            elif arg in pipeline.tasks:
                if arg == spec.name:
                    raise PipelineDefinitionError(
                        f"task {spec.name!r} depends on itself", pipeline.file, spec.line
                    )
                upstream.append(arg)
            elif arg in pipeline.params or arg in spec.defaults:
                params.append(arg)
            else:
                known = ", ".join(sorted(pipeline.tasks)) or "none"
                raise PipelineDefinitionError(
                    f"task {spec.name!r} has parameter {arg!r} that names neither a task "
                    f"({known}) nor a pipeline param",
                    pipeline.file,
                    spec.line,
                )
        spec.upstream = tuple(upstream)
        spec.param_names = tuple(params)
    return toposort(pipeline)


def toposort(pipeline: Pipeline) -> list[str]:
    """Kahn's algorithm, stable in declaration order; a cycle is reported with its path."""
    indegree = {name: len(spec.upstream) for name, spec in pipeline.tasks.items()}
    children = downstream_map(pipeline)
    ready = deque(name for name, d in indegree.items() if d == 0)
    order: list[str] = []
    while ready:
        name = ready.popleft()
        order.append(name)
        for child in children[name]:
            indegree[child] -= 1
            if indegree[child] == 0:
                ready.append(child)
    if len(order) != len(pipeline.tasks):
        cycle = find_cycle(pipeline, {n for n, d in indegree.items() if d > 0})
        first = pipeline.tasks[cycle[0]]
        raise PipelineDefinitionError(
            f"pipeline {pipeline.name!r} has a cycle: {' -> '.join(cycle)}", pipeline.file, first.line
        )
    return order


def find_cycle(pipeline: Pipeline, remaining: set[str]) -> list[str]:
    start = min(remaining, key=lambda n: pipeline.tasks[n].line)
    path, seen = [start], {start: 0}
    node = start
    while True:
        node = next(u for u in pipeline.tasks[node].upstream if u in remaining)
        if node in seen:
            cycle = [*path[seen[node] :], node]
            return list(reversed(cycle))
        seen[node] = len(path)
        path.append(node)


def downstream_map(pipeline: Pipeline) -> dict[str, list[str]]:
    children: dict[str, list[str]] = {name: [] for name in pipeline.tasks}
    for spec in pipeline.tasks.values():
        for up in spec.upstream:
            children[up].append(spec.name)
    return children


def descendants(pipeline: Pipeline, roots: set[str]) -> set[str]:
    """``roots`` and every task downstream of them."""
    children = downstream_map(pipeline)
    seen = set(roots)
    stack = list(roots)
    while stack:
        for child in children[stack.pop()]:
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return seen
