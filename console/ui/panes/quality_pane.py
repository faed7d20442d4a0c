"""Tab 2, Quality: check results per run and dataset, failing-row samples, a check's history."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Static

from console.quality.history import check_history, check_rows
from console.ui.cells import fields_on_lines, number, truncate
from console.ui.host import ConsoleApp
from console.ui.screens.run_detail import check_result
from console.ui.widgets.chart_data import ChartData, append_key, series_key
from console.ui.widgets.chart_slot import ChartSlot
from console.ui.widgets.column_fit import Column, FitsColumns
from console.ui.widgets.filter_bar import FilterBar
from console.ui.widgets.filter_table import FilterTable
from console.ui.widgets.safe_table import SafeTable

if TYPE_CHECKING:
    pass

HELP = (
    "The latest checked run of each pipeline. Up/down picks a check: its failing rows (up to 20 "
    "kept per check) and its observed value over past runs show below. `/` filters the checks."
)


def check_key(r: dict[str, Any]) -> str:
    return f"{r['run_id']}:{r['task']}:{r['check']}"


class QualityPane(Vertical, FitsColumns):
    BINDINGS = [Binding("slash", "filter", "filter")]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rows: dict[str, dict[str, Any]] = {}

    console_app = ConsoleApp()

    def compose(self) -> ComposeResult:
        yield Static("", id="quality-summary")
        yield FilterTable(id="checks")
        with Horizontal(id="quality-bottom"):
            with Vertical(id="sample-box"):
                yield Static(" FAILING ROWS", id="sample-title")
                yield SafeTable(id="sample", cursor_type="row")
            with Vertical(id="history-box"):
                yield Static(" HISTORY", id="history-title")
                yield ChartSlot(id="history")
                yield Static("", id="history-text")
        yield FilterBar("filter: any text (pipeline, task, check, fail)")

    TABLE_COLUMNS = {
        "checks": [Column("run", 5), Column("pipeline", 12, flex=True, cap=26), Column("task", 12, drop=3, flex=True, cap=24),
                   Column("check", 14, flex=True, cap=30), Column("sev", 5, drop=2), Column("result", 13),
                   Column("failing", 13, drop=1), Column("observed", 12, drop=4)],
    }  # fmt: skip

    def on_mount(self) -> None:
        self.fit_tables()
        self.refresh_data()

    _stale = False

    def stale(self) -> None:
        """Checks changed: refresh now if shown, else when the tab is next opened (a burst of
        2,000 finishing tasks would otherwise re-read every check of the store each tick)."""
        self._stale = True
        if self.region.height > 0:
            self._stale = False
            self.refresh_data()

    @work(exclusive=True, group="quality")
    async def refresh_data(self) -> None:
        rows = await self.console_app.threads.read(check_rows, self.console_app.store.db, None, None)
        self.rows = {check_key(r): r for r in rows}
        sized = self._sized(rows)
        if sized != self._columns:
            self._columns = sized
            self.fit_tables()  # refills when the columns change
        self._fill_checks()
        self._summary(rows)
        self.show_selected()

    _columns: list[Column] | None = None

    def table_columns(self) -> dict[str, list[Column]]:
        return {"checks": self._columns or self.TABLE_COLUMNS["checks"]}

    def _sized(self, rows: list[dict[str, Any]]) -> list[Column]:
        """The text columns no wider than their longest value (the spare width goes to the others)."""
        longest = {key: max([len(key), *(cell_len(str(r[key])) for r in rows)]) for key in ("pipeline", "task", "check")}
        return [replace(c, cap=min(c.cap, max(c.width, longest[c.key]))) if c.key in longest else c
                for c in self.TABLE_COLUMNS["checks"]]  # fmt: skip

    def refill(self, table_id: str) -> None:
        self._fill_checks()

    def _fill_checks(self) -> None:
        if not self.fitted("checks"):
            return
        rows = []
        for r in self.rows.values():
            cells = {
                "run": Text(str(r["run_id"]), justify="right"),
                "pipeline": r["pipeline"],
                "task": r["task"],
                "check": r["check"],
                "sev": r["severity"],
                "result": check_result(r),
                "failing": Text(f"{r['failing']:,}/{r['total']:,}", justify="right"),
                "observed": truncate(r["error"], 30)
                if r["error"]
                else Text(number(r["observed"]), justify="right"),
            }
            hay = " ".join(
                str(x) for x in (r["pipeline"], r["task"], r["check"], r["severity"], check_result(r).plain)
            )
            rows.append((check_key(r), self.pick("checks", cells), hay))
        self.query_one("#checks", FilterTable).set_rows(rows)

    def _summary(self, rows: list[dict[str, Any]]) -> None:
        text = Text("QUALITY", style="bold")  # the pad is the CSS's: a wrapped line keeps it
        if not rows:
            text.append("  no check results yet: give a task checks=[...] and run its pipeline", style="dim")
        else:
            passed = sum(r["passed"] for r in rows)
            failed = sum(not r["passed"] and r["severity"] == "error" for r in rows)
            warned = len(rows) - passed - failed
            runs = len({r["run_id"] for r in rows})
            text.append(f"  ✓ {passed} pass", style="green")
            text.append(f"  ✗ {failed} fail", style="bold red" if failed else "dim")
            text.append(f"  ! {warned} warn", style="yellow" if warned else "dim")
            text.append(f"   {len(rows)} checks in the latest checked run of {runs} pipeline(s)", style="dim")
        # the counts first: at 80 columns the line wraps in its prose, not between a count and its word
        self.query_one("#quality-summary", Static).update(text)

    @on(DataTable.RowHighlighted, "#checks")
    def _highlighted(self) -> None:
        self.show_selected()

    def selected(self) -> dict[str, Any] | None:
        key = self.query_one("#checks", FilterTable).selected_key()
        return self.rows.get(key) if key else None

    @work(exclusive=True, group="quality-selected")
    async def show_selected(self) -> None:
        r = self.selected()
        self._sample(r)
        if r is None:
            self.query_one(ChartSlot).show(ChartData(message=" no check selected"))
            self.query_one("#history-text", Static).update("")
            return
        points = await self.console_app.threads.read(
            check_history, self.console_app.store.db, r["check"], r["pipeline"], r["task"]
        )
        values = [p["observed"] if p["observed"] is not None else p["failing"] for p in points]
        self.query_one(ChartSlot).show(history_chart(r["check"], points, values))
        what = "observed" if any(p["observed"] is not None for p in points) else "failing rows"
        title = Text(f" HISTORY {r['check']}", style="bold")
        title.append(f"  {what} over {len(points)} run(s)", style="dim")
        self.query_one("#history-title", Static).update(title, layout=False)
        text = self.query_one("#history-text", Static)
        line = Text()
        if values:
            fails = sum(not p["passed"] for p in points)
            fields = [Text(f"last {number(values[-1])}"), Text(f"min {number(min(values))}"),
                      Text(f"max {number(max(values))}"),
                      Text(f"failed in {fails}", style="red" if fails else "dim")]  # fmt: skip
            # a narrow box breaks the line between two fields (it read "max" / "0.065")
            fields_on_lines(line, fields, text.content_size.width or 10**6, indent="")
            append_key(line, series_key("band"), text.content_size.width)
        # height: auto (max 2): the key goes to a second line in a narrow box, so this
        # update needs a layout pass, unlike the fixed-height titles
        text.update(line)

    def _sample(self, r: dict[str, Any] | None) -> None:
        table = self.query_one("#sample", DataTable)
        table.clear(columns=True)
        sample = (r or {}).get("sample") or []
        title = Text(" FAILING ROWS", style="bold")
        if r is None or r["passed"]:
            title.append("  none" if r else "", style="dim")
        else:
            title.append(f"  {len(sample)} of {r['failing']:,} kept", style="dim")
        self.query_one("#sample-title", Static).update(title, layout=False)
        if not sample:
            return
        focus = (r or {}).get("columns") or []
        labels, records = sample_records(sample, (r or {}).get("sample_index") or [])
        seen = list(dict.fromkeys(k for rec in records for k in rec))
        columns = [c for c in focus if c in seen] + [c for c in seen if c not in focus]
        table.add_column("row", key="__row")
        for col in columns:
            table.add_column(Text(str(col), style="bold red" if col in focus else ""), key=str(col))
        for row_label, rec in zip(labels, records, strict=True):
            table.add_row(row_label, *[truncate(_show(rec.get(c)), 24) for c in columns])

    def action_filter(self) -> None:
        bar = self.query_one(FilterBar)
        bar.open()

    @on(FilterBar.Filter)
    def _filter(self, event: FilterBar.Filter) -> None:
        self.query_one("#checks", FilterTable).set_filter(event.text)
        if event.done:
            self.query_one("#checks", FilterTable).focus()

    @on(DataTable.RowSelected, "#checks")
    def _open(self) -> None:
        self.action_open_run()

    def action_open_run(self) -> None:
        r = self.selected()
        if r is not None:
            self.console_app.open_run(int(r["run_id"]))


def history_chart(name: str, points: list[dict[str, Any]], values: list[float]) -> ChartData:
    """A check's value over its runs (x: run ids) with its anomaly band and failed runs marked."""
    if not values:
        return ChartData(message=" no history yet")
    xs = [float(i) for i in range(len(values))]
    banded = [(x, p["band"]) for x, p in zip(xs, points, strict=True) if p.get("band")]
    return ChartData(
        kind="band",
        name=name,
        x=xs,
        y=[float(v) for v in values],
        xlabels=[f"#{p['run_id']}" for p in points],
        band_x=[x for x, _ in banded],
        low=[b[0] for _, b in banded],
        high=[b[1] for _, b in banded],
        marks=[(x, float(v)) for x, v, p in zip(xs, values, points, strict=True) if not p["passed"]],
    )


def sample_records(sample: list[Any], index: list[Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """Failing-row samples as (row labels, records): ``{"index", "row"}`` items or plain rows."""
    labels, records = [], []
    for i, item in enumerate(sample):
        if isinstance(item, dict) and isinstance(item.get("row"), dict):
            labels.append(str(item.get("index", i)))
            records.append(item["row"])
        else:
            labels.append(str(index[i]) if i < len(index) else str(i))
            records.append(item if isinstance(item, dict) else {"value": item})
    return labels, records


def _show(value: Any) -> str:
    if value is None:
        return "∅"
    return value if isinstance(value, str) else json.dumps(value, default=str)
