"""Kafka in the console: what a run's batch read (run detail) and the sources' lag now (Data tab).

:class:`KafkaBatchPanel` shows a run's ``kafka.batch`` event: per partition the offsets the
batch read from and to, where the first came from, its rows and quarantined messages, the log
end when it started and the lag it left. :class:`KafkaLagPanel` asks the brokers for the
current lag of every Kafka source of the project on a thread of its own (a broker that does
not answer costs that thread its timeout, never the console's reader or the screen), on a
slow timer while it is shown; a source whose broker cannot be read is one line. Both stay
hidden when there is nothing Kafka to show. confluent-kafka is imported only by the reader.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Static

from console.presentation import zone_label
from console.ui.cells import clock_time, safe
from console.ui.widgets.column_fit import Column, FitsColumns, sized_to
from console.ui.widgets.safe_table import SafeTable

LAG_EVERY_S = 15.0  # the brokers are asked this often while the Data tab is shown
LAG_TIMEOUT_S = 3.0  # per broker call; an unreachable broker is reported after about this long

# numbers are shown whole (columns as wide as their widest value); what does not fit drops out;
# "origin": where the batch's first offset came from (the warehouse, the group, the start)
BATCH_COLUMNS = [Column("partition", 9), Column("from", 4), Column("to", 2), Column("rows", 4, drop=4),
                 Column("quarantined", 11, drop=2), Column("log end", 7, drop=3), Column("lag", 3),
                 Column("origin", 6, flex=True, drop=1)]  # fmt: skip
LAG_COLUMNS = [Column("pipeline", 8, flex=True), Column("table", 5, drop=3), Column("partition", 9, flex=True),
               Column("group", 5, drop=2), Column("offset", 6), Column("from", 4, drop=4),
               Column("log end", 7, drop=1), Column("lag", 3)]  # fmt: skip


class ContentColumns(FitsColumns):
    """One table whose columns are as wide as the rows last shown (``cells``) need (``show_fitted``)."""

    sized: dict[str, list[Column]] = {}
    cells: list[dict[str, Any]] = []

    def table_columns(self) -> dict[str, list[Column]]:
        return self.sized

    def refill(self, table_id: str) -> None:
        fill(self, table_id, self.cells)


def show_fitted(panel: ContentColumns, table_id: str, columns: list[Column], cells: list[dict[str, Any]]) -> None:
    """The panel's table with columns as wide as these cells need, fitted to its width."""
    panel.sized = {table_id: sized_to(columns, cells)}
    before = panel._layout.get(table_id)
    panel.fit_tables()  # refills when the columns changed
    if panel._layout.get(table_id) == before:
        fill(panel, table_id, cells)


def fill(panel: ContentColumns, table_id: str, cells: list[dict[str, Any]]) -> None:
    table = panel.query_one(f"#{table_id}", SafeTable)
    table.clear()
    if panel.fitted(table_id):
        for i, row in enumerate(cells):
            table.add_row(*panel.pick(table_id, row), key=str(i))


def _n(value: Any) -> Text:
    return Text(f"{value:,}" if isinstance(value, int) else "-", justify="right")


class KafkaBatchPanel(Vertical, ContentColumns):
    """The partitions a run's Kafka batch read (hidden for runs without one)."""

    DEFAULT_CSS = """
    KafkaBatchPanel { height: auto; max-height: 10; display: none; border-top: solid $panel-lighten-2; }
    KafkaBatchPanel > SafeTable { height: auto; max-height: 8; }
    KafkaBatchPanel > Static { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="kafka-batch-title")
        yield SafeTable(cursor_type="none", id="kafka-batch-table")

    def show(self, batches: list[dict[str, Any]]) -> None:
        """The last batch of the run (a retried task reports once, when it succeeded)."""
        self.cells = []
        self.display = bool(batches)
        if not batches:
            return
        b = batches[-1]
        title = Text(" KAFKA BATCH ", style="bold", no_wrap=True, overflow="ellipsis")
        title.append(f" {b.get('rows', 0):,} rows, {b.get('quarantined', 0):,} quarantined   ")
        title.append_text(safe(f"{b.get('topic')} -> {b.get('table')}  group {b.get('group')}", "dim"))
        self.query_one("#kafka-batch-title", Static).update(title)
        self.cells = [
            {"partition": _n(p.get("partition")), "from": _n(p.get("from_offset")), "to": _n(p.get("to_offset")),
             "rows": _n(p.get("rows")), "quarantined": _n(p.get("quarantined")), "log end": _n(p.get("log_end")),
             "lag": _n(p.get("lag")), "origin": safe(p.get("origin", "-"))}
            for p in b["partitions"]
        ]  # fmt: skip
        show_fitted(self, "kafka-batch-table", BATCH_COLUMNS, self.cells)


def read_lag(sources: dict[str, Any], warehouse: Path) -> list[dict[str, Any]]:
    """Lag rows of every source; a source that cannot be read is one row with an ``error``."""
    from console.streaming.lag import partition_lag

    rows: list[dict[str, Any]] = []
    for name, src in sources.items():
        try:
            parts = partition_lag(src, warehouse, timeout=LAG_TIMEOUT_S)
        except ModuleNotFoundError:
            rows.append({"pipeline": name, "table": src.table, "error": "confluent-kafka is not installed"})
        except Exception as exc:  # noqa: BLE001 - a broker's failure is a line of the panel, never a crash
            rows.append({"pipeline": name, "table": src.table, "error": " ".join(str(exc).split())})
        else:
            rows.extend({"pipeline": name, "table": src.table, **p} for p in parts)
    return rows


def project_sources(session: Any) -> tuple[dict[str, Any], Path]:
    """The project's Kafka sources and its warehouse (on the console's reader thread)."""
    from console.streaming.lag import kafka_sources
    from console.streaming.offsets import warehouse_path

    pipelines = session.engine.catalog.pipelines
    return kafka_sources(pipelines), warehouse_path(session.project.root, session.project.home)


class KafkaLagPanel(Vertical, ContentColumns):
    """Current lag per partition of the project's Kafka sources (hidden when there are none)."""

    DEFAULT_CSS = """
    KafkaLagPanel { height: auto; max-height: 12; display: none; border-top: solid $panel-lighten-2; }
    KafkaLagPanel > SafeTable { height: auto; max-height: 8; }
    KafkaLagPanel > Static { height: auto; max-height: 3; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._pool: ThreadPoolExecutor | None = None
        self._busy = False
        self.rows: list[dict[str, Any]] = []
        self.read_at: float | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="kafka-lag-title")
        yield SafeTable(cursor_type="none", id="kafka-lag-table")
        yield Static("", id="kafka-lag-errors")

    def on_mount(self) -> None:
        self.set_interval(LAG_EVERY_S, self._tick)

    def on_unmount(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def _tick(self) -> None:
        pane = self.parent  # only while the pane it sits in is on screen
        if isinstance(pane, Widget) and pane.display and pane.region.height:
            self.refresh_lag()

    def refresh_lag(self) -> None:
        """Ask again, unless the last question is still out (a slow broker)."""
        if not self._busy:
            self._busy = True
            self._read()

    @work(group="kafka-lag")
    async def _read(self) -> None:
        app: Any = self.app
        try:
            sources, warehouse = await app.threads.read(project_sources, app.session)
            if not sources:
                self.display, self.read_at = False, getattr(app, "clock", time.time)()
                return
            if self._pool is None:
                self._pool = ThreadPoolExecutor(1, thread_name_prefix="opsconsole-kafka-lag")
            rows = await asyncio.wrap_future(self._pool.submit(read_lag, sources, warehouse))
        except Exception as exc:  # noqa: BLE001 - the pipelines did not load: say so in one line
            rows = [{"pipeline": "-", "table": "-", "error": " ".join(str(exc).split())}]
        finally:
            self._busy = False
        self.show(rows, getattr(app, "clock", time.time)())

    def show(self, rows: list[dict[str, Any]], at: float) -> None:
        self.rows, self.read_at = rows, at
        self.display = True
        title = Text(" KAFKA LAG ", style="bold")
        title.append(f"  read {clock_time(at, at)} {zone_label(at)}, every {LAG_EVERY_S:.0f}s", style="dim")
        self.query_one("#kafka-lag-title", Static).update(title)
        self.cells = []
        errors = Text(no_wrap=True, overflow="ellipsis")
        for r in rows:
            if "error" in r:  # one line per source whose broker did not answer
                errors.append_text(safe(f" {r['pipeline']} ({r['table']}): {r['error']}"[:300], "yellow"))
                errors.append("\n")
                continue
            self.cells.append({
                "pipeline": safe(r["pipeline"]), "table": safe(r["table"]),
                "partition": safe(f"{r['topic']}[{r['partition']}]"), "group": safe(r["group"]),
                "offset": _n(r["offset"]), "from": safe(r["from"]), "log end": _n(r["log_end"]),
                "lag": Text(f"{r['lag']:,}", style="bold yellow" if r["lag"] else "green", justify="right"),
            })  # fmt: skip
        show_fitted(self, "kafka-lag-table", LAG_COLUMNS, self.cells)
        self.query_one(SafeTable).display = bool(self.cells)
        errors.rstrip()
        box = self.query_one("#kafka-lag-errors", Static)
        box.update(errors)
        box.display = bool(errors.plain)
