"""Hot reload: an edited pipeline file is re-imported; a broken one is reported with file:line."""

from __future__ import annotations

import time

from trigger_helpers import T0, wait_until, write

V1 = """
from console import Pipeline

p = Pipeline("hot")

@p.task
def value(ctx):
    while not (ctx.project_root / "gate").exists():
        ctx.sleep(0.02)
    return "v1"
"""

BROKEN = """
from console import Pipeline

p = Pipeline("hot")
@p.task
def value(:
    return "oops"
"""

V2 = """
from console import Pipeline

p = Pipeline("hot", schedule="every 10m")

@p.task
def value():
    return "v2"
"""

OTHER = """
from console import Pipeline

p = Pipeline("other")

@p.task
def one():
    return 1
"""


def broken_of(catalog, name):
    return [b for b in catalog.broken if b.name == name]


def test_syntax_error_marks_it_broken_fix_restores_it_and_a_running_run_keeps_old_code(
    utc_project, make_service
) -> None:
    path = write(utc_project, "hot.py", V1)
    write(utc_project, "other.py", OTHER)
    svc = make_service()
    svc.tick(T0)
    engine = svc.engine
    old_run = engine.start("hot")  # in progress on the v1 code, waiting at the gate

    path.write_text(BROKEN)
    svc.changed([path])
    svc.tick(T0 + 0.1)
    assert "hot" in engine.catalog.pipelines  # still quiet for less than 0.2 s: not reloaded yet
    made = svc.tick(T0 + 0.5)
    [broken] = broken_of(engine.catalog, "hot")
    assert broken.line == 6 and "SyntaxError" in broken.error and broken.file.endswith("hot.py")
    assert any("pipelines/hot.py:6: broken: SyntaxError" in d.message for d in made)
    assert "hot" not in engine.catalog.pipelines
    assert engine.run("other").final_status == "succeeded"  # the others keep working

    path.write_text(V2)
    svc.changed([path])
    made = svc.tick(T0 + 1)
    made += svc.tick(T0 + 1.5)
    assert any("pipelines/hot.py reloaded: hot" in d.message for d in made)
    assert any("hot every 10m: first run at" in d.message for d in made)  # its new schedule is live
    assert broken_of(engine.catalog, "hot") == [] and "hot" in engine.catalog.pipelines

    (utc_project.root / "gate").touch()
    wait_until(lambda: old_run.final_status)
    assert old_run.final_status == "succeeded" and old_run.values["value"] == "v1"
    new_run = engine.run("hot")
    assert new_run.values["value"] == "v2"


def test_an_unchanged_save_does_not_reload_and_a_deleted_file_disappears(utc_project, make_service) -> None:
    path = write(utc_project, "other.py", OTHER)
    svc = make_service()
    svc.tick(T0)
    before = svc.catalog.pipelines["other"]
    path.touch()
    svc.changed([path])
    assert svc.tick(T0 + 1) == [] and svc.tick(T0 + 1.5) == []
    assert svc.catalog.pipelines["other"] is before
    path.unlink()
    svc.changed([path])
    made = svc.tick(T0 + 2) + svc.tick(T0 + 2.5)
    assert any("pipelines/other.py deleted; removed other" in d.message for d in made)
    assert "other" not in svc.catalog.pipelines


def test_with_the_real_watcher_edits_are_picked_up_while_the_service_runs(utc_project, make_service) -> None:
    path = write(utc_project, "hot.py", V2)
    svc = make_service(clock=time.time).start(watch=True)
    wait_until(lambda: svc.loaded and svc._watcher is not None and svc._watcher.alive())
    time.sleep(0.3)
    path.write_text(BROKEN)
    wait_until(lambda: broken_of(svc.catalog, "hot"), timeout=10)
    assert broken_of(svc.catalog, "hot")[0].line == 6
    path.write_text(V2.replace('"v2"', '"v3"'))
    wait_until(lambda: "hot" in svc.catalog.pipelines, timeout=10)
    assert svc.engine.run("hot").values["value"] == "v3"
