"""dbt project folders as pipelines: each seed, model and test becomes a task of the DAG.

As ``dbt build`` does, a model's tests run right after it and what reads the model waits
for them, so a failing error-severity test skips everything downstream. The SQL itself
runs in ``console.sql``; this module only shapes the pipeline the engine walks.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.engine.discovery import Broken, LoadedModule
from console.engine.pipeline import Pipeline, TaskSpec
from console.errors import OpsConsoleError, PipelineDefinitionError, SqlProjectError

if TYPE_CHECKING:
    from console.engine.engine import Engine


def project_digest(root: Path) -> str:
    """sha256 over the project's files (names and bytes), recorded with each run like a module's source."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and not any(
            part in ("target", "logs", "dbt_packages") or part.startswith(".")
            for part in path.relative_to(root).parts
        ):
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def load_sql_dir(root: Path, options: dict[str, dict[str, Any]] | None = None) -> LoadedModule:
    """Load the dbt project in ``root``; never raises for user errors (the project is listed broken)."""
    from console.engine.dag import resolve

    file = (root / "dbt_project.yml").resolve()
    try:
        loaded = LoadedModule(file, project_digest(root))
    except OSError as exc:
        return LoadedModule(file, "", broken=[Broken(root.name, str(file), None, str(exc))])
    try:
        pipeline = build_pipeline(root)
        apply_options(pipeline, (options or {}).get(pipeline.name) or {})
    except (SqlProjectError, PipelineDefinitionError) as exc:
        loaded.broken.append(Broken(_name(root), exc.file or str(file), exc.line, exc.reason))
        return loaded
    except OpsConsoleError as exc:
        loaded.broken.append(Broken(_name(root), str(file), None, exc.message))
        return loaded
    try:
        resolve(pipeline)
    except PipelineDefinitionError as exc:
        # a cycle through refs: cite the first model of the cycle, not dbt_project.yml
        first = exc.reason.rpartition(": ")[2].split(" -> ")[0]
        node = pipeline.sql_project.nodes.get(first)  # type: ignore[attr-defined]
        loaded.broken.append(Broken(pipeline.name, str(node.file if node else file), None, exc.reason))
        return loaded
    except SqlProjectError as exc:
        loaded.broken.append(Broken(_name(root), exc.file or str(file), exc.line, exc.reason))
        return loaded
    except OpsConsoleError as exc:
        loaded.broken.append(Broken(_name(root), str(file), None, exc.message))
        return loaded
    loaded.pipelines.append(pipeline)
    return loaded


OPTIONS = ("schedule", "watch", "description", "max_workers", "max_concurrent", "catchup")


def apply_options(pipeline: Pipeline, options: dict[str, Any]) -> None:
    """``[tool.opsconsole.sql_pipelines.NAME]``: what a Python pipeline says in ``Pipeline(...)``.

    The dbt project itself stays as dbt reads it; schedules and file triggers live in our config.
    """
    unknown = set(options) - set(OPTIONS)
    if unknown:
        raise PipelineDefinitionError(
            f"[tool.opsconsole.sql_pipelines.{pipeline.name}]: unknown option(s) {', '.join(sorted(unknown))}"
            f" (known: {', '.join(OPTIONS)})",
            pipeline.file,
        )
    for key, value in options.items():
        setattr(pipeline, key, value)


def _name(root: Path) -> str:
    try:
        from console.sql.loader import read_yaml

        return str(read_yaml(root / "dbt_project.yml").get("name") or root.name)
    except (OpsConsoleError, AttributeError):
        return root.name


def build_pipeline(root: Path) -> Pipeline:
    from console.sql.loader import load_sql_project
    from console.sql.tasks import node_task

    project = load_sql_project(root)
    pipeline = Pipeline(
        project.name, params=dict(project.vars), executor="thread", description=f"dbt project {root.name}"
    )
    pipeline.file, pipeline.line, pipeline.module = str(project.file), 1, None
    pipeline.sql_project = project  # type: ignore[attr-defined]
    pipeline.uses_warehouse = True
    deps = {
        name: project.upstream(node)
        for name, node in project.nodes.items()
        if node.materialized != "ephemeral"
    }
    tests_of: dict[str, list[str]] = {}
    for name, node in project.nodes.items():
        if node.kind == "test" and node.attached in deps:
            tests_of.setdefault(str(node.attached), []).append(name)
    for name in deps:
        node = project.nodes[name]
        upstream = list(deps[name])
        if node.kind != "test":
            for up in deps[name]:
                upstream.extend(t for t in tests_of.get(up, ()) if not _reaches(deps, name, t))
        pipeline.tasks[name] = TaskSpec(
            name=name, fn=node_task(project, node), arg_names=("ctx", *upstream), line=0
        )
    return pipeline


def _reaches(deps: dict[str, list[str]], start: str, target: str) -> bool:
    """True when ``target`` already depends (transitively) on ``start``: an edge would make a cycle."""
    stack, seen = list(deps.get(target, ())), set()
    while stack:
        name = stack.pop()
        if name == start:
            return True
        if name not in seen:
            seen.add(name)
            stack.extend(deps.get(name, ()))
    return False


def release_warehouse(engine: Engine, run_id: int) -> None:
    """The run ended: let go of its warehouse write connection at once (not after the linger)."""
    from console.sql.tasks import _configured
    from console.sql.warehouse import release_run

    release_run(_configured(engine.project_root, engine.store.home), run_id)
