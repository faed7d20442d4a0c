"""File arrival: a run per new or changed file, with its path; never a half-written file."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from trigger_helpers import T0, runs_of, wait_until, write

from console.store.runs import get_tasks
from console.triggers.files import glob_regex, is_ignored, watch_base

INGEST = """
from console import Pipeline

p = Pipeline("ingest", params={"path": ""}, watch="incoming/*.csv", max_concurrent=0)

@p.task
def read(path):
    with open(path) as fh:
        return fh.read()
"""


@pytest.fixture
def incoming(utc_project):
    folder = utc_project.root / "incoming"
    folder.mkdir()
    write(utc_project, "ingest.py", INGEST)
    return folder


def result_of(engine, run_id):
    from console.store import results

    [task] = get_tasks(engine.store.db, run_id)
    return results.load(engine.store, task["result_key"])


def test_globs_and_ignored_names() -> None:
    assert glob_regex("incoming/*.csv").match("incoming/a.csv")
    assert not glob_regex("incoming/*.csv").match("incoming/sub/a.csv")
    assert glob_regex("data/**/*.csv").match("data/a/b/c.csv")
    assert glob_regex("data/**/*.csv").match("data/c.csv")
    assert glob_regex("in/[ab]?.txt").match("in/a1.txt") and not glob_regex("in/[ab]?.txt").match("in/c1.txt")
    assert is_ignored("a.csv.part") and is_ignored(".a.csv") and is_ignored("a.csv.tmp")
    assert not is_ignored("a.csv")
    assert watch_base(Path("/p"), "assets/incoming/*.csv") == Path("/p/assets/incoming")
    assert watch_base(Path("/p"), "data/*/x.csv") == Path("/p/data")


def test_a_landed_file_starts_a_run_with_its_path_once_it_settles(incoming, make_service) -> None:
    svc = make_service()
    svc.tick(T0)
    path = incoming / "a.csv"
    path.write_text("x,y\n1,2\n")
    svc.changed([path])
    made = svc.tick(T0 + 0.1)
    assert any("incoming/a.csv arrived; waiting for it to settle" in d.message for d in made)
    assert svc.tick(T0 + 0.3) == []  # not stable for 0.5 s yet
    made = svc.tick(T0 + 0.7)
    assert [d.run_id for d in made if d.run_id] == [1]
    assert "incoming/a.csv landed (8 bytes) -> run 1" in made[0].message
    assert svc.wait_runs(10)
    [run] = runs_of(svc.engine)
    assert run["trigger"] == "file" and run["status"] == "succeeded"
    assert json.loads(run["params"]) == {"path": str(path.resolve())}
    assert result_of(svc.engine, 1) == "x,y\n1,2\n"
    svc.tick(T0 + 5)
    assert len(runs_of(svc.engine)) == 1  # one run per version of a file


def test_a_part_file_is_ignored_until_renamed(incoming, make_service) -> None:
    svc = make_service()
    svc.tick(T0)
    part = incoming / "b.csv.part"
    part.write_text("half")
    svc.changed([part])
    svc.tick(T0 + 0.1)
    svc.tick(T0 + 2)
    assert runs_of(svc.engine) == []
    part.write_text("half and the rest\n")
    final = incoming / "b.csv"
    part.rename(final)
    svc.changed([part, final])
    svc.tick(T0 + 2.1)
    made = svc.tick(T0 + 2.7)
    assert any(d.run_id == 1 for d in made)
    assert svc.wait_runs(10)
    assert result_of(svc.engine, 1) == "half and the rest\n"


def test_a_file_still_growing_is_not_picked_up_until_stable(incoming, make_service) -> None:
    svc = make_service()
    svc.tick(T0)
    path = incoming / "c.csv"
    path.write_text("a\n")
    svc.changed([path])
    svc.tick(T0 + 0.1)
    with open(path, "a") as fh:  # the writer is still going
        fh.write("b\n")
    svc.changed([path])
    svc.tick(T0 + 0.5)  # size changed: wait 0.5 s from here
    assert svc.tick(T0 + 0.9) == [] and runs_of(svc.engine) == []
    made = svc.tick(T0 + 1.05)
    assert any(d.run_id == 1 for d in made)
    assert svc.wait_runs(10)
    assert result_of(svc.engine, 1) == "a\nb\n"


def test_restart_runs_files_that_landed_while_stopped_and_not_the_old_ones(
    incoming, make_service, make_engine
) -> None:
    (incoming / "before.csv").write_text("there before the first start\n")
    first = make_service()
    made = first.tick(T0)
    assert any("1 file(s) already there taken as processed" in d.message for d in made)
    (incoming / "d.csv").write_text("d\n")
    first.changed([incoming / "d.csv"])
    first.tick(T0 + 0.1)
    first.tick(T0 + 1)
    assert first.wait_runs(10)
    first.stop()
    (incoming / "e.csv").write_text("landed while the service was down\n")
    restarted = make_service(make_engine())
    restarted.tick(T0 + 100)  # the start-up rescan notices e.csv (d.csv was done)
    restarted.tick(T0 + 101)
    assert restarted.wait_runs(10)
    names = [os.path.basename(json.loads(r["params"])["path"]) for r in runs_of(restarted.engine)]
    assert names == ["d.csv", "e.csv"]
    # a rewritten file is a new version: it runs again
    os.utime(incoming / "d.csv", ns=(time.time_ns(), time.time_ns() + 5_000_000_000))
    restarted.changed([incoming / "d.csv"])
    restarted.tick(T0 + 102)
    restarted.tick(T0 + 103)
    assert restarted.wait_runs(10)
    assert len(runs_of(restarted.engine)) == 3


def test_a_watch_pipeline_without_a_path_param_is_reported_not_watched(utc_project, make_service) -> None:
    (utc_project.root / "incoming").mkdir()
    write(
        utc_project,
        "nopath.py",
        """
        from console import Pipeline
        p = Pipeline("nopath", watch="incoming/*.csv")
        @p.task
        def t():
            return 1
        """,
    )
    svc = make_service()
    svc.tick(T0)
    assert "needs a 'path' param" in svc.problems["nopath"]
    (utc_project.root / "incoming" / "a.csv").write_text("1\n")
    svc.changed([utc_project.root / "incoming" / "a.csv"])
    svc.tick(T0 + 1)
    svc.tick(T0 + 2)
    assert runs_of(svc.engine) == []


def test_with_the_real_watcher_a_renamed_part_file_starts_a_run(incoming, make_service) -> None:
    svc = make_service(clock=time.time, rescan_every_s=3600).start(watch=True)
    wait_until(lambda: svc.loaded and svc._watcher is not None and svc._watcher.alive())
    time.sleep(0.3)  # let inotify settle
    part = incoming / "live.csv.part"
    part.write_text("1,2,3\n")
    time.sleep(1.2)
    assert runs_of(svc.engine) == []  # a .part file is never picked up
    part.rename(incoming / "live.csv")
    run = wait_until(lambda: runs_of(svc.engine), timeout=10)[0]
    assert json.loads(run["params"])["path"].endswith("incoming/live.csv")
    assert svc.wait_runs(10)


def test_a_file_that_lands_while_paused_runs_on_resume(incoming, make_service) -> None:
    from console.store.pauses import pause, resume

    svc = make_service()
    svc.tick(T0)
    pause(svc.engine.store.db, ["ingest"])
    path = incoming / "late.csv"
    path.write_text("x\n1\n")
    svc.changed([path])
    svc.tick(T0 + 0.1)
    svc.tick(T0 + 0.7)
    svc.tick(T0 + 5)
    svc.wait_runs(10)
    assert runs_of(svc.engine) == []
    resume(svc.engine.store.db, ["ingest"])
    made = svc.tick(T0 + 6)
    assert any("late.csv landed" in d.message for d in made)
    assert svc.wait_runs(10)
    assert [r["trigger"] for r in runs_of(svc.engine)] == ["file"]
