"""A place for a chart: holds what to draw and mounts the plotext widget the first time it is seen.

The panes that have charts are built at start-up, mostly hidden; importing plotext then would
add to every start for a picture nobody has looked at yet. Once the console is up, it imports it
on a side thread (:func:`warm_chart_imports`), so the first visit of a tab with a chart does not
wait for it either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.containers import Container
from textual.widgets import Static

from console.ui.widgets.chart_data import ChartData

if TYPE_CHECKING:
    from console.ui.widgets.charts import Chart


def warm_chart_imports() -> None:
    """Import what the first chart needs (run on a worker thread after start-up)."""
    import console.ui.widgets.charts  # noqa: F401


class ChartSlot(Container):
    """``show(data)`` any time; the chart itself appears once the slot is on screen."""

    DEFAULT_CSS = "ChartSlot { height: 1fr; min-height: 5; } ChartSlot > Static { color: $text-muted; }"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data = ChartData()
        self.chart: Chart | None = None

    def compose(self) -> Any:
        yield Static(Text(" …"), id="chart-wait")

    def show(self, data: ChartData) -> None:
        self.data = data
        if self.chart is not None:
            self.chart.show(data)
        elif self.region.width and self.region.height:
            self._mount_chart()

    def on_show(self) -> None:
        if self.chart is None:
            self._mount_chart()

    def on_resize(self) -> None:
        if self.chart is None and self.region.width and self.region.height:
            self._mount_chart()

    def _mount_chart(self) -> None:
        from console.ui.widgets.charts import Chart

        self.chart = Chart()
        self.chart.show(self.data)
        self.query("#chart-wait").remove()
        self.mount(self.chart)
