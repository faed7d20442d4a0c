"""Fixtures for the console tests: a small project and sessions on it (helpers: ``ui_helpers``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from ui_helpers import make_session

PIPELINES = {
    "quick.py": """
        from console import Pipeline

        p = Pipeline("quick", params={"n": 3})

        @p.task
        def numbers(n):
            return list(range(n))

        @p.task
        def total(numbers, ctx):
            for i in numbers:
                print(f"line {i}")
            ctx.log_metric("total", sum(numbers))
            return sum(numbers)
    """,
    "slow.py": """
        from console import Pipeline

        p = Pipeline("slow")

        @p.task
        def wait(ctx):
            print("waiting")
            ctx.sleep(20)

        @p.task
        def after(wait):
            return 1
    """,
    "flaky.py": """
        from console import Pipeline

        p = Pipeline("flaky", params={"fail": True})

        @p.task
        def first():
            return 1

        @p.task
        def boom(first, fail):
            if fail:
                raise ValueError("boom: bad input row 7")
            return first
    """,
}


@pytest.fixture
def ui_project(project: Any) -> Any:
    for name, source in PIPELINES.items():
        project.write(name, source)
    return project


@pytest.fixture
def session_factory(ui_project: Any) -> Iterator[Callable[..., Any]]:
    sessions: list[Any] = []

    def make(read_only: bool = False) -> Any:
        session = make_session(ui_project.root, read_only=read_only)
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        session.close()
