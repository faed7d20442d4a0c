"""Every demo pipeline in this repository imports cleanly and runs to success on a fresh store."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.engine.discovery import Catalog
from console.engine.engine import Engine
from console.project import load_project
from console.store.state import Store

ROOT = Path(__file__).resolve().parents[1]
CATALOG = Catalog(ROOT / "pipelines").load_all()


def test_no_demo_pipeline_is_broken() -> None:
    assert [b.describe() for b in CATALOG.broken] == []
    assert {"iris_train", "customer_cleaning", "daily_report", "compliance_report"} <= set(CATALOG.pipelines)


@pytest.mark.parametrize("name", sorted(n for n, p in CATALOG.pipelines.items() if not p.watch))
def test_demo_pipeline_runs(name: str, tmp_path: Path) -> None:
    store = Store(tmp_path / "state")
    engine = Engine(load_project(ROOT), store)
    try:
        runner = engine.run(name)
        failed = store.db.query(
            "SELECT name, error FROM tasks WHERE run_id=? AND status!='succeeded'", (runner.run_id,)
        )
        assert runner.final_status == "succeeded", [dict(r) for r in failed]
    finally:
        engine.close()
