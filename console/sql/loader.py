"""Loading a dbt project folder: dbt_project.yml, seeds, models, macros, tests, YAML properties.

What ops-console cannot run (adapters other than DuckDB, packages, Python models,
snapshots, unknown materialisations) is refused here with the file and the feature, so a
project is listed as broken and never half-run.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from console.errors import SqlProjectError
from console.sql.nodes import MATERIALIZATIONS, STRATEGIES, Node, Source, SqlProject
from console.sql.properties import read_properties
from console.sql.render import Renderer, compile_template, find_call_line

CONFIG_KEYS = {
    "materialized",
    "schema",
    "alias",
    "unique_key",
    "incremental_strategy",
    "enabled",
    "tags",
    "severity",
    "where",
    "error_if",
    "warn_if",
    "column_types",
    "full_refresh",
    "on_schema_change",
    "database",
    "docs",
    "persist_docs",
    "meta",
    "quote_columns",
    "delimiter",
    "grants",
    "contract",
    "store_failures",
    "limit",
    "fail_calc",
    "pre-hook",
    "post-hook",
    "sql_header",
}
_DOCS = re.compile(r"{%-?\s*docs\s+(\w+)\s*-?%}(.*?){%-?\s*enddocs\s*-?%}", re.S)


def read_yaml(path: Path) -> Any:
    import yaml

    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~10x faster where built
        return yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise SqlProjectError(f"not valid YAML ({getattr(exc, 'problem', exc)})", str(path), line) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise SqlProjectError(f"cannot read ({exc})", str(path)) from exc


def _paths(cfg: dict[str, Any], key: str, default: list[str]) -> list[str]:
    value = cfg.get(key, default)
    return [str(v) for v in (value if isinstance(value, list) else [value])]


def _refuse_unsupported(root: Path, cfg: dict[str, Any], file: Path) -> None:
    for name in ("packages.yml", "dependencies.yml"):
        path = root / name
        if path.is_file() and (read_yaml(path) or {}).get("packages"):
            raise SqlProjectError("packages are not supported (vendor the macros into macros/)", str(path))
    profiles = root / "profiles.yml"
    if profiles.is_file():
        for profile in (read_yaml(profiles) or {}).values():
            for output in (
                ((profile or {}).get("outputs") or {}).values() if isinstance(profile, dict) else ()
            ):
                kind = (output or {}).get("type")
                if kind and kind != "duckdb":
                    raise SqlProjectError(f"adapter {kind!r} is not supported (only duckdb)", str(profiles))
    for folder in _paths(cfg, "snapshot-paths", ["snapshots"]):
        for path in sorted((root / folder).rglob("*.sql")):
            raise SqlProjectError("snapshots are not supported", str(path))


def folder_config(tree: Any, parts: list[str]) -> dict[str, Any]:
    """dbt's hierarchical ``models:``/``seeds:`` config for a node in folders ``parts``."""
    out: dict[str, Any] = {}
    node = tree
    for part in [None, *parts]:
        if part is not None:
            node = node.get(part) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            break
        for key, value in node.items():
            bare = key[1:] if key.startswith("+") else key
            if key.startswith("+") or (bare in CONFIG_KEYS and not isinstance(value, dict)):
                out[bare] = value
    return out


def load_sql_project(root: Path) -> SqlProject:
    """Read and parse the dbt project at ``root``; raises SqlProjectError (file, line, reason)."""
    root = root.resolve()
    file = root / "dbt_project.yml"
    cfg = read_yaml(file)
    if not isinstance(cfg, dict) or not cfg.get("name"):
        raise SqlProjectError("dbt_project.yml needs a name:", str(file))
    _refuse_unsupported(root, cfg, file)
    project = SqlProject(name=str(cfg["name"]), root=root, file=file)
    project.vars = {k: v for k, v in (cfg.get("vars") or {}).items() if not isinstance(v, dict)}
    model_dirs = _paths(cfg, "model-paths", ["models"])
    for folder in _paths(cfg, "macro-paths", ["macros"]):
        project.macro_files.extend(sorted((root / folder).rglob("*.sql")))
    for folder in {*model_dirs, *_paths(cfg, "docs-paths", model_dirs)}:
        for md in sorted((root / folder).rglob("*.md")):
            project.docs.update({m[1]: m[2].strip() for m in _DOCS.finditer(md.read_text(encoding="utf-8"))})
    renderer = Renderer(project.macro_files, project.docs)
    project.renderer = renderer  # type: ignore[attr-defined]
    models_cfg = (cfg.get("models") or {}).get(project.name, cfg.get("models") or {})
    seeds_cfg = (cfg.get("seeds") or {}).get(project.name, cfg.get("seeds") or {})

    for folder in _paths(cfg, "seed-paths", ["seeds"]):
        base = root / folder
        for path in sorted(base.rglob("*.csv")):
            parts = list(path.relative_to(base).parent.parts)
            node = Node("seed", path.stem, path, config=folder_config(seeds_cfg, [*parts, path.stem]))
            _add(project, node)
    for folder in model_dirs:
        base = root / folder
        for path in sorted(base.rglob("*.py")):
            raise SqlProjectError("Python models are not supported (write a Python pipeline task)", str(path))
        for path in sorted(base.rglob("*.sql")):
            parts = list(path.relative_to(base).parent.parts)
            node = Node(
                "model",
                path.stem,
                path,
                raw=path.read_text(encoding="utf-8"),
                config=folder_config(models_cfg, [*parts, path.stem]),
            )
            _add(project, node)
    props = read_properties(project, [root / f for f in {*model_dirs, *_paths(cfg, "seed-paths", ["seeds"])}])
    for node in list(project.nodes.values()):
        if node.kind == "model":
            _parse_model(project, renderer, node)
    _check_configs(project, cfg)
    props.add_tests()
    from console.sql.ops_checks import ops_test_nodes

    for node in ops_test_nodes(project):
        if node.refs[0] not in project.nodes:
            raise SqlProjectError(f"ops check {node.name}: no model named {node.refs[0]!r}", str(node.file))
        _add(project, node)
    for folder in _paths(cfg, "test-paths", ["tests"]):
        for path in sorted((root / folder).rglob("*.sql")):
            node = Node(
                "test", path.stem, path, raw=path.read_text(encoding="utf-8"), config={"severity": "error"}
            )
            _add(project, node)
            _parse_model(project, renderer, node)
            node.attached = node.refs[0] if node.refs else None
    return project


def _add(project: SqlProject, node: Node) -> None:
    if node.name in project.nodes:
        other = project.nodes[node.name]
        raise SqlProjectError(f"{node.kind} {node.name!r} is also defined in {other.file}", str(node.file))
    project.nodes[node.name] = node


def _parse_model(project: SqlProject, renderer: Renderer, node: Node) -> None:
    """Render in parse mode to record refs, sources and config() calls."""
    template = compile_template(renderer.env, node.raw, node.file)
    context = parse_context(project, renderer, node)
    renderer.render(template, context, node.file)
    for ref in node.refs:
        if ref not in project.nodes or project.nodes[ref].kind == "test":
            raise SqlProjectError(
                f"ref({ref!r}): no model or seed named {ref!r}",
                str(node.file),
                find_call_line(node.raw, "ref", ref),
            )
    for key in node.sources:
        if key not in project.sources:
            raise SqlProjectError(
                f"source{key!r}: not declared under sources: in a YAML file",
                str(node.file),
                find_call_line(node.raw, "source", key[0]),
            )


def parse_context(project: SqlProject, renderer: Renderer, node: Node) -> dict[str, Any]:
    from console.sql.render import Relation

    context = renderer.base_context(variables=project.vars, execute=False, strict_vars=False, file=node.file)

    def ref(*args: str, **_: Any) -> str:
        name = args[-1]
        if name not in node.refs:
            node.refs.append(name)
        dep = project.nodes.get(name)
        return dep.relation() if dep else f'"main"."{name}"'

    def source(src: str, table: str) -> str:
        if (src, table) not in node.sources:
            node.sources.append((src, table))
        found = project.sources.get((src, table))
        return found.relation() if found else f'"{src}"."{table}"'

    def config(*_: Any, **kwargs: Any) -> str:
        node.config.update(kwargs)
        return ""

    context.update(
        ref=ref,
        source=source,
        config=config,
        is_incremental=lambda: False,
        this=Relation(node.relation(), node.schema, node.identifier),
    )
    return context


def _check_configs(project: SqlProject, cfg: dict[str, Any]) -> None:
    for node in project.nodes.values():
        if node.kind != "model":
            continue
        if node.materialized not in MATERIALIZATIONS:
            raise SqlProjectError(
                f"materialization {node.materialized!r} is not supported ({', '.join(MATERIALIZATIONS)})",
                str(node.file),
                find_call_line(node.raw, "materialized=", node.materialized),
            )
        strategy = node.config.get("incremental_strategy")
        if strategy is not None and strategy not in STRATEGIES:
            raise SqlProjectError(
                f"incremental_strategy {strategy!r} is not supported ({', '.join(STRATEGIES)})",
                str(node.file),
            )
    for node in project.nodes.values():
        custom = node.config.get("schema")
        node.config["_schema"] = f"{project.target_schema}_{custom}" if custom else project.target_schema


def source_from_yaml(src: dict[str, Any], table: dict[str, Any], file: Path, root: Path) -> Source:
    meta = {**(src.get("meta") or {}), **(table.get("meta") or {})}
    config = {**(src.get("config") or {}), **(table.get("config") or {})}
    location = config.get("external_location") or meta.get("external_location")
    name = str(table["name"])
    if location:
        location = (
            str(location).replace("{name}", name).replace("{identifier}", str(table.get("identifier", name)))
        )
        if "://" not in location and not Path(location).is_absolute():
            location = str(root / location)  # dbt runs from the project folder; we may not
    return Source(
        source=str(src["name"]),
        name=name,
        schema=str(src.get("schema", src["name"])),
        identifier=str(table.get("identifier", name)),
        location=location,
        file=str(file),
    )
