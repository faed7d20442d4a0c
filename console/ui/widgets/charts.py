"""Terminal charts (plotext through textual-plotext): a metric over time with its rule thresholds
and alerts, a check's value over runs with its anomaly band, and two distributions overlaid.

Imported only when a chart is first shown (plotext takes ~140 ms to import). A chart is built once per data or size change (plotext's build costs a few ms),
not on every repaint.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import RenderResult
from textual_plotext import PlotextPlot

from console.ui.widgets.chart_data import (
    ALERT_MARK,
    BAND_MARK,
    CUR_MARK,
    REF_MARK,
    SERIES_MARK,
    THRESHOLD_MARK,
    ChartData,
    time_ticks,
)


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
        xs = [float(i) for i in range(len(d.labels))]
        plt.bar([x - 0.2 for x in xs], d.ref, marker=REF_MARK, color="blue", width=0.4)
        plt.bar([x + 0.2 for x in xs], d.cur, marker=CUR_MARK, color="orange", width=0.4)
        plt.xticks(xs, d.labels)
