"""Paused pipelines in the service: nothing fires while paused (seen within one tick), and resume
follows the pipeline's catchup policy for the ticks missed meanwhile."""

from __future__ import annotations

import pytest
from trigger_helpers import T0, runs_of, write

from console.store.pauses import pause, paused_names, resume

EVERY_10M = """
from console import Pipeline

p = Pipeline("every10", schedule="every 10m", catchup={catchup}, max_concurrent=0)

@p.task
def work():
    return 1
"""


@pytest.mark.parametrize(("catchup", "expected"), [(False, 1), (True, 3)])
def test_paused_schedule_does_not_fire_and_resume_applies_catchup(
    utc_project, make_service, clock, catchup, expected
) -> None:
    write(utc_project, "every10.py", EVERY_10M.format(catchup=catchup))
    svc = make_service()
    svc.tick(T0 + 5)
    db = svc.engine.store.db
    pause(db, ["every10"])
    made = svc.tick(T0 + 10)
    assert any("every10 paused" in d.message for d in made)
    for minutes in (10, 20, 30):
        svc.tick(T0 + minutes * 60 + 1)
    svc.wait_runs()
    assert runs_of(svc.engine) == []
    resume(db, ["every10"])
    made = svc.tick(T0 + 30 * 60 + 2)
    assert any("every10 resumed" in d.message for d in made)
    svc.wait_runs()
    assert len(runs_of(svc.engine, "every10")) == expected


def test_paused_state_survives_a_new_service(utc_project, make_service, make_engine) -> None:
    write(utc_project, "every10.py", EVERY_10M.format(catchup=False))
    svc = make_service()
    svc.tick(T0 + 5)
    pause(svc.engine.store.db, ["every10"])
    svc.stop()
    again = make_service(make_engine())
    assert paused_names(again.engine.store.db) == {"every10"}
    again.tick(T0 + 5)
    again.tick(T0 + 601)
    again.wait_runs()
    assert runs_of(again.engine) == []


def test_monitors_of_a_paused_pipeline_module_are_skipped(utc_project, make_service) -> None:
    from console.triggers.pausing import PauseGate

    write(utc_project, "every10.py", EVERY_10M.format(catchup=False))
    svc = make_service()
    svc.load()

    class Mon:
        name = "drift_watch"

    mon, lone = Mon(), type("Lone", (), {"name": "lone"})()
    modules = {"m": type("M", (), {"pipelines": list(svc.catalog.pipelines.values()), "monitors": [mon]})(),
               "n": type("M", (), {"pipelines": [], "monitors": [lone]})()}
    gate = PauseGate(svc.engine.store.db, lambda *a: None)
    pause(svc.engine.store.db, ["every10"])
    gate.read()
    assert gate.monitors([mon, lone], modules) == [lone]
    pause(svc.engine.store.db, ["lone"])
    gate.read()
    assert gate.monitors([mon, lone], modules) == []


def test_the_running_service_notifies_off_the_run_thread(utc_project, make_service) -> None:
    import threading

    from trigger_helpers import wait_until

    from console.store.notifications import list_notifications

    (utc_project.root / "opsconsole.toml").write_text('timezone = "UTC"\n[notify]\n"run.failed" = ["json://127.0.0.1:9/x"]\n')
    write(utc_project, "bad.py", """
        from console import Pipeline
        p = Pipeline("bad")

        @p.task
        def boom():
            raise RuntimeError("no")
    """)
    svc = make_service()
    threads: list[str] = []
    svc.notifier.send = lambda url, title, body: threads.append(threading.current_thread().name)
    svc.notifier.step_s = 0.05
    svc.start(watch=False)
    runner = svc.engine.run("bad")
    assert runner.final_status == "failed"
    wait_until(lambda: threads)
    assert threads == ["opsconsole-notifier"]
    wait_until(lambda: [r["status"] for r in list_notifications(svc.engine.store.db)] == ["sent"])
