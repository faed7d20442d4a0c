"""The public pipeline API: ``Pipeline`` and its ``@p.task`` decorator."""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, overload

from console.engine.names import check_param_name, check_pipeline_name, check_task_name
from console.errors import PipelineDefinitionError

F = TypeVar("F", bound=Callable[..., Any])
RESERVED = frozenset({"ctx"})
_SLA_RE = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd])")
_SLA_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def sla_seconds(value: str | float | None, what: str = "sla") -> float | None:
    """Seconds of a deadline: ``"30m"``, ``"1h30m"``, ``"45s"``, ``"2d"`` or a number of seconds."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    else:
        text = str(value).strip().lower()
        parts = _SLA_RE.findall(text)
        if not parts or _SLA_RE.sub("", text).strip():
            raise PipelineDefinitionError(f"{what}={value!r}: expected a duration such as '30m', '2h' or '45s'")
        seconds = sum(float(n) * _SLA_UNITS[u] for n, u in parts)
    if seconds <= 0:
        raise PipelineDefinitionError(f"{what}={value!r}: must be positive")
    return seconds


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
    sla_s: float | None = None
    arg_names: tuple[str, ...] = ()
    defaults: dict[str, Any] = field(default_factory=dict)
    upstream: tuple[str, ...] = ()
    param_names: tuple[str, ...] = ()
    wants_ctx: bool = False
    line: int = 0
    # on the driver's threads whatever the executor: a streaming source's batch and its offsets
    # go to the project's warehouse in one transaction of the process that owns the run
    in_driver: bool = False

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
        source: Any = None,
        sla: str | float | None = None,
    ) -> None:
        frame = sys._getframe(1)
        if not isinstance(name, str) or not name.strip():
            raise PipelineDefinitionError(
                "a pipeline needs a non-empty name", frame.f_code.co_filename, frame.f_lineno
            )
        self.name = check_pipeline_name(name, frame.f_code.co_filename, frame.f_lineno)
        self.params: dict[str, Any] = dict(params or {})
        for param in self.params:
            check_param_name(param, frame.f_code.co_filename, frame.f_lineno)
        self.schedule = schedule
        self.watch = watch
        self.description = description
        self.max_workers = max_workers
        self.max_concurrent = max_concurrent
        self.catchup = catchup
        self.executor = executor
        self.promote_if = promote_if
        self.tags = tuple(tags)
        self.sla_s = sla_seconds(sla, f"pipeline {name!r}: sla")
        self.tasks: dict[str, TaskSpec] = {}
        self.file: str = frame.f_code.co_filename
        self.line: int = frame.f_lineno
        self.module: str | None = frame.f_globals.get("__name__")
        self.source: str | None = None  # the module's text as loaded, for remote executors
        self.uses_warehouse = False  # SQL tasks: the engine lets go of the warehouse when a run ends
        self.stream = source  # a streaming source (console.streaming.kafka): its batch is a task
        if source is not None:
            self._add_source(source)

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
        sla: str | float | None = None,
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
        sla: str | float | None = None,
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
            check_task_name(task_name, func.__code__.co_filename, func.__code__.co_firstlineno)
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
                sla_s=sla_seconds(sla, f"task {task_name!r}: sla"),
                arg_names=tuple(sig.parameters),
                defaults=defaults,
                line=func.__code__.co_firstlineno,
            )
            return func

        if fn is not None:
            return register(fn)
        return register

    def _add_source(self, source: Any, transform: Callable[..., Any] | None = None) -> None:
        as_task = getattr(source, "as_task", None)
        if not callable(as_task):
            raise PipelineDefinitionError(
                f"pipeline {self.name!r}: source= must be a streaming source such as kafka(...), "
                f"not {type(source).__name__}", self.file, self.line
            )
        fn = as_task(transform)
        self.task(name=fn.__name__)(fn)
        self.tasks[fn.__name__].in_driver = True
        self.uses_warehouse = True  # the batch lands in the warehouse: the engine releases it at the end

    def kafka_source(self, source: Any) -> Callable[[F], F]:
        """``@p.kafka_source(kafka("orders", ...))`` on ``def orders(frame): ...``: a task named for
        the function that consumes a batch, passes the decoded frame through it, and writes what it
        returns to the warehouse with the batch's offsets (exactly once)."""

        def register(func: F) -> F:
            self.stream = source
            self._add_source(source, func)
            return func

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
