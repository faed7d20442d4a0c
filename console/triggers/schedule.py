"""Schedules: cron expressions and fixed intervals, in the project's time zone.

Two forms are accepted in ``Pipeline(schedule=...)``:

- cron, parsed by croniter: ``"*/15 * * * *"``, ``"0 6 * * 1-5"``, ``"@daily"``; evaluated
  in the project's time zone (``timezone = "Europe/Paris"`` in the config; the machine's
  local zone when unset), so ``"0 6 * * *"`` is 06:00 on the wall clock, DST included.
- intervals: ``"every 30s"``, ``"every 10m"``, ``"every 2h"``, ``"every 1d"``, ``"every 1h30m"``;
  a fixed period anchored at 2000-01-01 00:00 in the project's time zone, so ``every 10m``
  fires at :00, :10, :20 and ``every 2h`` at even hours (a fixed period drifts an hour
  against the wall clock across DST; use cron for wall-clock times).

Times are epoch seconds (floats) everywhere outside this module: that is what the service's
injectable clock returns and what ``triggers_state`` stores.

A tick at time ``t`` stands for the interval ``[previous(t), t)`` that just ended (Airflow's
data interval), which is what ``interval_start``/``interval_end`` params receive.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from console.errors import ProjectError, UsageError

EVERY_RE = re.compile(r"^\s*every\s+(?P<body>(?:\d+(?:\.\d+)?\s*[a-z]+\s*)+)$", re.IGNORECASE)
PART_RE = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]+)", re.IGNORECASE)
UNITS = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), 1),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 60),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 3600),
    **dict.fromkeys(("d", "day", "days"), 86400),
    **dict.fromkeys(("w", "week", "weeks"), 7 * 86400),
}
ANCHOR = datetime(2000, 1, 1)
MIN_INTERVAL_S = 1.0
COUNT_LIMIT = 10_000  # how far a cron schedule is walked to count missed ticks


def local_timezone() -> tzinfo:
    """The machine's zone with its DST rules (``TZ``, else ``/etc/localtime``, else a fixed offset)."""
    key = os.environ.get("TZ", "").lstrip(":")
    if key:
        try:
            return ZoneInfo(key)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    try:
        with open("/etc/localtime", "rb") as fh:
            return ZoneInfo.from_file(fh, key="localtime")
    except (OSError, ValueError):
        pass
    return datetime.now().astimezone().tzinfo or UTC


def project_timezone(name: str | None) -> tzinfo:
    """``Project.timezone`` as a zone; the local zone when unset."""
    if not name:
        return local_timezone()
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ProjectError(
            f"timezone {name!r}: unknown time zone (use an IANA name such as 'Europe/Paris' or 'UTC')"
        ) from exc


def parse_every(expr: str) -> float | None:
    """Seconds of ``"every 10m"``-style text, None when ``expr`` is not of that form."""
    match = EVERY_RE.match(expr)
    if not match:
        return None
    total = 0.0
    for number, unit in PART_RE.findall(match.group("body")):
        factor = UNITS.get(unit.lower())
        if factor is None:
            raise UsageError(f"schedule {expr!r}: unknown unit {unit!r} (use s, m, h, d or w)")
        total += float(number) * factor
    if total < MIN_INTERVAL_S:
        raise UsageError(f"schedule {expr!r}: the interval must be at least {MIN_INTERVAL_S:g}s")
    return total


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule: ``every_s`` for intervals, ``cron`` for cron expressions."""

    expr: str
    tz: tzinfo
    every_s: float | None = None
    cron: str | None = None

    def describe(self) -> str:
        return self.expr.strip()

    # -- tick arithmetic (epoch seconds) ---------------------------------------------------
    def _anchor(self) -> float:
        return ANCHOR.replace(tzinfo=self.tz).timestamp()

    def _dt(self, t: float) -> datetime:
        return datetime.fromtimestamp(t, tz=self.tz)

    def _croniter(self, start: datetime) -> Any:
        from croniter import croniter  # type: ignore[import-untyped]

        return croniter(self.cron, start)

    def latest(self, t: float) -> float:
        """The newest tick at or before ``t``."""
        if self.every_s is not None:
            anchor = self._anchor()
            return anchor + math.floor((t - anchor) / self.every_s) * self.every_s
        it = self._croniter(self._dt(t) + timedelta(microseconds=1))
        return float(it.get_prev(datetime).timestamp())

    def next_after(self, t: float) -> float:
        """The first tick strictly after ``t``."""
        if self.every_s is not None:
            return self.latest(t) + self.every_s
        return float(self._croniter(self._dt(t)).get_next(datetime).timestamp())

    def previous(self, tick: float) -> float:
        """The tick before ``tick`` (the start of the interval that ``tick`` ends)."""
        if self.every_s is not None:
            return self.latest(tick) - self.every_s
        return float(self._croniter(self._dt(tick)).get_prev(datetime).timestamp())

    def ticks_between(self, after: float, until: float, limit: int) -> tuple[list[float], int | None]:
        """Ticks in ``(after, until]``: the newest ``limit`` of them (oldest first) and how many
        older ones were left out (None: some, not counted because the walk was too long)."""
        if until <= after or limit <= 0:
            return [], 0
        last = self.latest(until)
        if last <= after:
            return [], 0
        if self.every_s is not None:
            total = round((last - self.latest(after)) / self.every_s)
            keep = min(total, limit)
            return [last - i * self.every_s for i in range(keep - 1, -1, -1)], total - keep
        newest_first = [last]
        it = self._croniter(self._dt(last))
        while len(newest_first) < limit:
            tick = float(it.get_prev(datetime).timestamp())
            if tick <= after:
                return newest_first[::-1], 0
            newest_first.append(tick)
        dropped = 0
        while dropped < COUNT_LIMIT:
            if float(it.get_prev(datetime).timestamp()) <= after:
                return newest_first[::-1], dropped
            dropped += 1
        return newest_first[::-1], None

    def ticks_from(self, start: float, end: float, limit: int) -> list[float]:
        """Ticks in ``[start, end)``, oldest first; raises UsageError past ``limit`` of them."""
        out: list[float] = []
        tick = self.latest(start)
        if tick < start:
            tick = self.next_after(start)
        while tick < end:
            out.append(tick)
            if len(out) > limit:
                raise UsageError(
                    f"schedule {self.expr!r} has more than {limit} ticks in that range; narrow it"
                )
            tick = self.next_after(tick)
        return out

    def iso(self, t: float) -> str:
        """``t`` as an ISO 8601 string with the project's UTC offset."""
        return self._dt(t).isoformat()


def parse_schedule(expr: str, tz: tzinfo | None = None) -> Schedule:
    """Parse ``expr`` (cron or ``every N``); raises UsageError with what is wrong."""
    if not isinstance(expr, str) or not expr.strip():
        raise UsageError(f"schedule {expr!r}: expected a cron expression or 'every 10m'")
    zone = tz or local_timezone()
    every = parse_every(expr)
    if every is not None:
        return Schedule(expr=expr, tz=zone, every_s=every)
    if expr.strip().lower().startswith("every"):
        raise UsageError(f"schedule {expr!r}: expected 'every <number><unit>' such as 'every 10m'")
    from croniter import croniter

    cron = " ".join(expr.split())
    try:
        croniter(cron, datetime.now(tz=zone))
    except (ValueError, KeyError) as exc:
        raise UsageError(
            f"schedule {expr!r}: not a cron expression ({exc}); e.g. '*/15 * * * *' or 'every 10m'"
        ) from exc
    return Schedule(expr=expr, tz=zone, cron=cron)


def check_pipeline_schedule(pipeline: Any) -> None:
    """A catalog check: a pipeline whose ``schedule`` does not parse is broken (UsageError says why)."""
    if pipeline.schedule is not None:
        parse_schedule(pipeline.schedule)


def due_ticks(
    schedule: Schedule, last: float, now: float, *, catchup: bool, cap: int
) -> tuple[list[float], int | None]:
    """The missed-run policy: which ticks after ``last`` (already handled) to run at ``now``.

    ``catchup=False``: at most one, the newest (after downtime, one run, not a flood); the
    second value counts the older ticks folded into it. ``catchup=True``: one per missed
    tick, the newest ``cap`` of them; the second value counts the older ones dropped.
    """
    ticks, dropped = schedule.ticks_between(last, now, cap if catchup else 1)
    return ticks, dropped
