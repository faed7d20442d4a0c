"""Terminal charts (plotext through textual-plotext): a metric over time with its rule thresholds
and alerts, a check's value over runs with its anomaly band, and two distributions overlaid.

Series are told apart by their marker, not only by colour, so they read the same under
``NO_COLOR``; the titles above the charts name the markers (plotext's legend box would cover
the data in a chart five rows high). A chart is built once per data or size change (plotext's build costs a few ms),
not on every repaint.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.text import Text
from textual.app import RenderResult
from textual_plotext import PlotextPlot

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


class Chart(PlotextPlot):
    """One plotext chart; ``show(data)`` replaces what it draws."""

    DEFAULT_CSS = "Chart { height: 1fr; min-height: 5; }"

    def __init__(self, **kwargs: str | None) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.data = ChartData()
        self._built: tuple[tuple[int, int, str, int], Text] | None = None
        self._version = 0

    def show(self, data: ChartData) -> None:
        self.data = data
        self._version += 1
        self.refresh()

    def render(self) -> RenderResult:
        width, height = self.size.width, self.size.height
        key = (width, height, self.app.theme, self._version)
        if self._built is not None and self._built[0] == key:
            return self._built[1]
        if self.data.kind == "empty" or width < 20 or height < 4:
            text = Text(self.data.message or " no data", style="dim")
        else:
            text = self._build(width, height)
        self._built = (key, text)
        return text

    def _build(self, width: int, height: int) -> Text:
        plt = self.plt
        plt.clear_figure()
        plt.plotsize(width, height)
        plt._set_size(width, height)
        plt.theme(self._get_plotext_theme_name(self.app.theme))
        d = self.data
        if d.kind == "bars":
            self._bars(d)
        else:
            self._lines(d, time_axis=d.kind == "series")
        return Text.from_ansi(plt.build())

    def _lines(self, d: ChartData, *, time_axis: bool) -> None:
        plt = self.plt
        if d.band_x:
            plt.plot(d.band_x, d.low, marker=BAND_MARK, color="gray")
            plt.plot(d.band_x, d.high, marker=BAND_MARK, color="gray")
        plt.plot(d.x, d.y, marker=SERIES_MARK, color="cyan")
        x0, x1 = (min(d.x), max(d.x)) if d.x else (0.0, 1.0)
        for line in d.lines:
            plt.plot([x0, x1], [line.value, line.value], marker=THRESHOLD_MARK, color="yellow")
        if d.marks:
            xs, ys = zip(*d.marks, strict=True)
            plt.scatter(list(xs), list(ys), marker=ALERT_MARK, color="red")
        if time_axis:
            ticks, labels = time_ticks(d.x)
            plt.xticks(ticks, labels)
        elif d.xlabels:
            step = max(1, len(d.x) // 5)
            picks = list(range(0, len(d.x), step))
            plt.xticks([d.x[i] for i in picks], [d.xlabels[i] for i in picks])

    def _bars(self, d: ChartData) -> None:
        plt = self.plt
        # side by side per bin, each with its own fill character (legible without colour)
        xs = list(range(len(d.labels)))
        plt.bar([x - 0.2 for x in xs], d.ref, marker=REF_MARK, color="blue", width=0.4)
        plt.bar([x + 0.2 for x in xs], d.cur, marker=CUR_MARK, color="orange", width=0.4)
        plt.xticks(xs, d.labels)
