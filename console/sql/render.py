"""Rendering SQL with Jinja2 and dbt's context: ref, source, config, var, is_incremental, this, target.

A model is rendered twice: at discovery in parse mode (``execute`` false, refs and config
calls recorded, unknown vars tolerated) to find its dependencies, and at run time for real.
Project macros (``{% macro %}`` in macro-paths) are compiled once and bound to each
render's context, so they see that node's ``this`` and ``is_incremental()``.
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import jinja2.ext

from console.errors import SqlProjectError


class _Return(Exception):  # noqa: N818 - control flow for dbt's return(), not an error
    def __init__(self, value: Any) -> None:
        self.value = value


class Relation(str):
    """A quoted relation name that also answers ``.schema``, ``.identifier``, ``.name``."""

    schema: str
    identifier: str

    def __new__(cls, text: str, schema: str = "main", identifier: str = "") -> Relation:
        obj = super().__new__(cls, text)
        obj.schema, obj.identifier = schema, identifier
        return obj

    @property
    def name(self) -> str:
        return self.identifier

    @property
    def database(self) -> str:
        return "warehouse"


class Target(dict[str, Any]):
    """``target``: attribute and key access, as dbt's profile target."""

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError as exc:
            raise AttributeError(key) from exc


def make_env() -> jinja2.Environment:
    return jinja2.Environment(
        extensions=[jinja2.ext.do], undefined=jinja2.Undefined, keep_trailing_newline=True
    )


def compile_template(env: jinja2.Environment, text: str, file: Path) -> jinja2.Template:
    """A template (compiled once per environment and text), or SqlProjectError with file:line."""
    cache: dict[str, jinja2.Template] = env.globals.setdefault("__opsconsole_templates__", {})  # type: ignore[assignment]
    cached = cache.get(text)
    if cached is not None:
        return cached
    try:
        template = cache[text] = env.from_string(text)
        return template
    except jinja2.TemplateSyntaxError as exc:
        raise SqlProjectError(f"Jinja syntax error: {exc.message}", str(file), exc.lineno) from exc


def line_of(text: str, needle: str) -> int | None:
    """The 1-based line of the first occurrence of ``needle`` (for errors the template cannot place)."""
    at = text.find(needle)
    return text.count("\n", 0, at) + 1 if at >= 0 else None


def find_call_line(text: str, func: str, arg: str) -> int | None:
    match = re.search(rf"{func}\s*\(\s*['\"]{re.escape(arg)}['\"]", text)
    return text.count("\n", 0, match.start()) + 1 if match else None


class Renderer:
    """Jinja environment plus the project's macros; renders one node's SQL at a time."""

    def __init__(self, macro_files: list[Path], docs: dict[str, str] | None = None) -> None:
        self.env = make_env()
        self.docs = docs or {}
        self.macros: list[jinja2.Template] = [
            compile_template(self.env, path.read_text(encoding="utf-8"), path) for path in macro_files
        ]
        self.macro_names: set[str] = set()
        for template in self.macros:
            self.macro_names.update(
                n for n, v in template.module.__dict__.items() if isinstance(v, jinja2.runtime.Macro)
            )

    def base_context(
        self, *, variables: dict[str, Any], execute: bool, strict_vars: bool, file: Path
    ) -> dict[str, Any]:
        def var(name: str, default: Any = _MISSING) -> Any:
            if name in variables:
                return variables[name]
            if default is not _MISSING:
                return default
            if not strict_vars:
                return None
            raise SqlProjectError(
                f"var({name!r}) has no value: declare it under vars: in dbt_project.yml or pass --param {name}=...",
                str(file),
            )

        def env_var(name: str, default: Any = _MISSING) -> Any:
            if name in os.environ:
                return os.environ[name]
            if default is _MISSING:
                raise SqlProjectError(f"env_var({name!r}) is not set and has no default", str(file))
            return default

        def raise_compiler_error(message: str) -> None:
            raise SqlProjectError(str(message), str(file))

        def do_return(value: Any) -> None:
            raise _Return(value)

        return {
            "var": var,
            "env_var": env_var,
            "execute": execute,
            "target": Target(
                name="dev",
                type="duckdb",
                schema="main",
                database="warehouse",
                threads=1,
                profile_name="opsconsole",
            ),
            "doc": lambda name: self.docs.get(name, ""),
            "log": lambda *a, **k: "",
            "return": do_return,
            "exceptions": Target(raise_compiler_error=raise_compiler_error, warn=lambda *a, **k: ""),
            "modules": Target(datetime=datetime, re=re),
            "run_started_at": datetime.datetime.now(datetime.UTC),
            "invocation_id": "opsconsole",
            "flags": Target(FULL_REFRESH=False, WHICH="build"),
        }

    def bind_macros(self, context: dict[str, Any]) -> None:
        """Make every project macro callable from ``context`` (and from each other)."""
        for template in self.macros:
            module = template.make_module(vars=context, shared=True)
            for name, value in module.__dict__.items():
                if isinstance(value, jinja2.runtime.Macro):
                    context[name] = _returning(value)

    def render(self, template: jinja2.Template, context: dict[str, Any], file: Path) -> str:
        """Render with macros bound; Jinja runtime errors become SqlProjectError with the line."""
        self.bind_macros(context)
        try:
            return template.render(context)
        except SqlProjectError as exc:
            if exc.file and not exc.line:
                raise SqlProjectError(exc.reason, exc.file, _template_line(exc)) from exc
            raise
        except _Return as ret:
            return str(ret.value)
        except jinja2.TemplateError as exc:
            raise SqlProjectError(f"Jinja error: {exc}", str(file), _template_line(exc)) from exc
        except (TypeError, ValueError, AttributeError, KeyError) as exc:
            raise SqlProjectError(f"{type(exc).__name__}: {exc}", str(file), _template_line(exc)) from exc


_MISSING: Any = object()


def _returning(macro: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return macro(*args, **kwargs)
        except _Return as ret:
            return ret.value

    return call


def _template_line(exc: BaseException) -> int | None:
    """The line inside the rendered template where ``exc`` was raised, from its traceback."""
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
