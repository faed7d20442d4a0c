"""The live progress table counts every finished task, cancelled ones included."""

from __future__ import annotations

from console.headless.progress import LiveTable


def test_cancelled_and_skipped_tasks_count_as_done() -> None:
    table = LiveTable("etl", ["a", "b", "c", "d"])
    try:
        for task, status in (("a", "succeeded"), ("b", "cancelled"), ("c", "skipped")):
            table({"kind": "task.finished", "run_id": 3, "task": task, "status": status, "data": {}})
        table({"kind": "task.started", "run_id": 3, "task": "d", "status": "running", "data": {}})
        title = str(table._render()).splitlines()[0]  # the title line above the rows
        assert "3/4 tasks" in title
    finally:
        table.stop()
