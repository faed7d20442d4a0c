"""YAML properties of a dbt project: descriptions, configs, sources, generic tests, ``ops_checks:``.

Generic tests get dbt's own names (``unique_stg_events_event_id``,
``accepted_values_orders_status__a__b``) so results read the same as in dbt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from console.errors import SqlProjectError
from console.sql.nodes import Node, SqlProject

GENERIC_TESTS = ("unique", "not_null", "accepted_values", "relationships")
TEST_CONFIG = (
    "severity",
    "where",
    "error_if",
    "warn_if",
    "enabled",
    "tags",
    "store_failures",
    "limit",
    "meta",
    "fail_calc",
)
_REF = re.compile(r"""ref\(\s*['"]([^'"]+)['"]\s*\)""")
_SOURCE = re.compile(r"""source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)""")


@dataclass
class _Pending:
    file: Path
    target: str  # a node name, or "source:SRC.TABLE"
    column: str | None
    spec: Any


@dataclass
class Properties:
    project: SqlProject
    pending: list[_Pending] = field(default_factory=list)

    def add_tests(self) -> None:
        """Turn every declared generic test into a test node attached to its model."""
        for item in self.pending:
            node = generic_test(self.project, item)
            if node.name in self.project.nodes:
                raise SqlProjectError(f"test {node.name!r} is declared twice", str(item.file))
            self.project.nodes[node.name] = node


def read_properties(project: SqlProject, folders: list[Path]) -> Properties:
    from console.sql.loader import read_yaml, source_from_yaml

    props = Properties(project)
    files = sorted(
        {p for folder in folders for pattern in ("*.yml", "*.yaml") for p in folder.rglob(pattern)}
    )
    for path in files:
        data = read_yaml(path)
        if not isinstance(data, dict):
            continue
        for src in data.get("sources") or []:
            for table in src.get("tables") or []:
                source = source_from_yaml(src, table, path, project.root)
                project.sources[(source.source, source.name)] = source
                target = f"source:{source.source}.{source.name}"
                _collect(props, path, target, table)
        for section in ("models", "seeds"):
            for entry in data.get(section) or []:
                node = project.nodes.get(str(entry.get("name")))
                if node is None:
                    continue  # dbt warns and goes on for properties of a missing node
                node.config.update(entry.get("config") or {})
                node.description = str(entry.get("description") or "")
                for col in entry.get("columns") or []:
                    node.columns[str(col["name"])] = str(col.get("description") or "")
                _collect(props, path, node.name, entry)
                for check in entry.get("ops_checks") or []:
                    project.ops_checks.append({"model": node.name, "file": str(path), "spec": check})
    return props


def _collect(props: Properties, path: Path, target: str, entry: dict[str, Any]) -> None:
    for spec in entry.get("data_tests") or entry.get("tests") or []:
        props.pending.append(_Pending(path, target, None, spec))
    for col in entry.get("columns") or []:
        for spec in col.get("data_tests") or col.get("tests") or []:
            props.pending.append(_Pending(path, target, str(col["name"]), spec))


def _split(spec: Any, file: Path) -> tuple[str, dict[str, Any], dict[str, Any], str | None]:
    """(test type, arguments, config, custom name) of one YAML test entry."""
    if isinstance(spec, str):
        return spec, {}, {}, None
    if not isinstance(spec, dict) or len(spec) != 1:
        raise SqlProjectError(f"a test must be a name or a mapping with one key, not {spec!r}", str(file))
    kind, body = next(iter(spec.items()))
    body = dict(body or {})
    config = dict(body.pop("config", None) or {})
    name = body.pop("name", None)
    args = dict(body.pop("arguments", None) or {})
    for key, value in body.items():
        (config if key in TEST_CONFIG else args)[key] = value
    return str(kind), args, config, name


def test_name(kind: str, target: str, args: dict[str, Any]) -> str:
    """dbt's ``synthesize_generic_test_names``: the full name, which dbt gives the node (files get a hash)."""
    flat: list[str] = []
    for key in sorted(args):
        value = args[key]
        parts = (
            list(value.values())
            if isinstance(value, dict)
            else list(value)
            if isinstance(value, list | tuple)
            else [value]
        )
        flat.extend(str(p) for p in parts)
    unique = "__".join(re.sub("[^0-9a-zA-Z_]+", "_", arg) for arg in flat)
    return f"{kind}_{target}_{unique}"


def generic_test(project: SqlProject, item: _Pending) -> Node:
    kind, args, config, custom = _split(item.spec, item.file)
    if kind not in GENERIC_TESTS:
        raise SqlProjectError(
            f"generic test {kind!r} is not supported ({', '.join(GENERIC_TESTS)}; write a singular test in tests/)",
            str(item.file),
        )
    if item.column is not None:
        args.setdefault("column_name", item.column)
    if "column_name" not in args:
        raise SqlProjectError(f"test {kind!r} on {item.target} needs a column", str(item.file))
    refs: list[str] = []
    sources: list[tuple[str, str]] = []
    if item.target.startswith("source:"):
        src, _, table = item.target[len("source:") :].partition(".")
        sources.append((src, table))
        label, prefix = f"{src}_{table}", "source_"
    else:
        refs.append(item.target)
        label, prefix = item.target, ""
    if kind == "accepted_values" and not isinstance(args.get("values"), list):
        raise SqlProjectError(
            f"accepted_values on {label}.{args['column_name']} needs values: [...]", str(item.file)
        )
    if kind == "relationships":
        to = str(args.get("to", ""))
        if m := _REF.search(to):
            refs.append(m[1])
        elif m := _SOURCE.search(to):
            sources.append((m[1], m[2]))
        else:
            raise SqlProjectError(
                f"relationships on {label} needs to: ref('model') or source(...)", str(item.file)
            )
        if "field" not in args:
            raise SqlProjectError(f"relationships on {label} needs field:", str(item.file))
    name = custom or test_name(prefix + kind, label, args)
    for ref in refs:
        if ref not in project.nodes:
            raise SqlProjectError(
                f"test {name}: ref({ref!r}): no model or seed named {ref!r}", str(item.file)
            )
    cfg = {"severity": "error", **config}
    cfg["severity"] = str(cfg["severity"]).lower()
    return Node(
        "test",
        name,
        item.file,
        config=cfg,
        refs=refs,
        sources=sources,
        test={"type": kind, "args": args, "target": item.target},
        attached=refs[0] if refs else None,
    )
