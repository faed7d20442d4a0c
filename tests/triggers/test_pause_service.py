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
