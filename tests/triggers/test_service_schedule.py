"""The service's schedules, stepped with a fixed clock: first sight, catch-up both ways, max_concurrent."""

from __future__ import annotations

import itertools
import json

from trigger_helpers import T0, runs_of, write

from console.store.runs import create_run

EVERY_10M = """
from console import Pipeline

p = Pipeline("every10", schedule="every 10m", catchup={catchup}, max_concurrent={limit},
             params={{"interval_start": "", "interval_end": ""}})

@p.task
def work(interval_start, interval_end):
    return [interval_start, interval_end]
"""

GATED = """
from console import Pipeline

p = Pipeline("slow", schedule="every 10m", max_concurrent={limit})

@p.task
def hold(ctx):
    while not (ctx.project_root / "gate").exists():
        ctx.sleep(0.02)
    return 1
"""


def params(run: dict) -> dict:
    return json.loads(run["params"])


def test_first_sight_waits_for_the_next_tick_then_runs_with_its_interval(
    utc_project, make_service, clock
) -> None:
    write(utc_project, "every10.py", EVERY_10M.format(catchup=False, limit=1))
    svc = make_service()
    made = svc.tick(T0 + 5)
    assert any("first run at 00:10:00" in d.message for d in made)
    assert runs_of(svc.engine) == []
    assert svc.tick(T0 + 599) == []
    made = svc.tick(clock.advance(600))
    assert [d.source for d in made] == ["schedule"] and "-> run 1" in made[0].message
    assert svc.wait_runs(10)
    [run] = runs_of(svc.engine)
    assert run["trigger"] == "schedule" and run["status"] == "succeeded"
    assert params(run) == {
        "interval_start": "2026-01-01T00:00:00+00:00",
        "interval_end": "2026-01-01T00:10:00+00:00",
    }


def test_after_downtime_catchup_false_runs_once_not_a_flood(
    utc_project, make_service, make_engine, clock
) -> None:
    write(utc_project, "every10.py", EVERY_10M.format(catchup=False, limit=1))
    first = make_service()
    first.tick(T0 + 5)
    first.stop()
    clock.t = T0 + 8 * 3600 + 300  # stopped for 8 hours: 48 ticks missed
    restarted = make_service(make_engine())  # a new process: state comes from the store
    made = restarted.tick()
    assert len([d for d in made if d.run_id]) == 1
    assert "47 missed tick(s) folded into this run (catchup=False)" in made[-1].message
    assert restarted.wait_runs(10)
    restarted.tick(clock.advance(60))
    [run] = runs_of(restarted.engine)
    assert params(run)["interval_end"] == "2026-01-01T08:00:00+00:00"


def test_after_downtime_catchup_true_runs_each_missed_tick_one_slot_at_a_time(
    utc_project, make_service, make_engine, clock
) -> None:
    write(utc_project, "every10.py", EVERY_10M.format(catchup=True, limit=1))
    make_service().tick(T0 + 5)
    clock.t = T0 + 35 * 60  # 3 ticks missed: 00:10, 00:20, 00:30
    svc = make_service(make_engine())
    for _ in range(6):
        svc.tick()
        assert svc.wait_runs(10)
    runs = runs_of(svc.engine)
    assert [params(r)["interval_end"][11:16] for r in runs] == ["00:10", "00:20", "00:30"]
    assert all(r["status"] == "succeeded" for r in runs)
    for earlier, later in itertools.pairwise(runs):
        assert later["started_at"] >= earlier["ended_at"]  # max_concurrent=1: never overlapping


def test_catchup_is_capped_and_says_how_many_it_skipped(
    utc_project, make_service, make_engine, clock
) -> None:
    write(utc_project, "every10.py", EVERY_10M.format(catchup=True, limit=10))
    make_service().tick(T0 + 5)
    clock.t = T0 + 8 * 3600 + 300
    svc = make_service(make_engine(), max_catchup=5)
    made = svc.tick()
    assert any("catching up the newest 5 missed tick(s); 43 older skipped" in d.message for d in made)
    assert svc.wait_runs(10)
    svc.tick(clock.advance(1))
    ends = [params(r)["interval_end"][11:16] for r in runs_of(svc.engine)]
    assert ends == ["07:20", "07:30", "07:40", "07:50", "08:00"]


def test_max_concurrent_1_makes_a_due_tick_wait_for_the_running_one(utc_project, make_service) -> None:
    write(utc_project, "slow.py", GATED.format(limit=1))
    svc = make_service()
    svc.tick(T0 + 5)
    svc.tick(T0 + 600)
    made = svc.tick(T0 + 1200)
    assert any("1 run(s) still active (max_concurrent=1); waiting" in d.message for d in made)
    assert svc.tick(T0 + 1201) == []  # said once per tick
    svc.tick(T0 + 1800)
    assert len(runs_of(svc.engine)) == 1
    (utc_project.root / "gate").touch()
    assert svc.wait_runs(10)
    svc.tick(T0 + 1805)  # free again: the two waiting ticks become one run
    assert svc.wait_runs(10)
    first, second = runs_of(svc.engine)
    assert second["started_at"] >= first["ended_at"]
    assert [first["status"], second["status"]] == ["succeeded", "succeeded"]


def test_max_concurrent_2_allows_two_overlapping_runs(utc_project, make_service) -> None:
    write(utc_project, "slow.py", GATED.format(limit=2))
    svc = make_service()
    svc.tick(T0 + 5)
    svc.tick(T0 + 600)
    svc.tick(T0 + 1200)
    made = svc.tick(T0 + 1800)
    assert any("2 run(s) still active (max_concurrent=2)" in d.message for d in made)
    assert len(svc.running()) == 2
    (utc_project.root / "gate").touch()
    assert svc.wait_runs(10)


def test_a_run_of_another_process_counts_against_max_concurrent(utc_project, make_service) -> None:
    write(utc_project, "slow.py", GATED.format(limit=1))
    svc = make_service()
    svc.tick(T0 + 5)
    db = svc.engine.store.db
    run_id = create_run(db, "slow", trigger="manual", params={}, tasks=[("hold", [])])
    db.execute("UPDATE runs SET status='running', host='another-host', pid=1 WHERE id=?", (run_id,))
    made = svc.tick(T0 + 600)
    assert any("waiting" in d.message for d in made)
    assert svc.running() == []
    db.execute("UPDATE runs SET status='succeeded' WHERE id=?", (run_id,))
    (utc_project.root / "gate").touch()
    svc.tick(T0 + 601)
    assert svc.wait_runs(10)
    assert [r["trigger"] for r in runs_of(svc.engine)] == ["manual", "schedule"]


def test_a_bad_schedule_is_reported_and_the_rest_keeps_working(utc_project, make_service) -> None:
    write(utc_project, "every10.py", EVERY_10M.format(catchup=False, limit=1))
    write(
        utc_project,
        "bad.py",
        """
        from console import Pipeline
        p = Pipeline("bad_schedule", schedule="every 10 parsecs")
        @p.task
        def t():
            return 1
        """,
    )
    svc = make_service()
    made = svc.tick(T0 + 5)
    assert "unknown unit 'parsecs'" in svc.problems["bad_schedule"]
    assert any(d.pipeline == "bad_schedule" and "parsecs" in d.message for d in made)
    svc.tick(T0 + 600)
    assert svc.wait_runs(10)
    assert [r["pipeline"] for r in runs_of(svc.engine)] == ["every10"]
