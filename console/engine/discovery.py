"""Importing every module of ``pipelines/`` in isolation and collecting what it declares.

A module that fails to import, declares a cycle or an unknown parameter, or reuses a
pipeline name is listed as broken with its file, line and reason; the others keep working.

A module's top level runs on a daemon thread with a time limit (``import_timeout`` in the
config, 10 s by default): one that hangs (a network call, a ``while True``) is listed as
broken with the line it was stuck at, and is left behind on its thread, since Python
cannot stop it; nothing else waits for it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from console.engine.dag import resolve
from console.engine.names import shorten, valid_name
from console.engine.pipeline import Pipeline
from console.errors import NotFoundError, OpsConsoleError, PipelineDefinitionError

MODULE_PREFIX = "opsconsole_pipelines"
DEFAULT_IMPORT_TIMEOUT_S = 10.0
_import_lock = threading.Lock()


@dataclass
class Broken:
    """A module or pipeline that cannot run, and why."""

    name: str
    file: str
    line: int | None
    error: str

    def describe(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.error}"


@dataclass
class LoadedModule:
    file: Path
    sha256: str
    pipelines: list[Pipeline] = field(default_factory=list)
    monitors: list[Any] = field(default_factory=list)
    broken: list[Broken] = field(default_factory=list)


def module_name(path: Path) -> str:
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:8]
    return f"{MODULE_PREFIX}.{path.stem}_{digest}"


def _error_line(exc: BaseException, path: Path) -> int | None:
    if isinstance(exc, SyntaxError) and exc.lineno:
        return exc.lineno
    if isinstance(exc, PipelineDefinitionError) and exc.line:
        return exc.line
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if Path(frame.filename).resolve() == path.resolve():
            line = frame.lineno
    return line


def _describe(exc: BaseException) -> str:
    if isinstance(exc, SyntaxError):
        return f"SyntaxError: {exc.msg}"
    if isinstance(exc, PipelineDefinitionError):
        return exc.reason
    return f"{type(exc).__name__}: {exc}"


def _exec_with_limit(code: Any, module: ModuleType, timeout: float | None) -> BaseException | int | None:
    """Run a module's top level; its exception, the line it hung at (int), or None when done."""
    outcome: list[BaseException | None] = []

    def body() -> None:
        try:
            exec(code, module.__dict__)  # noqa: S102 - importing the user's pipeline module
        except BaseException as exc:  # noqa: BLE001 - reported as the module's error
            outcome.append(exc)
        else:
            outcome.append(None)

    if timeout is None:
        body()
        return outcome[0]
    thread = threading.Thread(target=body, name=f"opsconsole-import-{module.__name__}", daemon=True)
    thread.start()
    thread.join(timeout)
    if outcome:
        return outcome[0]
    return _stuck_line(thread, code.co_filename) or 0


def _stuck_line(thread: threading.Thread, filename: str) -> int | None:
    """The line of ``filename`` a hung import thread is executing, if it can be seen."""
    frame = sys._current_frames().get(thread.ident or -1)
    line = None
    while frame is not None:
        if frame.f_code.co_filename == filename:
            line = frame.f_lineno
            break
        frame = frame.f_back
    return line


def load_module(path: Path, timeout: float | None = DEFAULT_IMPORT_TIMEOUT_S) -> LoadedModule:
    """Import one pipeline file under a private name; never raises for user errors.

    ``timeout`` bounds the module's top level (None: no limit, run on this thread).
    """
    path = path.resolve()
    try:
        source = path.read_bytes()
    except OSError as exc:
        return LoadedModule(path, "", broken=[Broken(path.stem, str(path), None, str(exc))])
    loaded = LoadedModule(path, hashlib.sha256(source).hexdigest())
    name = module_name(path)
    with _import_lock:
        for extra in (str(path.parent), str(path.parent.parent)):
            if extra not in sys.path:
                sys.path.append(extra)
        if MODULE_PREFIX not in sys.modules:
            pkg = ModuleType(MODULE_PREFIX)
            pkg.__path__ = []
            sys.modules[MODULE_PREFIX] = pkg
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            loaded.broken.append(Broken(path.stem, str(path), None, "not a Python module"))
            return loaded
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
    # the top level runs outside the lock: a module that hangs must not block the next one
    try:
        code = compile(source, str(path), "exec")
    except BaseException as exc:  # noqa: BLE001 - a broken module must not stop discovery
        result: BaseException | int | None = exc
    else:
        result = _exec_with_limit(code, module, timeout)
    if isinstance(result, int):
        sys.modules.pop(name, None)
        limit = f"{timeout:g}"
        loaded.broken.append(
            Broken(path.stem, str(path), result or None, f"import took longer than {limit} s (import_timeout)")
        )
        return loaded
    if result is not None:
        if isinstance(result, KeyboardInterrupt):
            raise result
        sys.modules.pop(name, None)
        loaded.broken.append(Broken(path.stem, str(path), _error_line(result, path), _describe(result)))
        return loaded
    for value in list(vars(module).values()):
        if isinstance(value, Pipeline) and value not in loaded.pipelines:
            value.source = source.decode("utf-8", errors="replace")  # shipped to remote workers
            try:
                resolve(value)
            except PipelineDefinitionError as exc:
                loaded.broken.append(Broken(value.name, str(path), exc.line, exc.reason))
                continue
            loaded.pipelines.append(value)
        elif getattr(type(value), "opsconsole_kind", None) == "monitor":
            loaded.monitors.append(value)
    return loaded


class Catalog:
    """Every pipeline (and monitor) of a project, with the broken ones and their errors."""

    def __init__(
        self,
        pipelines_dir: Path,
        sql_projects: Sequence[Path] = (),
        sql_options: dict[str, dict[str, Any]] | None = None,
        import_timeout: float | None = DEFAULT_IMPORT_TIMEOUT_S,
    ) -> None:
        self.dir = pipelines_dir
        self.import_timeout = import_timeout
        self.sql_projects = [Path(p) for p in sql_projects]
        self.sql_options = sql_options or {}  # per SQL pipeline name: schedule, watch, max_workers
        self.modules: dict[Path, LoadedModule] = {}
        self.extra: dict[str, Pipeline] = {}
        # Checks from layers above the engine (a schedule that does not parse): a pipeline
        # failing one is listed broken with its message, like a cycle.
        self.checks: list[Callable[[Pipeline], None]] = []

    def _load(self, path: Path) -> LoadedModule:
        loaded = load_module(path, self.import_timeout)
        for pipeline in list(loaded.pipelines):
            for check in self.checks:
                try:
                    check(pipeline)
                except OpsConsoleError as exc:
                    loaded.pipelines.remove(pipeline)
                    loaded.broken.append(Broken(pipeline.name, pipeline.file, pipeline.line, str(exc)))
                    break
        return loaded

    def add(self, pipeline: Pipeline) -> Pipeline:
        """Register a pipeline built in code (tests, notebooks) rather than found in a file."""
        resolve(pipeline)
        self.extra[pipeline.name] = pipeline
        return pipeline

    def files(self) -> list[Path]:
        if not self.dir.is_dir():
            return []
        return sorted(p.resolve() for p in self.dir.glob("*.py") if not p.name.startswith("_"))

    def sql_dirs(self) -> list[Path]:
        """dbt project folders: those under the pipelines folder and the configured ``sql_projects``."""
        found = [p.parent.resolve() for p in self.dir.rglob("dbt_project.yml")] if self.dir.is_dir() else []
        found = [p for p in found if not any(part.startswith((".", "_")) for part in p.relative_to(self.dir.resolve()).parts)]
        return sorted({*found, *(p.resolve() for p in self.sql_projects if (p / "dbt_project.yml").is_file())})

    def load_all(self) -> Catalog:
        self.modules = {path: self._load(path) for path in self.files()}
        sql_dirs = self.sql_dirs()
        if sql_dirs:
            from console.engine.sql_pipelines import load_sql_dir

            for folder in sql_dirs:
                loaded = load_sql_dir(folder, self.sql_options)
                self.modules[loaded.file] = loaded
        return self

    def reload(self, path: Path) -> LoadedModule | None:
        """Re-import one file (hot reload); a deleted file disappears from the catalog."""
        path = path.resolve()
        if path.name == "dbt_project.yml":
            from console.engine.sql_pipelines import load_sql_dir

            if not path.exists():
                self.modules.pop(path, None)
                return None
            self.modules[path] = load_sql_dir(path.parent, self.sql_options)
            return self.modules[path]
        if not path.exists():
            self.modules.pop(path, None)
            return None
        self.modules[path] = self._load(path)
        return self.modules[path]

    def load_one(self, name: str) -> Pipeline:
        """Fast path for ``run NAME``: try ``NAME.py`` first, import everything otherwise."""
        if not valid_name(name):  # never a file name to try (too long, a path, control characters)
            raise NotFoundError(
                f"unknown pipeline: {shorten(name)} (pipeline names are letters, digits, _ . -)"
            )
        guess = (self.dir / f"{name}.py").resolve()
        if guess.is_file():
            self.modules[guess] = self._load(guess)
            for p in self.modules[guess].pipelines:
                if p.name == name:
                    return p
        self.load_all()
        return self.get(name)

    @property
    def pipelines(self) -> dict[str, Pipeline]:
        out: dict[str, Pipeline] = dict(self.extra)
        for mod in self.modules.values():
            for p in mod.pipelines:
                out.setdefault(p.name, p)
        return out

    @property
    def monitors(self) -> list[Any]:
        return [m for mod in self.modules.values() for m in mod.monitors]

    @property
    def broken(self) -> list[Broken]:
        out = [b for mod in self.modules.values() for b in mod.broken]
        seen: dict[str, Pipeline] = {}
        for mod in self.modules.values():
            for p in mod.pipelines:
                if p.name in seen:
                    first = seen[p.name]
                    out.append(
                        Broken(
                            p.name,
                            p.file,
                            p.line,
                            f"pipeline name {p.name!r} already defined at {first.file}:{first.line}",
                        )
                    )
                else:
                    seen[p.name] = p
        return out

    def source_sha256(self, pipeline: Pipeline) -> str | None:
        mod = self.modules.get(Path(pipeline.file).resolve())
        return mod.sha256 if mod else None

    def get(self, name: str) -> Pipeline:
        pipelines = self.pipelines
        if name in pipelines:
            return pipelines[name]
        for b in self.broken:
            if b.name == name:
                raise PipelineDefinitionError(f"pipeline {name!r} is broken: {b.error}", b.file, b.line)
        if not self.dir.is_dir():
            raise NotFoundError(
                f"unknown pipeline: {shorten(name)}: no pipelines directory {self.dir} "
                '(create it, or set pipelines = "DIR" in the config)'
            )
        known = ", ".join(sorted(pipelines)) or "none"
        raise NotFoundError(f"unknown pipeline: {shorten(name)} (known: {known})")
