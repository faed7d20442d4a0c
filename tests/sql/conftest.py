"""Fixtures for SQL tests: the shop dbt project copied into a temporary project, and file writers."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOP = ROOT / "assets" / "dbt_shop"


class SqlProjectDir:
    """A dbt project folder under a temporary project's ``pipelines/``."""

    def __init__(self, project: Any, name: str = "shop") -> None:
        self.project = project
        self.dir = project.root / "pipelines" / name

    def write(self, rel: str, text: str) -> Path:
        path = self.dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
        return path

    def warehouse(self) -> Path:
        return self.project.root / ".opsconsole" / "warehouse.duckdb"

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        import duckdb

        con = duckdb.connect(str(self.warehouse()), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()


@pytest.fixture
def shop(project: Any) -> SqlProjectDir:
    shutil.copytree(SHOP, project.root / "pipelines" / "shop")
    return SqlProjectDir(project)


@pytest.fixture
def dbt(project: Any) -> SqlProjectDir:
    """An empty dbt project named ``mini`` to write files into."""
    sql = SqlProjectDir(project, "mini")
    sql.write("dbt_project.yml", "name: mini\nversion: '1.0'\nconfig-version: 2\n")
    return sql
