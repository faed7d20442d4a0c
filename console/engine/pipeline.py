"""The public pipeline API: ``Pipeline`` and its ``@p.task`` decorator."""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, overload

from console.errors import PipelineDefinitionError

F = TypeVar("F", bound=Callable[..., Any])
RESERVED = frozenset({"ctx"})


@dataclass
class TaskSpec:
    """One task of a pipeline: a plain function and how to run it."""

    name: str
    fn: Callable[..., Any]
    retries: int = 0
    retry_delay: float = 1.0
    backoff: float = 2.0
    timeout: float | None = None
    checks: Sequence[Any] = ()
    arg_names: tuple[str, ...] = ()
    defaults: dict[str, Any] = field(default_factory=dict)
    upstream: tuple[str, ...] = ()
    param_names: tuple[str, ...] = ()
    wants_ctx: bool = False
    line: int = 0

    def retry_wait(self, attempt: int) -> float:
        """Seconds before attempt ``attempt + 1``: exponential backoff from ``retry_delay``."""
        return float(self.retry_delay) * (self.backoff ** max(attempt - 1, 0))


class Pipeline:
    """A named DAG of tasks. Dependencies and params arrive by parameter name.

    >>> p = Pipeline("demo", params={"n": 3})
    >>> @p.task
    ... def numbers(n):
    ...     return list(range(n))
    >>> @p.task
    ... def total(numbers):
    ...     return sum(numbers)
    """

    def __init__(
        self,
        name: str,
        params: dict[str, Any] | None = None,
        schedule: str | None = None,
        watch: str | None = None,
        description: str = "",
        *,
        max_workers: int | None = None,
        max_concurrent: int = 1,
        catchup: bool = False,
        executor: str | None = None,
        promote_if: Any = None,
        tags: Sequence[str] = (),
    ) -> None:
        if not isinstance(name, str) or not name.strip():
            raise PipelineDefinitionError("a pipeline needs a non-empty name")
        self.name = name
        self.params: dict[str, Any] = dict(params or {})
        self.schedule = schedule
        self.watch = watch
        self.description = description
        self.max_workers = max_workers
        self.max_concurrent = max_concurrent
        self.catchup = catchup
        self.executor = executor
        self.promote_if = promote_if
        self.tags = tuple(tags)
        self.tasks: dict[str, TaskSpec] = {}
        frame = sys._getframe(1)
        self.file: str = frame.f_code.co_filename
        self.line: int = frame.f_lineno
        self.module: str | None = frame.f_globals.get("__name__")
        self.source: str | None = None  # the module's text as loaded, for remote executors
        self.uses_warehouse = False  # SQL tasks: the engine lets go of the warehouse when a run ends

    @overload
    def task(self, fn: F) -> F: ...

    @overload
    def task(
        self,
        fn: None = None,
        *,
        name: str | None = None,
        retries: int = 0,
        retry_delay: float = 1.0,
        backoff: float = 2.0,
        timeout: float | None = None,
        checks: Sequence[Any] | None = None,
    ) -> Callable[[F], F]: ...

    def task(
        self,
        fn: F | None = None,
        *,
        name: str | None = None,
        retries: int = 0,
        retry_delay: float = 1.0,
        backoff: float = 2.0,
        timeout: float | None = None,
        checks: Sequence[Any] | None = None,
    ) -> F | Callable[[F], F]:
        """Register a function as a task (``@p.task`` or ``@p.task(retries=2, ...)``)."""

        def register(func: F) -> F:
            task_name = name or func.__name__
            if task_name in self.tasks:
                raise PipelineDefinitionError(
                    f"pipeline {self.name!r} declares task {task_name!r} twice",
                    func.__code__.co_filename,
                    func.__code__.co_firstlineno,
                )
            if retries < 0 or (timeout is not None and timeout <= 0) or retry_delay < 0:
                raise PipelineDefinitionError(
                    f"task {task_name!r}: retries, retry_delay must be >= 0 and timeout > 0",
                    func.__code__.co_filename,
                    func.__code__.co_firstlineno,
                )
            sig = inspect.signature(func)
            defaults = {
                k: v.default for k, v in sig.parameters.items() if v.default is not inspect.Parameter.empty
            }
            self.tasks[task_name] = TaskSpec(
                name=task_name,
                fn=func,
                retries=retries,
                retry_delay=retry_delay,
                backoff=backoff,
                timeout=timeout,
                checks=tuple(checks or ()),
                arg_names=tuple(sig.parameters),
                defaults=defaults,
                line=func.__code__.co_firstlineno,
            )
            return func

        if fn is not None:
            return register(fn)
        return register

    def sql(
        self,
        fn: F | None = None,
        *,
        name: str | None = None,
        materialized: str = "table",
        retries: int = 0,
        retry_delay: float = 1.0,
        timeout: float | None = None,
    ) -> Any:
        """Register a function returning a SQL string (Jinja allowed) as a warehouse model.

        Its parameters name upstream tasks and params as for ``@p.task``; upstream frames
        are visible in the SQL by task name, and the model is a table named after the task.
        """

        def register(func: F) -> F:
            task_name = name or func.__name__
            self.task(name=task_name, retries=retries, retry_delay=retry_delay, timeout=timeout)(func)
            spec = self.tasks[task_name]
            spec.fn = _SqlModel(self, task_name, func, materialized)
            spec.arg_names = tuple(dict.fromkeys(("ctx", *spec.arg_names)))
            self.uses_warehouse = True
            return func

        return register(fn) if fn is not None else register

    def __repr__(self) -> str:
        return f"Pipeline({self.name!r}, tasks={list(self.tasks)})"


class _SqlModel:
    """A ``@p.sql`` task's callable; ``console.sql`` (duckdb, jinja2) loads on its first call."""

    opsconsole_sql = True

    def __init__(self, pipeline: Pipeline, name: str, fn: Callable[..., str], materialized: str) -> None:
        self.pipeline, self.name, self.fn, self.materialized = pipeline, name, fn, materialized
        self.__name__ = name
        self._run: Callable[..., Any] | None = None

    def __call__(self, ctx: Any, **kwargs: Any) -> Any:
        if self._run is None:
            from console.sql.python_models import sql_task

            self._run = sql_task(self.pipeline, self.name, self.fn, self.materialized)
        return self._run(ctx, **kwargs)
