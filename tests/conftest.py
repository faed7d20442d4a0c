"""Shared fixtures: temporary projects with pipelines written from strings, and a CLI runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


class TmpProject:
    """A throwaway project folder: ``pipelines/`` plus an isolated state directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "pipelines").mkdir(parents=True, exist_ok=True)

    def write(self, name: str, source: str) -> Path:
        path = self.root / "pipelines" / name
        path.write_text(textwrap.dedent(source))
        return path

    def engine(self, **kwargs: Any) -> Any:
        from console.engine.engine import Engine
        from console.project import load_project

        return Engine(load_project(self.root), **kwargs)

    def cli(
        self, *args: str, timeout: float = 120, env: dict[str, str] | None = None, check: int | None = None
    ) -> subprocess.CompletedProcess[str]:
        base = {k: v for k, v in os.environ.items() if k != "OPSCONSOLE_HOME"}
        full_env = {**base, "PYTHONPATH": str(ROOT), "COLUMNS": "200", **(env or {})}
        proc = subprocess.run(
            [sys.executable, "-m", "console", "--project", str(self.root), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=full_env,
            stdin=subprocess.DEVNULL,
        )
        if check is not None:
            assert proc.returncode == check, (proc.returncode, proc.stdout, proc.stderr)
        return proc

    def cli_json(self, *args: str, check: int = 0) -> Any:
        proc = self.cli(*args, "--json", check=check)
        return json.loads(proc.stdout)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TmpProject]:
    monkeypatch.delenv("OPSCONSOLE_HOME", raising=False)
    yield TmpProject(tmp_path / "proj")


@pytest.fixture
def make_engine(project: TmpProject) -> Iterator[Callable[..., Any]]:
    engines: list[Any] = []

    def make(**kwargs: Any) -> Any:
        engine = project.engine(**kwargs)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.close()
