"""``ctx.save_result_early``: a task's large result stored while the task goes on, never twice."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from console.store import results
from console.store.runs import get_tasks

PIPE = '''
import threading
import numpy as np
import pandas as pd
from console import Pipeline

p = Pipeline("early", params={"mode": "plain"})

@p.task
def frame(ctx):
    value = pd.DataFrame({"x": np.arange(200_000)})  # past the inline size: a result file
    ctx.save_result_early(value)
    if ctx.params.get("mode") == "other":
        return value.head(3)
    if ctx.params.get("mode") == "raise":
        raise RuntimeError("after the early save")
    if ctx.params.get("mode") == "unpicklable":
        lock = threading.Lock()
        ctx.save_result_early(lock)  # the second call: the first save is waited for
        return lock
    return value

@p.task
def total(frame):
    return int(frame["x"].sum())
'''


@pytest.fixture
def saves(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    save = results.save

    def recording(store: Any, value: Any) -> str:
        key = save(store, value)
        seen.append((threading.current_thread().name, key))
        return key

    monkeypatch.setattr(results, "save", recording)
    return seen


def test_the_returned_value_is_stored_once_on_the_side_and_loads_back(project: Any, saves: list[Any]) -> None:
    project.write("early.py", PIPE)
    engine = project.engine()
    try:
        runner = engine.run("early")
        tasks = {t["name"]: t for t in get_tasks(engine.store.db, runner.run_id)}
        stored = results.load(engine.store, tasks["frame"]["result_key"])
    finally:
        engine.close()
    assert runner.final_status == "succeeded" and runner.values["total"] == sum(range(200_000))
    frame_saves = [(name, key) for name, key in saves if key == tasks["frame"]["result_key"]]
    assert frame_saves == [("opsconsole-result-frame", tasks["frame"]["result_key"])]
    assert len(stored) == 200_000 and int(stored["x"].sum()) == sum(range(200_000))


def test_another_returned_object_is_stored_as_usual(project: Any, saves: list[Any]) -> None:
    project.write("early.py", PIPE)
    engine = project.engine()
    try:
        runner = engine.run("early", {"mode": "other"})
        key = {t["name"]: t for t in get_tasks(engine.store.db, runner.run_id)}["frame"]["result_key"]
        stored = results.load(engine.store, key)
    finally:
        engine.close()
    assert runner.final_status == "succeeded" and stored["x"].tolist() == [0, 1, 2]
    savers = [name for name, k in saves if k == key]
    assert savers and not any(name.startswith("opsconsole-result") for name in savers)  # by the engine


@pytest.mark.parametrize("mode", ["raise", "unpicklable"])
def test_a_failed_attempt_leaves_no_saving_thread_behind(project: Any, mode: str) -> None:
    project.write("early.py", PIPE)
    engine = project.engine()
    try:
        runner = engine.run("early", {"mode": mode})
        error = {t["name"]: t for t in get_tasks(engine.store.db, runner.run_id)}["frame"]["error"]
    finally:
        engine.close()
    assert runner.final_status == "failed"
    assert not [t for t in threading.enumerate() if t.name.startswith("opsconsole-result")]
    assert ("after the early save" if mode == "raise" else "cannot be stored") in error
