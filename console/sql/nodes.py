"""What a dbt project is made of once loaded: seeds, models, tests and sources."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MATERIALIZATIONS = ("view", "table", "incremental", "ephemeral")
STRATEGIES = ("append", "delete+insert", "merge")


@dataclass
class Source:
    """A table declared under ``sources:``: a warehouse table or a file (``meta.external_location``)."""

    source: str
    name: str
    schema: str
    identifier: str
    location: str | None = None
    file: str = ""

    def relation(self) -> str:
        if self.location:
            return "'" + self.location.replace("'", "''") + "'"
        return f'"{self.schema}"."{self.identifier}"'


@dataclass
class Node:
    """A seed, model or test: one task of the pipeline.

    ``depends_on`` names the seeds and models it reads (through ephemerals, resolved when
    the DAG is built); ``attached`` is the model a generic test belongs to.
    """

    kind: str  # seed | model | test
    name: str
    file: Path
    raw: str = ""
    config: dict[str, Any] = field(default_factory=dict)
    refs: list[str] = field(default_factory=list)
    sources: list[tuple[str, str]] = field(default_factory=list)
    description: str = ""
    columns: dict[str, str] = field(default_factory=dict)
    test: dict[str, Any] | None = None  # generic tests: {"type", "model", "column", "args"}
    attached: str | None = None
    line: int = 0

    @property
    def materialized(self) -> str:
        if self.kind == "seed":
            return "seed"
        if self.kind == "test":
            return "test"
        return str(self.config.get("materialized", "view"))

    @property
    def schema(self) -> str:
        return str(self.config.get("_schema", "main"))

    @property
    def identifier(self) -> str:
        return str(self.config.get("alias") or self.name)

    def relation(self) -> str:
        if self.materialized == "ephemeral":
            return f"__dbt__cte__{self.name}"
        return f'"{self.schema}"."{self.identifier}"'


@dataclass
class SqlProject:
    """A loaded dbt project: its name, settings and nodes by name."""

    name: str
    root: Path
    file: Path
    vars: dict[str, Any] = field(default_factory=dict)
    nodes: dict[str, Node] = field(default_factory=dict)
    sources: dict[tuple[str, str], Source] = field(default_factory=dict)
    macro_files: list[Path] = field(default_factory=list)
    docs: dict[str, str] = field(default_factory=dict)
    target_schema: str = "main"
    ops_checks: list[dict[str, Any]] = field(default_factory=list)

    def upstream(self, node: Node) -> list[str]:
        """Seeds and models ``node`` reads, with ephemeral models replaced by what they read."""
        out: list[str] = []
        stack = list(node.refs)
        seen: set[str] = set()
        while stack:
            name = stack.pop(0)
            if name in seen:
                continue
            seen.add(name)
            dep = self.nodes[name]
            if dep.materialized == "ephemeral":
                stack.extend(dep.refs)
            elif name not in out:
                out.append(name)
        return out

    def ephemerals(self, node: Node) -> list[Node]:
        """Ephemeral models ``node`` inlines, dependencies first."""
        order: list[Node] = []

        def visit(name: str) -> None:
            dep = self.nodes[name]
            if dep.materialized != "ephemeral" or dep in order:
                return
            for ref in dep.refs:
                visit(ref)
            order.append(dep)

        for ref in node.refs:
            visit(ref)
        return order
