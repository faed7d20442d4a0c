"""Backfill: one run per schedule interval, with its interval params, one group key, a parallel limit."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

import pytest
from trigger_helpers import runs_of, write

from console.errors import UsageError
from console.triggers.backfill import plan_backfill, run_backfill

DAILY = """
import time
from console import Pipeline

p = Pipeline("daily", schedule="0 0 * * *", params={"interval_start": "", "interval_end": "", "tag": "x"})

@p.task
def work(interval_start, interval_end, tag):
    time.sleep(0.15)
    return [interval_start, interval_end, tag]
"""

PLAIN = """
from console import Pipeline

p = Pipeline("plain", schedule="every 1h", params={"day": ""})

@p.task
def work(day):
    return day
"""

UTC = ZoneInfo("UTC")


def max_overlap(runs: list[dict]) -> int:
    edges = sorted([(r["started_at"], 1) for r in runs] + [(r["ended_at"], -1) for r in runs])
    best = current = 0
    for _, step in edges:
        current += step
        best = max(best, current)
    return best


def test_a_month_of_a_daily_schedule_is_31_intervals(utc_project, make_engine) -> None:
    write(utc_project, "daily.py", DAILY)
    engine = make_engine()
    plan = plan_backfill(engine.pipeline("daily"), "2026-01-01", "2026-01-31", UTC)
    assert len(plan.intervals) == 31
    assert plan.group_key == "backfill:daily:2026-01-01..2026-01-31"
    assert (plan.intervals[0].start_iso, plan.intervals[0].end_iso) == (
        "2026-01-01T00:00:00+00:00",
        "2026-01-02T00:00:00+00:00",
    )
    assert plan.intervals[-1].end_iso == "2026-02-01T00:00:00+00:00"
    hourly = plan_backfill(
        engine.pipeline("daily"), "2026-01-01T06:00", "2026-01-01T09:00", UTC, schedule="every 1h"
    )
    assert [i.start_iso[11:16] for i in hourly.intervals] == ["06:00", "07:00", "08:00"]


def test_runs_get_their_interval_share_a_group_and_respect_max_parallel(utc_project, make_engine) -> None:
    write(utc_project, "daily.py", DAILY)
    engine = make_engine()
    plan = plan_backfill(engine.pipeline("daily"), "2026-01-01", "2026-01-06", UTC, params={"tag": "bf"})
    runners = run_backfill(engine, plan, max_parallel=2)
    assert [r.final_status for r in runners] == ["succeeded"] * 6
    runs = runs_of(engine)
    assert len(runs) == 6
    assert {r["trigger"] for r in runs} == {"backfill"}
    assert {r["group_key"] for r in runs} == {"backfill:daily:2026-01-01..2026-01-06"}
    starts = [json.loads(r["params"])["interval_start"][:10] for r in runs]
    assert starts == [f"2026-01-0{d}" for d in range(1, 7)]
    assert all(json.loads(r["params"])["tag"] == "bf" for r in runs)
    assert max_overlap(runs) == 2


def test_a_pipeline_without_interval_params_or_schedule_is_refused_clearly(utc_project, make_engine) -> None:
    write(utc_project, "plain.py", PLAIN)
    write(utc_project, "daily.py", DAILY)
    engine = make_engine()
    with pytest.raises(UsageError, match="must declare the params interval_start and interval_end"):
        plan_backfill(engine.pipeline("plain"), "2026-01-01", "2026-01-02", UTC)
    with pytest.raises(UsageError, match="is set per interval"):
        plan_backfill(engine.pipeline("daily"), "2026-01-01", "2026-01-02", UTC, params={"interval_end": "x"})
    with pytest.raises(UsageError, match="not after"):
        plan_backfill(engine.pipeline("daily"), "2026-01-05", "2026-01-01T00:00", UTC)
    with pytest.raises(UsageError, match="expected a date"):
        plan_backfill(engine.pipeline("daily"), "yesterday", "2026-01-01", UTC)
    assert runs_of(engine) == []


def test_backfill_command_runs_the_range_and_reports_json(utc_project) -> None:
    write(utc_project, "daily.py", DAILY.replace("time.sleep(0.15)", "pass"))
    write(utc_project, "plain.py", PLAIN)
    proc = utc_project.cli(
        "backfill", "daily", "--start", "2026-01-01", "--end", "2026-01-03", "--max-parallel", "2", "--json"
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["group"] == "backfill:daily:2026-01-01..2026-01-03"
    assert out["summary"] == {"succeeded": 3}
    assert [r["params"]["interval_start"][:10] for r in out["runs"]] == [
        "2026-01-01",
        "2026-01-02",
        "2026-01-03",
    ]
    assert {r["trigger"] for r in out["runs"]} == {"backfill"}
    bad = utc_project.cli("backfill", "plain", "--start", "2026-01-01", "--end", "2026-01-03")
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and "interval_start and interval_end" in bad.stderr
    dry = utc_project.cli("backfill", "daily", "--start", "2026-01-01", "--end", "2026-01-02", "--dry-run")
    assert dry.returncode == 0 and "2 interval(s)" in dry.stdout
