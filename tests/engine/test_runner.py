"""The runner against a real store: parallelism, retries, timeouts, cancel, skip, reuse, logs."""

from __future__ import annotations

import json
import threading

from fake_clock import EventWaiter, FakeClock

from console.store import results
from console.store.runs import get_run_row, get_tasks


def task_map(engine, run_id):
    return {t["name"]: t for t in get_tasks(engine.store.db, run_id)}


def test_independent_tasks_run_in_parallel(project, make_engine) -> None:
    project.write(
        "par.py",
        """
        import threading
        from console import Pipeline
        p = Pipeline("par")
        both_running = threading.Barrier(2, timeout=10)  # broken unless the two run at once

        @p.task
        def left():
            both_running.wait()
            return "l"

        @p.task
        def right():
            both_running.wait()
            return "r"

        @p.task
        def both(left, right):
            return left + right
    """,
    )
    engine = make_engine()
    runner = engine.run("par")
    assert runner.final_status == "succeeded"
    assert runner.values["both"] == "lr"
    tasks = task_map(engine, runner.run_id)
    # the two branches overlapped: each started before the other ended
    assert tasks["left"]["started_at"] < tasks["right"]["ended_at"]
    assert tasks["right"]["started_at"] < tasks["left"]["ended_at"]


def test_params_overrides_and_defaults(project, make_engine) -> None:
    project.write(
        "p.py",
        """
        from console import Pipeline
        p = Pipeline("params", params={"n": 2, "label": "x"})

        @p.task
        def out(n, label, extra=5):
            return f"{label}{n * extra}"
    """,
    )
    engine = make_engine()
    runner = engine.run("params", {"n": "4"})
    assert runner.values["out"] == "x20"
    run = get_run_row(engine.store.db, runner.run_id)
    assert json.loads(run["params"]) == {"n": 4, "label": "x"}
    assert run["source_sha256"] and len(run["source_sha256"]) == 64


def test_retries_with_backoff_then_success(project, make_engine) -> None:
    project.write(
        "flaky.py",
        """
        from console import Pipeline
        p = Pipeline("flaky")

        @p.task(retries=3, retry_delay=5.0, backoff=2.0)
        def shaky(ctx):
            if ctx.attempt < 3:
                raise ConnectionError(f"boom {ctx.attempt}")
            return ctx.attempt
    """,
    )
    clock = FakeClock()
    engine = make_engine(clock=clock, sleep=clock.sleep)
    heard = EventWaiter(engine)
    t0 = clock()
    runner = engine.run("flaky")
    assert runner.final_status == "succeeded"
    task = task_map(engine, runner.run_id)["shaky"]
    assert task["attempts"] == 3 and task["status"] == "succeeded"
    delays = [e["data"]["delay_s"] for e in heard.events if e["kind"] == "task.retrying"]
    assert delays == [5.0, 10.0]  # retry_delay, then twice that
    assert clock() - t0 >= 15.0  # the driver waited them out on the engine's clock
    log = engine.store.log_path(runner.run_id, "shaky").read_text()
    assert "ConnectionError: boom 1" in log and "attempt 3" in log


def test_exhausted_retries_fail_and_skip_downstream(project, make_engine) -> None:
    project.write(
        "fail.py",
        """
        from console import Pipeline
        p = Pipeline("fails")

        @p.task
        def ok():
            return 1

        @p.task(retries=1, retry_delay=0.01)
        def bad(ok):
            raise ValueError("bad data in column amount")

        @p.task
        def after(bad):
            return 2

        @p.task
        def after_after(after):
            return 3

        @p.task
        def sibling(ok):
            return 4
    """,
    )
    engine = make_engine()
    runner = engine.run("fails")
    assert runner.final_status == "failed"
    tasks = task_map(engine, runner.run_id)
    assert tasks["bad"]["status"] == "failed" and tasks["bad"]["attempts"] == 2
    assert "ValueError: bad data in column amount" in tasks["bad"]["error"]
    assert tasks["after"]["status"] == "skipped" and tasks["after_after"]["status"] == "skipped"
    assert tasks["sibling"]["status"] == "succeeded"
    run = get_run_row(engine.store.db, runner.run_id)
    assert run["status"] == "failed" and "bad" in run["error"]


def test_timeout_fails_the_attempt_and_signals_the_task(project, make_engine) -> None:
    project.write(
        "slow.py",
        """
        from console import Pipeline
        p = Pipeline("slow")

        @p.task(timeout=60)
        def hang(ctx):
            ctx.sleep(3600)  # wakes (and raises) when the timeout signals the attempt
            return 1
    """,
    )
    clock = FakeClock()
    engine = make_engine(clock=clock, sleep=clock.sleep)
    t0 = clock()
    runner = engine.run("slow")
    task = task_map(engine, runner.run_id)["hang"]
    assert runner.final_status == "failed"
    assert task["status"] == "failed" and "timed out after 60s" in task["error"]
    assert 60.0 <= clock() - t0 < 3600  # decided on the engine's clock, not by the task's own sleep


def test_cancel_stops_the_run_and_marks_tasks(project, make_engine) -> None:
    project.write(
        "long.py",
        """
        from console import Pipeline
        p = Pipeline("long")

        @p.task
        def wait(ctx):
            ctx.sleep(30)
            return 1

        @p.task
        def later(wait):
            return 2
    """,
    )
    engine = make_engine()
    heard = EventWaiter(engine)
    runner = engine.start("long")
    heard.wait_for(lambda e: e["kind"] == "task.started" and e["task"] == "wait")
    assert engine.cancel(runner.run_id) == "cancelling"
    assert heard.finished(runner.run_id)["status"] == "cancelled"
    engine.store.writer.flush()
    tasks = task_map(engine, runner.run_id)
    assert tasks["wait"]["status"] == "cancelled" and tasks["later"]["status"] == "cancelled"


def test_cancel_through_the_store_from_another_engine(project, make_engine) -> None:
    project.write(
        "long.py",
        """
        from console import Pipeline
        p = Pipeline("long")

        @p.task
        def wait(ctx):
            ctx.sleep(30)
    """,
    )
    owner = make_engine()
    heard = EventWaiter(owner)
    runner = owner.start("long")
    other = make_engine()
    heard.wait_for(lambda e: e["kind"] == "task.started")
    owner.store.writer.flush()  # the run row says running before the other engine looks
    assert other.cancel(runner.run_id) == "cancelling"  # not its run: asks through the store
    assert heard.finished(runner.run_id)["status"] == "cancelled"


def test_rerun_from_failed_reuses_what_succeeded(project, make_engine, tmp_path) -> None:
    flag = tmp_path / "fixed"
    counter = tmp_path / "count"
    project.write(
        "heal.py",
        f"""
        from pathlib import Path
        from console import Pipeline
        p = Pipeline("heal")

        def bump(name):
            with open({str(counter)!r}, "a") as fh:
                fh.write(name + "\\n")

        @p.task
        def extract():
            bump("extract")
            return list(range(10))

        @p.task
        def transform(extract):
            bump("transform")
            return [x * 2 for x in extract]

        @p.task
        def load(transform):
            bump("load")
            if not Path({str(flag)!r}).exists():
                raise RuntimeError("warehouse down")
            return sum(transform)

        @p.task
        def notify(load):
            bump("notify")
            return f"loaded {{load}}"
    """,
    )
    engine = make_engine()
    first = engine.run("heal")
    assert first.final_status == "failed"
    flag.write_text("ok")
    counter.write_text("")
    second = engine.rerun(first.run_id, from_failed=True)
    assert second.final_status == "succeeded"
    assert second.values["notify"] == "loaded 90"
    assert counter.read_text().split() == ["load", "notify"]
    tasks = task_map(engine, second.run_id)
    assert tasks["extract"]["reused"] == 1 and tasks["transform"]["reused"] == 1
    assert tasks["load"]["reused"] == 0 and tasks["load"]["status"] == "succeeded"
    run = get_run_row(engine.store.db, second.run_id)
    assert run["parent_run_id"] == first.run_id and run["trigger"] == "rerun-failed"


def test_print_and_logging_land_in_the_task_log(project, make_engine) -> None:
    project.write(
        "talk.py",
        """
        import logging
        from console import Pipeline
        p = Pipeline("talk")

        @p.task
        def speak(ctx):
            print("hello from print")
            print("partial", end="")
            ctx.logger.info("rows=%d", 42)
            logging.getLogger("mylib").warning("library warning")
            return 1

        @p.task
        def quiet():
            return 2
    """,
    )
    engine = make_engine()
    runner = engine.run("talk")
    log = engine.store.log_path(runner.run_id, "speak").read_text().splitlines()
    text = "\n".join(log)
    assert "hello from print" in text and "rows=42" in text
    assert "WARNING mylib: library warning" in text and "partial" in text
    assert task_map(engine, runner.run_id)["speak"]["log_lines"] == len(log)
    assert not engine.store.log_path(runner.run_id, "quiet").exists()


def test_unstorable_result_fails_the_task_with_a_clear_message(project, make_engine) -> None:
    project.write(
        "lock.py",
        """
        import threading
        from console import Pipeline
        p = Pipeline("lock")

        @p.task
        def make_lock():
            return threading.Lock()
    """,
    )
    engine = make_engine()
    runner = engine.run("lock")
    task = task_map(engine, runner.run_id)["make_lock"]
    assert runner.final_status == "failed"
    assert "cannot be stored" in task["error"] and "lock" in task["error"]


def test_large_results_become_verified_artifact_files(project, make_engine) -> None:
    project.write(
        "big.py",
        """
        from console import Pipeline
        p = Pipeline("big")

        @p.task
        def blob():
            return b"x" * 200_000

        @p.task
        def small():
            return {"a": 1}
    """,
    )
    engine = make_engine()
    runner = engine.run("big")
    tasks = task_map(engine, runner.run_id)
    big_key, small_key = tasks["blob"]["result_key"], tasks["small"]["result_key"]
    assert engine.store.artifacts.exists(big_key)
    assert not engine.store.artifacts.exists(small_key)
    assert results.load(engine.store, big_key) == b"x" * 200_000
    assert results.load(engine.store, small_key) == {"a": 1}


def test_listener_that_raises_never_breaks_the_run(project, make_engine) -> None:
    project.write(
        "one.py",
        """
        from console import Pipeline
        p = Pipeline("one")

        @p.task
        def a():
            return 1
    """,
    )
    engine = make_engine()
    seen: list[str] = []
    lock = threading.Lock()

    def bad(event):
        raise RuntimeError("listener bug")

    def good(event):
        with lock:
            seen.append(event["kind"])

    engine.subscribe(bad)
    engine.subscribe(good)
    runner = engine.run("one")
    assert runner.final_status == "succeeded"
    assert seen[0] == "run.created" and seen[-1] == "run.finished"


def test_events_have_increasing_sequence_numbers(project, make_engine) -> None:
    project.write(
        "one.py",
        """
        from console import Pipeline
        p = Pipeline("one")

        @p.task
        def a():
            return 1

        @p.task
        def b(a):
            return 2
    """,
    )
    engine = make_engine()
    engine.run("one")
    engine.run("one")
    rows = engine.store.db.query("SELECT seq, kind, run_id FROM events ORDER BY seq")
    seqs = [r["seq"] for r in rows]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    kinds = [r["kind"] for r in rows if r["run_id"] == 1]
    assert kinds[0] == "run.created" and kinds[-1] == "run.finished"
    assert kinds.count("task.finished") == 2
