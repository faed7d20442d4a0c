"""The same pipeline on threads and on a process pool gives the same results."""

from __future__ import annotations

import os

from console.store.runs import get_tasks

SOURCE = """
import os
from console import Pipeline

p = Pipeline("fits", params=dict(n=4), executor=EXECUTOR)

@p.task
def data(n):
    return [list(range(i, i + 50)) for i in range(n)]

@p.task
def sums(data, ctx):
    print(f"pid {os.getpid()}")
    ctx.log_metric("rows", len(data))
    return [sum(x) for x in data]

@p.task(retries=1, retry_delay=0.01)
def flaky(sums, ctx):
    if ctx.attempt == 1:
        raise RuntimeError("first attempt fails")
    return max(sums)
"""


def run_with(project, make_engine, executor: str):
    project.write("fits.py", SOURCE.replace("EXECUTOR", repr(executor)))
    engine = make_engine()
    runner = engine.run("fits")
    tasks = {t["name"]: t for t in get_tasks(engine.store.db, runner.run_id)}
    log = engine.store.log_path(runner.run_id, "sums").read_text()
    metrics = engine.store.db.query("SELECT value FROM metrics WHERE run_id=?", (runner.run_id,))
    return runner, tasks, log, [m[0] for m in metrics]


def test_threads_and_processes_agree(project, make_engine) -> None:
    threaded, t_tasks, t_log, t_metrics = run_with(project, make_engine, "thread")
    proc, p_tasks, p_log, p_metrics = run_with(project, make_engine, "process")
    assert threaded.final_status == proc.final_status == "succeeded"
    assert threaded.values == proc.values
    assert t_tasks["flaky"]["attempts"] == p_tasks["flaky"]["attempts"] == 2
    assert f"pid {os.getpid()}" in t_log
    assert "pid " in p_log and f"pid {os.getpid()}" not in p_log  # ran in a child process
    assert t_metrics == p_metrics == [4.0]
    assert p_tasks["sums"]["log_lines"] == 1


def test_dask_local_cluster_agrees_with_threads(project, make_engine) -> None:
    import pytest

    pytest.importorskip("distributed")
    threaded, _, _, t_metrics = run_with(project, make_engine, "thread")
    dask, d_tasks, d_log, d_metrics = run_with(project, make_engine, "dask")
    assert dask.final_status == "succeeded"
    assert threaded.values == dask.values
    assert d_tasks["flaky"]["attempts"] == 2
    assert "pid " in d_log and f"pid {os.getpid()}" not in d_log  # the log came back from a worker
    assert d_metrics == t_metrics == [4.0]


def test_a_worker_killed_mid_task_is_retried_by_the_engine(project, make_engine, tmp_path) -> None:
    import pytest

    pytest.importorskip("distributed")
    flag = tmp_path / "killed-once"
    project.write(
        "killer.py",
        f"""
        import os
        from pathlib import Path
        from console import Pipeline

        p = Pipeline("killer", executor="dask")

        @p.task(retries=2, retry_delay=0.1)
        def fragile():
            flag = Path({str(flag)!r})
            if not flag.exists():
                flag.write_text("x")
                os._exit(1)  # the worker process dies mid-task
            return "survived"
    """,
    )
    engine = make_engine()
    runner = engine.run("killer")
    assert runner.final_status == "succeeded" and runner.values["fragile"] == "survived"
    task = get_tasks(engine.store.db, runner.run_id)[0]
    assert task["attempts"] == 2
