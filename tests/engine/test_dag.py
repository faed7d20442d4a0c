"""Pipeline definitions: dependencies and params by name, and the errors for bad graphs."""

from __future__ import annotations

import pytest

from console import Pipeline
from console.engine.dag import descendants, resolve
from console.errors import PipelineDefinitionError


def test_dependencies_and_params_are_bound_by_parameter_name() -> None:
    p = Pipeline("demo", params={"n": 3})

    @p.task
    def a(n):
        return n

    @p.task
    def b(a, ctx, scale=2):
        return a * scale

    order = resolve(p)
    assert order == ["a", "b"]
    assert p.tasks["a"].param_names == ("n",)
    assert p.tasks["b"].upstream == ("a",)
    assert p.tasks["b"].wants_ctx is True
    assert p.tasks["b"].param_names == ("scale",)


def test_tasks_may_reference_tasks_declared_later() -> None:
    p = Pipeline("later")

    @p.task
    def report(total):
        return total

    @p.task
    def total():
        return 1

    assert resolve(p) == ["total", "report"]


def test_unknown_parameter_names_task_and_line() -> None:
    p = Pipeline("bad")

    @p.task
    def a(missing_thing):
        return 1

    with pytest.raises(PipelineDefinitionError) as info:
        resolve(p)
    assert "'missing_thing'" in str(info.value)
    assert info.value.line == a.__code__.co_firstlineno


def test_cycle_is_reported_with_its_path() -> None:
    p = Pipeline("cyclic")

    @p.task
    def a(c):
        return 1

    @p.task
    def b(a):
        return 1

    @p.task
    def c(b):
        return 1

    with pytest.raises(PipelineDefinitionError) as info:
        resolve(p)
    message = str(info.value)
    assert "cycle" in message
    for name in "abc":
        assert name in message


def test_duplicate_task_and_bad_options_are_rejected() -> None:
    p = Pipeline("dup")

    @p.task
    def a():
        return 1

    with pytest.raises(PipelineDefinitionError, match="twice"):
        p.task(name="a")(lambda: 2)
    with pytest.raises(PipelineDefinitionError, match="retries"):
        p.task(retries=-1)(lambda: 2)
    with pytest.raises(PipelineDefinitionError, match="non-empty"):
        Pipeline("")


def test_descendants_and_backoff() -> None:
    p = Pipeline("tree")

    @p.task
    def a():
        return 1

    @p.task(retry_delay=0.5)
    def b(a):
        return 1

    @p.task
    def c(b):
        return 1

    @p.task
    def d():
        return 1

    resolve(p)
    assert descendants(p, {"b"}) == {"b", "c"}
    assert [p.tasks["b"].retry_wait(n) for n in (1, 2, 3)] == [0.5, 1.0, 2.0]
