"""Tab 4, Monitoring: metric series (a chart with rule thresholds and alerts), drift per feature
(the selected feature's reference and current distributions overlaid), alerts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Static

from console.presentation import printable
from console.ui.cells import number, safe_text, truncate
from console.ui.host import ConsoleApp
from console.ui.widgets.chart_data import ChartData, Threshold, append_key, series_key
from console.ui.widgets.chart_slot import ChartSlot
from console.ui.widgets.column_fit import Column, FitsColumns
from console.ui.widgets.filter_bar import FilterBar
from console.ui.widgets.filter_table import FilterTable
from console.ui.widgets.safe_table import SafeTable

if TYPE_CHECKING:
    from console.store.db import Database

POINTS = 40
BLOCKS = "▁▂▃▄▅▆▇█"
HELP = (
    "Left: every metric series (ctx.log_metric in tasks, and what monitors measure) with its last "
    f"{POINTS} points, and the per-feature drift of the monitor's last evaluation (statistic, "
    "threshold, verdict). Right: the selected series over time with its rules' thresholds (─) and "
    "alerts (X), and the selected feature's reference (█) and current (▒) distributions. "
    "Below: alerts, newest first. `/` filters the series."
)


@dataclass
class MonitoringData:
    series: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # series label -> points
    monitors: list[dict[str, Any]] = field(default_factory=list)
    drift: dict[str, dict[str, Any]] = field(default_factory=dict)  # monitor -> overview
    alerts: list[dict[str, Any]] = field(default_factory=list)
    thresholds: tuple[float, float] = (0.1, 0.25)  # PSI warn / alert
    rules: dict[str, list[tuple[str, float]]] = field(default_factory=dict)  # metric -> (rule, threshold)


def load_monitoring(db: Database, monitors: list[Any]) -> MonitoringData:
    """Everything the tab shows, read through the monitor package's query functions."""
    from console.monitor import alerts, overview, series_identity
    from console.monitor.report import Thresholds

    defaults = Thresholds()
    data = MonitoringData(thresholds=(defaults.psi_warn, defaults.psi_alert))
    # one row per series (metric, pipeline or monitor, origin), never two models' points mixed;
    # a monitor's per-column statistics are shown in the drift table instead
    for key, points in series_identity.grouped(db, columns=False, limit=POINTS):
        data.series[key.label] = points
    data.monitors = overview.listing(db, monitors)
    declared = {m.name: m for m in monitors}
    for row in data.monitors:
        if row["last_eval"] is not None:
            data.drift[row["name"]] = overview.overview(db, row["name"], declared.get(row["name"]))
    data.alerts = alerts.list_alerts(db, include_acknowledged=True, limit=50)
    for monitor in monitors:
        for rule in getattr(monitor, "rules", []) or []:
            data.rules.setdefault(rule.metric, []).append((str(rule), float(rule.threshold)))
    return data


# what each table shows, by width: the first to go is the highest ``drop``
TABLE_COLUMNS = {
    "metrics": [Column("metric", 22, flex=True, cap=40), Column("last", 9), Column("trend", 5, drop=1),
                Column("series", 12, drop=2)],
    "drift": [Column("feature", 10, flex=True, cap=24), Column("kind", 4, drop=1), Column("psi", 6),
              Column("limits", 9, drop=3), Column("stat", 10, drop=2), Column("verdict", 7)],
    "alerts": [Column("at", 8), Column("monitor", 16, drop=2), Column("rule", 22), Column("value", 8),
               Column("severity", 10), Column("action", 14, drop=1, flex=True, cap=40)],
}  # fmt: skip


def spark(values: list[float], width: int = 16) -> str:
    """A sparkline in block characters, for a table cell."""
    values = values[-width:]
    if not values:
        return ""
    lo, hi = min(values), max(values)
    span = hi - lo or 1.0
    return "".join(BLOCKS[min(7, int((v - lo) / span * 7.999))] for v in values)


class MonitoringPane(Vertical, FitsColumns):
    BINDINGS = [Binding("slash", "filter", "filter")]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data = MonitoringData()
        self._stale = True

    console_app = ConsoleApp()

    def compose(self) -> ComposeResult:
        yield Static("", id="monitoring-summary")
        with Horizontal(id="monitoring-main"):
            with Vertical(id="monitoring-left"):
                yield FilterTable(id="metrics")
                yield Static(" DRIFT", id="drift-title", classes="title")
                yield SafeTable(cursor_type="row", id="drift")
            with Vertical(id="monitoring-right"):
                yield Static("SERIES", id="series-title", classes="title")
                yield ChartSlot(id="series")
                yield Static("", id="series-text")
                yield Static(" DISTRIBUTION", id="dist-title", classes="title")
                yield ChartSlot(id="dist")
        yield Static(" ALERTS", id="alerts-title", classes="title")
        yield SafeTable(cursor_type="row", id="alerts")
        yield FilterBar("filter series by name")

    TABLE_COLUMNS = TABLE_COLUMNS

    def on_mount(self) -> None:
        self.fit_tables()

    def refill(self, table_id: str) -> None:
        if table_id == "metrics":
            self._fill_metrics()
        elif table_id == "alerts":
            self._alerts()
        else:
            self._drift(self._drift_monitor)

    def stale(self) -> None:
        """The store changed: refresh now if shown, else when the tab is next opened."""
        self._stale = True
        if self.region.height > 0:
            self.refresh_data()

    @work(exclusive=True, group="monitoring")
    async def refresh_data(self) -> None:
        app = self.console_app
        monitors = app.session._engine.catalog.monitors if app.session._engine is not None else []
        try:
            data = await app.threads.read(load_monitoring, app.store.db, monitors)
        except ImportError as exc:
            self.query_one("#monitoring-summary", Static).update(
                Text(
                    f" MONITORING  the monitor package is not available in this build ({exc})", style="yellow"
                )
            )
            return
        self._stale = False
        self.data = data
        self._fill_metrics()
        self._summary()
        self._alerts()
        self.show_series()

    def _fill_metrics(self) -> None:
        if not self.fitted("metrics"):
            return
        rows = []
        for label, points in self.data.series.items():
            values = [float(p["value"]) for p in points]
            cells = {
                "metric": series_cell(points[-1]),
                "last": Text(number(values[-1]), justify="right"),
                "trend": _trend(values),
                "series": Text(spark(values), style="cyan"),
            }
            rows.append((label, self.pick("metrics", cells), label))
        self.query_one("#metrics", FilterTable).set_rows(rows)

    def _summary(self) -> None:
        data = self.data
        text = Text(" MONITORING", style="bold")
        if not data.series and not data.monitors:
            text.append(
                "  nothing measured yet: tasks call ctx.log_metric(...), monitors evaluate models",
                style="dim",
            )
        else:
            open_alerts = sum(1 for a in data.alerts if not a["acknowledged"])
            text.append(f"  {len(data.series)} series  {len(data.monitors)} monitor(s)  ")
            text.append(f"{open_alerts} open alert(s)", style="bold red" if open_alerts else "dim")
        self.query_one("#monitoring-summary", Static).update(text)

    def _alerts(self) -> None:
        if not self.fitted("alerts"):
            return
        table = self.query_one("#alerts", DataTable)
        table.clear()
        now = self.console_app.clock()
        from console.ui.cells import clock_time

        for a in self.data.alerts:
            style = "dim" if a["acknowledged"] else ("bold red" if a["severity"] == "alert" else "yellow")
            action = a["action"] or "-"
            if a["action_run_id"]:
                action += f" → run {a['action_run_id']} {a.get('action_status') or ''}"
            cells = {
                "at": clock_time(a["at"], now),
                "monitor": a["monitor"],
                "rule": truncate(a["rule"], 22),
                "value": number(a["value"]),
                "severity": Text(a["severity"] + (" (ack)" if a["acknowledged"] else ""), style=style),
                "action": action,
            }
            table.add_row(*self.pick("alerts", cells))
        title = Text(" ALERTS", style="bold")
        if not self.data.alerts:
            title.append("  none", style="dim")
        self.query_one("#alerts-title", Static).update(title)

    @on(DataTable.RowHighlighted, "#metrics")
    def _highlighted(self) -> None:
        self.show_series()

    def show_series(self) -> None:
        name = self.query_one("#metrics", FilterTable).selected_key()
        points = self.data.series.get(name or "", [])
        values = [float(p["value"]) for p in points]
        self.query_one("#series", ChartSlot).show(self.series_chart(name or "", points))
        title = Text(f"SERIES {name or ''}", style="bold")  # the box pads it (wrapped lines too)
        box = self.query_one("#series-title", Static)
        if points:
            title.append(f"  last {len(points)} point(s)", style="dim")
            append_key(title, series_key("series"), box.content_size.width)
        box.update(safe_text(title))  # the key on a line of its own when narrow
        line = Text()
        if values:
            last = points[-1]
            where = last.get("monitor") or last.get("pipeline") or ""
            line.append(f"last {number(values[-1])}  min {number(min(values))}  max {number(max(values))}")
            if where:
                line.append(f"   from {where}", style="dim")
            rules = self.rules_of((name or "").split(" ")[0])
            if rules:
                line.append("   rule " + ", ".join(rules), style="yellow")
        # height auto (max 2): a long line (rules, where from) wraps in a narrow box, so a layout pass
        self.query_one("#series-text", Static).update(safe_text(line))
        monitor = points[-1].get("monitor") if points else None
        self._drift(monitor)

    def series_chart(self, name: str, points: list[dict[str, Any]]) -> ChartData:
        """The series over time, its rules' thresholds, and the alerts it raised as points."""
        if not points:
            return ChartData(message=" no series selected" if not name else " no points yet")
        xs = [float(p["at"]) for p in points]
        lo, hi = min(xs), max(xs)
        metric = name.split(" ")[0]  # a label may add where the series comes from
        marks = [
            (float(a["at"]), float(a["value"]))
            for a in self.data.alerts
            if a.get("metric") == metric and a["value"] is not None and lo <= float(a["at"]) <= hi + 1
        ]
        return ChartData(
            kind="series",
            name=metric,
            x=xs,
            y=[float(p["value"]) for p in points],
            lines=[Threshold(rule, value) for rule, value in self.rules_of(metric).items()],
            marks=marks,
        )

    def rules_of(self, metric: str) -> dict[str, float]:
        """Rule thresholds on ``metric``: declared by monitors, or recorded with its alerts."""
        out = dict(self.data.rules.get(metric, []))
        for a in self.data.alerts:
            if a.get("metric") == metric and a.get("threshold") is not None:
                out.setdefault(a["rule"], float(a["threshold"]))
        return out

    @on(DataTable.RowHighlighted, "#drift")
    def _drift_highlighted(self) -> None:
        self._distribution()

    def _distribution(self) -> None:
        """The highlighted feature's reference and current shares per bin, side by side."""
        table = self.query_one("#drift", DataTable)
        rows = self._drift_rows
        row = rows[table.cursor_row] if rows and 0 <= table.cursor_row < len(rows) else None
        title = Text(" DISTRIBUTION", style="bold")
        dist = (row or {}).get("distribution")
        if row is None or not dist:
            self.query_one("#dist", ChartSlot).show(
                ChartData(message=" none recorded for this feature")
            )
        else:
            title.append(f"  {printable(row['column'])}: reference █ vs current ▒, share per bin", style="dim")
            self.query_one("#dist", ChartSlot).show(
                ChartData(
                    kind="bars", labels=list(dist["labels"]), ref=list(dist["ref"]), cur=list(dist["cur"])
                )
            )
        self.query_one("#dist-title", Static).update(title, layout=False)

    _drift_rows: list[dict[str, Any]] = []

    _drift_monitor: str | None = None

    def _drift(self, monitor: str | None) -> None:
        self._drift_monitor = monitor
        if not self.fitted("drift"):
            return
        table = self.query_one("#drift", DataTable)
        table.clear()
        if monitor not in self.data.drift:
            monitor = next(iter(self.data.drift), None)
        title = Text(" DRIFT", style="bold")
        self._drift_rows = []
        if monitor is None:
            title.append("  no monitor has evaluated yet", style="dim")
            self.query_one("#drift-title", Static).update(title)
            self._distribution()
            return
        ov = self.data.drift[monitor]
        limits = f"{self.data.thresholds[0]:g}/{self.data.thresholds[1]:g}"
        last = ov.get("last_eval") or {}
        title.append(
            f"  {monitor}  model {ov.get('model') or '-'} v{last.get('version') or '-'}", style="dim"
        )
        self.query_one("#drift-title", Static).update(safe_text(title))
        self._drift_rows = list(ov.get("drift", []))
        for row in self._drift_rows:
            verdict = row.get("verdict") or "-"
            style = {"alert": "bold red", "warn": "yellow", "ok": "green"}.get(verdict, "dim")
            if row.get("kind") == "numeric":
                stat = f"ks {number(row.get('ks_stat'))}"
            else:
                stat = f"js {number(row.get('js_distance'))}"
            cells = {
                "feature": row["column"],
                "kind": {"numeric": "num", "categorical": "cat"}.get(row.get("kind") or "", "-"),
                "psi": number(row.get("psi")),
                "limits": limits,
                "stat": stat,
                "verdict": Text(verdict, style=style),
            }
            table.add_row(*self.pick("drift", cells))
        self._distribution()

    def action_filter(self) -> None:
        self.query_one(FilterBar).open()

    @on(FilterBar.Filter)
    def _filter(self, event: FilterBar.Filter) -> None:
        self.query_one("#metrics", FilterTable).set_filter(event.text)
        if event.done:
            self.query_one("#metrics", FilterTable).focus()


def series_cell(point: dict[str, Any]) -> Text:
    """``accuracy iris_train (training)``: the metric name, and dim, which series of it this is."""
    from console.monitor.series_identity import key_of

    key = key_of(point)
    text = Text(key.name)
    text.append(f" {key.short}", style="dim")
    return text


def _trend(values: list[float]) -> Text:
    if len(values) < 2:
        return Text("new", style="dim")
    before = values[-6:-1]
    mean = sum(before) / len(before)
    if abs(values[-1] - mean) <= 1e-9 * max(abs(mean), 1e-12):
        return Text("→", style="dim")
    return Text("↑", style="green") if values[-1] > mean else Text("↓", style="yellow")
