"""What a chart draws, apart from the widget that draws it (which imports plotext, lazily).

Series are told apart by their marker, not only by colour, so they read the same under
``NO_COLOR``; the titles above the charts name the markers (plotext's legend box would cover
the data in a chart five rows high).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.cells import cell_len
from rich.text import Text

SERIES_MARK, THRESHOLD_MARK, ALERT_MARK, BAND_MARK, FAIL_MARK = "•", "─", "X", "·", "X"
REF_MARK, CUR_MARK = "█", "▒"


@dataclass
class Threshold:
    """A horizontal rule at ``value`` (a rule's threshold, or a band's edge)."""

    label: str
    value: float


@dataclass
class ChartData:
    """What one chart draws; the widget keeps it and rebuilds on change or resize."""

    kind: str = "empty"  # empty | series | band | bars
    message: str = ""
    x: list[float] = field(default_factory=list)
    y: list[float] = field(default_factory=list)
    lines: list[Threshold] = field(default_factory=list)
    marks: list[tuple[float, float]] = field(default_factory=list)  # alert / failed points
    band_x: list[float] = field(default_factory=list)  # where the band is known
    low: list[float] = field(default_factory=list)  # band edges, per band_x
    high: list[float] = field(default_factory=list)
    xlabels: list[str] = field(default_factory=list)  # band: a label per x (run ids)
    labels: list[str] = field(default_factory=list)  # bars: category or bin labels
    ref: list[float] = field(default_factory=list)
    cur: list[float] = field(default_factory=list)
    name: str = ""


def series_key(kind: str) -> str:
    """What the markers of a chart of ``kind`` mean, for its title."""
    if kind == "band":
        return f"{SERIES_MARK} value  {BAND_MARK} anomaly band  {FAIL_MARK} failed"
    return f"{SERIES_MARK} value  {THRESHOLD_MARK} rule  {ALERT_MARK} alert"


def append_key(line: Text, key: str, width: int) -> None:
    """Append a chart's key to ``line``: after it when both fit in ``width`` cells, else on a line
    of its own (a narrow box wraps the key whole, never between a mark and its word)."""
    fits = width > 0 and line.cell_len + 3 + cell_len(key) <= width
    line.append(("   " if fits else "\n") + key, style="dim")


def time_ticks(xs: Sequence[float], n: int = 4) -> tuple[list[float], list[str]]:
    """A few evenly spaced x ticks labelled in local time (HH:MM, or MM-DD when days apart)."""
    if not xs:
        return [], []
    lo, hi = min(xs), max(xs)
    fmt = "%m-%d" if hi - lo > 2 * 86400 else "%H:%M"
    if hi == lo:
        return [lo], [time.strftime(fmt, time.localtime(lo))]
    ticks = [lo + (hi - lo) * i / (n - 1) for i in range(n)]
    return ticks, [time.strftime(fmt, time.localtime(t)) for t in ticks]
