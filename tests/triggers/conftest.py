"""Fixtures for the trigger tests: a settable clock and services on a temporary project."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from trigger_helpers import Clock


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def utc_project(project: Any) -> Any:
    """The shared ``project`` fixture with its time zone pinned to UTC."""
    (project.root / "opsconsole.toml").write_text('timezone = "UTC"\n')
    return project


@pytest.fixture
def make_service(
    utc_project: Any, make_engine: Callable[..., Any], clock: Clock
) -> Iterator[Callable[..., Any]]:
    from console.triggers.service import Service

    services: list[Any] = []

    def make(engine: Any = None, **kwargs: Any) -> Any:
        kwargs.setdefault("clock", clock)
        svc = Service(engine or make_engine(), **kwargs)
        services.append(svc)
        return svc

    yield make
    for svc in services:
        svc.stop(timeout=10)
