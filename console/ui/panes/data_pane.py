"""Tab 5, Data: SQL models and warehouse tables; enter previews a table, its compiled SQL and lineage.

Every warehouse read runs on the console's reader thread. When another process is writing
the warehouse the pane says so and keeps what it showed; it never waits on the lock.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Static

from console.errors import OpsConsoleError
from console.ui.cells import clock_time, number
from console.ui.widgets.column_fit import Column, FitsColumns
from console.ui.widgets.kafka_panels import KafkaLagPanel
from console.ui.widgets.safe_table import SafeTable

if TYPE_CHECKING:
    from console.ui.app import OpsConsoleApp

HELP = (
    "Left: the warehouse's tables and the SQL models of the project (materialisation, rows, last "
    "build, tests of that build). Enter previews the selected table's first rows, its compiled SQL "
    "and its lineage. Below, the lag per partition of the project's Kafka sources. r reloads."
)
PREVIEW_ROWS = 20


def safe(text: Any, style: str = "", *, lines: bool = False) -> Text:
    """Data text as a Text cell: never parsed as markup, control characters made visible."""
    raw = "" if text is None else str(text)
    keep = "\t\n" if lines else "\t"
    return Text(
        "".join(ch if ch >= " " or ch in keep else "?" for ch in raw).replace("\x7f", "?"), style=style
    )


def load_overview(session: Any) -> list[dict[str, Any]]:
    from console.sql.overview import data_rows
    from console.sql.warehouse import warehouse_path

    project = session.project
    catalog = session._engine.catalog if session._engine is not None else None
    return data_rows(warehouse_path(project.root, project.home, project.extra), session.store.db, catalog)


def load_preview(session: Any, name: str) -> dict[str, Any]:
    from console.sql.lineage import lineage
    from console.sql.queries import preview
    from console.sql.warehouse import warehouse_path

    project = session.project
    path = warehouse_path(project.root, project.home, project.extra)
    out = preview(path, session.store.db, name, rows=PREVIEW_ROWS)
    catalog = session._engine.catalog if session._engine is not None else None
    try:
        out["lineage"] = lineage(catalog, session.store.db, name) if catalog is not None else None
    except OpsConsoleError:
        out["lineage"] = None
    return out


def load_unbuilt(session: Any, name: str) -> dict[str, Any]:
    """A model not built yet: its SQL as written (dbt models) and its lineage."""
    from console.sql.lineage import lineage
    from console.sql.overview import declared_source

    catalog = session._engine.catalog if session._engine is not None else None
    found = declared_source(catalog, name)
    if found is None:
        sql = "(its SQL is made by its Python function when it runs)"
    else:
        kind, file, raw = found
        where = file.relative_to(session.project.root) if file.is_relative_to(session.project.root) else file
        if kind == "seed":
            sql = f"-- {where}, a seed not loaded yet: its first lines\n{_head_of(file)}"
        else:
            sql = f"-- {where}, as written (not built yet)\n{raw.rstrip()}"
    try:
        graph = lineage(catalog, session.store.db, name) if catalog is not None else None
    except OpsConsoleError:
        graph = None
    return {"sql": sql, "lineage": graph}


def _head_of(file: Path, lines: int = PREVIEW_ROWS) -> str:
    try:
        with file.open(encoding="utf-8", errors="replace") as f:
            return "".join(line for _, line in zip(range(lines), f, strict=False)).rstrip()
    except OSError as exc:
        return f"(cannot read it: {exc.strerror})"


DATA_KEYS = ("table", "materialized", "rows", "built", "run", "tests")


class DataPane(Vertical, FitsColumns):
    BINDINGS = [Binding("r", "reload", "reload")]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rows: dict[str, dict[str, Any]] = {}
        self._stale = True

    @property
    def console_app(self) -> OpsConsoleApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static("", id="data-summary")
        with Horizontal(id="data-main"):
            yield SafeTable(cursor_type="row", id="data-tables")
            with Vertical(id="data-right"):
                yield Static(" PREVIEW  (enter on a table)", id="data-preview-title", classes="title")
                yield DataTable(id="data-preview")
        # the whole width: under the preview only, the SQL had ~30 columns beside the lineage and wrapped every few words
        with Horizontal(id="data-bottom"):
            with VerticalScroll(id="data-sql-box"):
                yield Static("", id="data-sql")
            yield Static("", id="data-lineage")
        yield KafkaLagPanel(id="data-kafka")  # shown only for projects with Kafka sources

    TABLE_COLUMNS = {
        "data-tables": [Column("table", 12, flex=True, cap=28), Column("materialized", 12, drop=1),
                        Column("rows", 8), Column("built", 11, drop=2), Column("run", 4, drop=3),
                        Column("tests", 5)],
    }  # fmt: skip

    def on_mount(self) -> None:
        self.fit_tables()

    def refill(self, table_id: str) -> None:
        rows = list(self.rows.values())
        self.rows = {}
        self.show_rows(rows, self.console_app.clock())

    def stale(self) -> None:
        self._stale = True
        if self.display and self.region.height > 0:
            self.refresh_data()

    def action_reload(self) -> None:
        self.refresh_data()
        self.query_one(KafkaLagPanel).refresh_lag()

    @work(exclusive=True, group="data")
    async def refresh_data(self) -> None:
        app = self.console_app
        try:
            rows = await app.threads.read(load_overview, app.session)
        except OpsConsoleError as exc:
            self.query_one("#data-summary", Static).update(safe(f" DATA  {exc}", "yellow"))
            return
        self._stale = False
        self.show_rows(rows, app.clock())
        lag = self.query_one(KafkaLagPanel)
        if lag.read_at is None:  # then on its own slow timer, not on every store change
            lag.refresh_lag()

    def show_rows(self, rows: list[dict[str, Any]], now: float) -> None:
        table = self.query_one("#data-tables", DataTable)
        keep = table.cursor_row
        new = {r["name"]: r for r in rows}
        if not self.fitted("data-tables"):
            self.rows = new
            return
        if list(new) != list(self.rows):
            table.clear()
            for name, r in new.items():
                table.add_row(*self.pick("data-tables", self._cells(r, now)), key=name)
            if rows:
                table.move_cursor(row=min(keep, len(rows) - 1))
        else:
            for name, r in new.items():
                cells = self._cells(r, now)
                for key, cell in zip(
                    [k for k, _ in self._layout["data-tables"]], self.pick("data-tables", cells), strict=True
                ):
                    table.update_cell(name, key, cell)
        self.rows = new
        built = sum(1 for r in rows if r["built_at"])
        self.query_one("#data-summary", Static).update(
            Text(f" DATA  {len(rows)} tables and models, {built} built", style="bold")
        )

    @staticmethod
    def _cells(r: dict[str, Any], now: float) -> dict[str, Any]:
        total, passed = r["tests_total"], r["tests_passed"]
        tests = (
            Text("-") if not total else Text(f"{passed}/{total}", style="green" if passed == total else "red")
        )
        return dict(zip(DATA_KEYS, [
            safe(r["name"]),
            safe(r["materialized"] or "-"),
            Text(number(r["rows"]), justify="right") if r["rows"] is not None else Text("-", justify="right"),
            Text(clock_time(r["built_at"], now))
            if r["built_at"]
            else Text("-" if r["kind"] else "never", style="dim"),  # "-": a table no run of ours built
            Text(str(r["run_id"] or "-"), justify="right"),
            tests,
        ], strict=True))  # fmt: skip

    @on(DataTable.RowSelected, "#data-tables")
    def _selected(self, event: DataTable.RowSelected) -> None:
        name = str(event.row_key.value)
        row = self.rows.get(name, {})
        if row.get("built_at") or row.get("kind"):
            self.show_preview(name)
        else:
            self.show_unbuilt(name, str(row.get("pipeline") or ""))

    @work(exclusive=True, group="data-preview")
    async def show_unbuilt(self, name: str, pipeline: str) -> None:
        """A model never built: no rows (none of another table's left standing), its SQL as written and its lineage."""
        app = self.console_app
        self.query_one("#data-preview", DataTable).clear(columns=True)
        run = f"run pipeline {pipeline}" if pipeline else "run its pipeline"
        self.query_one("#data-preview-title", Static).update(safe(f" {name}: not built yet ({run})"))
        try:
            data = await app.threads.read(load_unbuilt, app.session, name)
        except OpsConsoleError as exc:
            data = {"sql": f"({exc})", "lineage": None}
        self._show_sql(data["sql"], data["lineage"])

    @work(exclusive=True, group="data-preview")
    async def show_preview(self, name: str) -> None:
        app = self.console_app
        title = self.query_one("#data-preview-title", Static)
        title.update(safe(f" PREVIEW  {name}  loading…"))
        try:
            data = await app.threads.read(load_preview, app.session, name)
        except OpsConsoleError as exc:
            title.update(safe(f" PREVIEW  {name}: {exc}", "yellow"))
            return
        grid = self.query_one("#data-preview", DataTable)
        grid.clear(columns=True)
        rows = [[safe("NULL", "dim") if v is None else safe(v) for v in row] for row in data["rows"]]
        for i, col in enumerate(data["columns"]):
            # each column as wide as its widest cell from the start (an auto-width column took its
            # width at the table's next idle, and a screen drawn before that showed it cut)
            header = safe(col)
            width = max([header.cell_len, *(row[i].cell_len for row in rows if i < len(row))])
            grid.add_column(header, width=width)  # no key: a query may repeat a column name
        for cells in rows:
            grid.add_row(*cells)
        title.update(safe(f" PREVIEW  {name}  first {len(data['rows'])} rows", "bold"))
        # a model's compiled SQL starts with the blank lines its config() line rendered to
        sql = (data.get("compiled_sql") or "").lstrip("\n") or "(no compiled SQL recorded)"
        self._show_sql(sql, data.get("lineage"))

    def _show_sql(self, sql: str, graph: dict[str, Any] | None) -> None:
        """The SQL box from its first line (not where the last table's was scrolled to), and the lineage."""
        self.query_one("#data-sql", Static).update(safe(sql, lines=True))
        self.query_one("#data-sql-box", VerticalScroll).scroll_home(animate=False)
        self.query_one("#data-lineage", Static).update(self._lineage_text(graph))

    @staticmethod
    def _lineage_text(graph: dict[str, Any] | None) -> Text:
        text = Text(" LINEAGE\n", style="bold")
        if graph is None:
            text.append(" (not a model of a loaded pipeline)")
            return text
        for side in ("upstream", "downstream"):
            text.append(f" {side}\n", style="bold")
            if not graph[side]:
                text.append("   (none)\n", style="dim")
            for item in graph[side]:
                text.append("  " + "  " * item["depth"])
                text.append_text(safe(f"{item['name']} ({item['kind']})"))
                text.append("\n")
        return text
