"""gc: old runs' logs, outputs, events and results go; model-referenced and shared artifacts stay."""

from __future__ import annotations

import time

from trigger_helpers import write

from console.store.runs import get_tasks
from console.triggers.gc import collect_garbage

GEN = """
from console import Pipeline

p = Pipeline("gen", params={"seed": 0})

@p.task
def big(seed, ctx):
    print(f"making big {seed}")
    return bytes([seed % 256]) * 100_000  # large: an artifact file

@p.task
def shared():
    return b"s" * 100_000  # the same bytes in every run

@p.task
def saved(seed, ctx):
    path = ctx.artifact_path("model.bin")
    path.write_bytes(f"model {seed}".encode() * 1000)
    return ctx.save_artifact(path)
"""

DAY = 86400


def keys(engine, run_id):
    return {t["name"]: t["result_key"] for t in get_tasks(engine.store.db, run_id)}


def test_gc_prunes_old_runs_and_keeps_what_models_and_newer_runs_reference(utc_project, make_engine) -> None:
    write(utc_project, "gen.py", GEN)
    engine = make_engine()
    store = engine.store
    runs = [engine.run("gen", {"seed": seed}) for seed in (1, 2, 3)]
    store.writer.flush()
    ids = [r.run_id for r in runs]
    big = {rid: keys(engine, rid)["big"] for rid in ids}
    shared = keys(engine, ids[0])["shared"]
    saved = {r.run_id: r.values["saved"] for r in runs}
    old = time.time() - 40 * DAY
    store.db.execute(
        "UPDATE runs SET created_at=?, started_at=?, ended_at=? WHERE id IN (?, ?)", (old, old, old, *ids[:2])
    )
    store.db.execute(
        "INSERT INTO model_versions (name, version, created_at, sha256, size, run_id) VALUES ('m', 1, ?, ?, 10, ?)",
        (old, saved[ids[1]], ids[1]),
    )
    for rid in ids:
        assert store.log_path(rid, "big").exists() and (store.runs_dir / str(rid)).is_dir()

    dry = collect_garbage(store, 30, dry_run=True)
    assert dry.dry_run and dry.runs == ids[:2]
    assert dry.artifacts == 3  # big 1, big 2, run 1's saved file
    assert dry.kept_for_models == 1 and dry.kept_for_runs == 1
    assert store.log_path(ids[0], "big").exists() and store.artifacts.exists(big[ids[0]])  # nothing deleted

    report = collect_garbage(store, 30)
    assert not report.dry_run and report.runs == ids[:2]
    assert (
        report.freed_bytes >= 200_000 and report.events > 0 and report.results == 4
    )  # big and saved of runs 1 and 2
    for rid in ids[:2]:
        assert not (store.logs_dir / str(rid)).exists() and not (store.runs_dir / str(rid)).exists()
        assert not store.artifacts.exists(big[rid])
        assert store.db.query_one("SELECT count(*) FROM events WHERE run_id=?", (rid,))[0] == 0
        assert all(k is None for k in keys(engine, rid).values())
    assert not store.artifacts.exists(saved[ids[0]])
    assert store.artifacts.exists(saved[ids[1]])  # referenced by model version m v1
    assert store.artifacts.exists(shared)  # run 3 still uses the same result
    assert store.artifacts.exists(big[ids[2]]) and store.artifacts.exists(saved[ids[2]])
    assert store.log_path(ids[2], "big").exists()
    assert store.db.query_one("SELECT count(*) FROM runs")[0] == 3  # history stays
    assert collect_garbage(store, 30).runs == []  # nothing left to free


def test_gc_command_dry_run_and_json(utc_project) -> None:
    write(utc_project, "gen.py", GEN)
    utc_project.cli("run", "gen", check=0)
    dry = utc_project.cli("gc", "--keep-days", "0", "--dry-run")
    assert dry.returncode == 0 and "would free" in dry.stdout and "dry run: nothing deleted" in dry.stdout
    report = utc_project.cli_json("gc", "--keep-days", "0")
    assert report["runs"] == [1] and report["freed_bytes"] > 100_000
    assert utc_project.cli("gc", "--keep-days", "-1").returncode == 2
