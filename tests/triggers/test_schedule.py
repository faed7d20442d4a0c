"""Schedules: cron and interval next-fire times in a time zone, and the missed-run policy."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from console.errors import ProjectError, UsageError
from console.triggers.schedule import due_ticks, parse_schedule, project_timezone

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")


def ts(text: str, tz=UTC) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=tz).timestamp()


def local(t: float, tz) -> str:
    return datetime.fromtimestamp(t, tz=tz).strftime("%Y-%m-%d %H:%M:%S")


def test_cron_every_15_minutes_fires_on_the_quarter_hours() -> None:
    s = parse_schedule("*/15 * * * *", PARIS)
    now = ts("2026-01-01T10:07:13", PARIS)
    assert local(s.next_after(now), PARIS) == "2026-01-01 10:15:00"
    assert local(s.latest(now), PARIS) == "2026-01-01 10:00:00"
    on_tick = ts("2026-01-01T10:15:00", PARIS)
    assert s.latest(on_tick) == on_tick  # a tick at exactly now is due now
    assert local(s.next_after(on_tick), PARIS) == "2026-01-01 10:30:00"
    assert local(s.previous(on_tick), PARIS) == "2026-01-01 10:00:00"


def test_cron_is_read_in_the_project_time_zone() -> None:
    now = ts("2026-01-15T12:00:00")  # 07:00 in New York (EST, UTC-5)
    ny = parse_schedule("0 9 * * *", NEW_YORK)
    utc = parse_schedule("0 9 * * *", UTC)
    assert datetime.fromtimestamp(ny.next_after(now), tz=UTC).isoformat() == "2026-01-15T14:00:00+00:00"
    assert datetime.fromtimestamp(utc.next_after(now), tz=UTC).isoformat() == "2026-01-16T09:00:00+00:00"
    # summer time: 09:00 in New York is 13:00 UTC
    summer = ts("2026-07-15T12:00:00")
    assert datetime.fromtimestamp(ny.next_after(summer), tz=UTC).hour == 13


def test_cron_across_the_spring_dst_gap_keeps_wall_clock_hours() -> None:
    s = parse_schedule("0 * * * *", PARIS)
    before = ts("2026-03-29T01:30:00", PARIS)  # clocks jump from 02:00 to 03:00
    nxt = s.next_after(before)
    assert nxt - before == 30 * 60  # the next real hour boundary, 03:00 CEST
    assert local(nxt, PARIS) == "2026-03-29 03:00:00"


@pytest.mark.parametrize(
    ("expr", "seconds"),
    [("every 30s", 30), ("every 10m", 600), ("every 2h", 7200), ("every 1d", 86400), ("every 1h30m", 5400)],
)
def test_intervals_parse_and_fire_on_aligned_ticks(expr: str, seconds: float) -> None:
    s = parse_schedule(expr, UTC)
    assert s.every_s == seconds
    now = ts("2026-01-01T10:07:13")
    nxt = s.next_after(now)
    assert 0 < nxt - now <= seconds
    assert s.next_after(nxt) - nxt == seconds
    assert s.latest(nxt) == nxt


def test_interval_ticks_are_anchored_in_the_project_zone() -> None:
    s = parse_schedule("every 2h", ZoneInfo("Asia/Kolkata"))  # UTC+05:30
    nxt = s.next_after(ts("2026-01-01T10:07:13", ZoneInfo("Asia/Kolkata")))
    assert local(nxt, ZoneInfo("Asia/Kolkata")) == "2026-01-01 12:00:00"
    assert parse_schedule("every 10m", UTC).next_after(ts("2026-01-01T10:07:13")) == ts("2026-01-01T10:10:00")


@pytest.mark.parametrize(
    ("expr", "fragment"),
    [
        ("every 10x", "unknown unit"),
        ("every", "every <number>"),
        ("61 * * * *", "not a cron"),
        ("", "expected"),
    ],
)
def test_bad_schedules_say_what_is_wrong(expr: str, fragment: str) -> None:
    with pytest.raises(UsageError, match=fragment):
        parse_schedule(expr, UTC)


def test_unknown_time_zone_is_a_project_error_and_unset_means_local() -> None:
    with pytest.raises(ProjectError, match="unknown time zone"):
        project_timezone("Mars/Olympus")
    assert project_timezone(None) is not None
    assert project_timezone("UTC") == ZoneInfo("UTC")


def test_missed_ticks_without_catchup_fold_into_one_run() -> None:
    s = parse_schedule("every 10m", UTC)
    last = ts("2026-01-01T00:00:00")
    now = ts("2026-01-01T08:05:00")  # 48 ticks missed
    ticks, folded = due_ticks(s, last, now, catchup=False, cap=20)
    assert ticks == [ts("2026-01-01T08:00:00")]
    assert folded == 47


def test_missed_ticks_with_catchup_run_each_up_to_the_cap() -> None:
    s = parse_schedule("every 10m", UTC)
    last = ts("2026-01-01T00:00:00")
    ticks, dropped = due_ticks(s, last, ts("2026-01-01T00:35:00"), catchup=True, cap=20)
    assert ticks == [ts("2026-01-01T00:10:00"), ts("2026-01-01T00:20:00"), ts("2026-01-01T00:30:00")]
    assert dropped == 0
    ticks, dropped = due_ticks(s, last, ts("2026-01-01T08:05:00"), catchup=True, cap=5)
    assert len(ticks) == 5 and ticks[-1] == ts("2026-01-01T08:00:00") and dropped == 43
    assert ticks == sorted(ticks)


def test_cron_catchup_walks_back_and_counts_what_it_drops() -> None:
    s = parse_schedule("0 * * * *", UTC)
    ticks, dropped = due_ticks(s, ts("2026-01-01T00:00:00"), ts("2026-01-02T00:30:00"), catchup=True, cap=3)
    assert ticks == [ts("2026-01-01T22:00:00"), ts("2026-01-01T23:00:00"), ts("2026-01-02T00:00:00")]
    assert dropped == 21
    assert due_ticks(s, ts("2026-01-01T00:00:00"), ts("2026-01-01T00:59:59"), catchup=True, cap=3) == ([], 0)


def test_ticks_from_covers_a_range_and_refuses_a_huge_one() -> None:
    s = parse_schedule("0 0 * * *", UTC)
    ticks = s.ticks_from(ts("2026-01-01T00:00:00"), ts("2026-02-01T00:00:00"), 1000)
    assert len(ticks) == 31 and ticks[0] == ts("2026-01-01T00:00:00")
    with pytest.raises(UsageError, match="more than 10 ticks"):
        s.ticks_from(ts("2026-01-01T00:00:00"), ts("2026-02-01T00:00:00"), 10)
