"""Tab 3, Models: models, versions with metrics and aliases, lineage, alias history, gates.

``p`` promotes the selected version to production and ``b`` rolls production back, both
through the registry API after a modal that names what will change.
"""

from __future__ import annotations

import json
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Static
from textual.widgets.data_table import CellDoesNotExist

from console.errors import OpsConsoleError
from console.presentation import printable
from console.ui.cells import clock_time, number, safe_text, truncate
from console.ui.host import ConsoleApp
from console.ui.panes.alias_history import (
    PRODUCTION,
    alias_change,
    history_at,
    history_layout,
    previous_holder,
)
from console.ui.readonly import REFUSAL
from console.ui.screens.confirm import ConfirmModal
from console.ui.widgets.column_fit import Column, FitsColumns, clip
from console.ui.widgets.filter_bar import FilterBar
from console.ui.widgets.filter_table import FilterTable
from console.ui.widgets.safe_table import SafeTable, still_highlighted

HELP = (
    "Left: registered models. Right: the selected model's versions (metrics, aliases, gate "
    "decision), the lineage of the selected version and the alias history. p points production at "
    "the selected version, b moves it back to its previous holder; both ask first."
)


def load_models(db: Any) -> list[dict[str, Any]]:
    from console.registry.queries import models_json

    return models_json(db)


def load_model(db: Any, name: str) -> tuple[list[Any], list[dict[str, Any]]]:
    from console.registry.queries import history, versions

    return versions(db, name), history(db, name)


class ModelsPane(Vertical, FitsColumns):
    BINDINGS = [
        Binding("p", "app.promote", "promote"),
        Binding("b", "app.rollback", "roll back"),
        Binding("slash", "filter", "filter"),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.models: dict[str, dict[str, Any]] = {}
        self.versions: dict[int, Any] = {}
        self.history: list[dict[str, Any]] = []
        self.model: str | None = None
        self._stale = True

    console_app = ConsoleApp()

    def compose(self) -> ComposeResult:
        yield Static("", id="models-summary")
        with Horizontal(id="models-main"):
            yield FilterTable(id="models")
            with Vertical(id="models-right"):
                yield Static(" VERSIONS", id="versions-title", classes="title")
                yield SafeTable(cursor_type="row", id="versions")
                with Horizontal(id="models-bottom"):
                    # scrolls: the gate line is the last and must be reachable at 80x24
                    with VerticalScroll(id="lineage-box"):
                        yield Static("", id="lineage")
                    with Vertical(id="alias-box"):
                        yield Static(" ALIAS HISTORY", classes="title")
                        yield SafeTable(cursor_type="row", id="alias-history")
                        yield Static("", id="alias-why")
        yield FilterBar("filter models by name")

    def on_mount(self) -> None:
        self.fit_tables()

    def stale(self) -> None:
        """The store changed: refresh now if shown, else when the tab is next opened."""
        self._stale = True
        if self.is_visible_tab():
            self.refresh_data()

    def is_visible_tab(self) -> bool:
        return self.display and self.parent is not None and self.region.height > 0

    @work(exclusive=True, group="models")
    async def refresh_data(self) -> None:
        read = self.console_app.threads.read
        try:
            models = await read(load_models, self.console_app.store.db)
        except ImportError as exc:
            self._unavailable(f"the model registry is not available in this build ({exc})")
            return
        self._stale = False
        self.models = {m["name"]: m for m in models}
        self._fill_models()
        table = self.query_one("#models", FilterTable)
        summary = Text(" MODELS", style="bold")
        if not models:
            summary.append(
                "  no models registered yet: a task calls ctx.register_model(name, model, metrics=...)",
                style="dim",
            )
        else:
            summary.append(f"  {len(models)} model(s)", style="dim")
        self.query_one("#models-summary", Static).update(summary)
        name = table.selected_key() or (models[0]["name"] if models else None)
        if name:
            await self._show_model(name)

    def _unavailable(self, why: str) -> None:
        self.query_one("#models-summary", Static).update(Text(f" MODELS  {why}", style="yellow"))

    @on(DataTable.RowHighlighted, "#models")
    async def _model_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if still_highlighted(event) and event.row_key.value and event.row_key.value != self.model:
            self.show_model(event.row_key.value)

    @work(exclusive=True, group="models-one")
    async def show_model(self, name: str) -> None:
        await self._show_model(name)

    async def _show_model(self, name: str) -> None:
        try:
            versions, history = await self.console_app.threads.read(
                load_model, self.console_app.store.db, name
            )
        except OpsConsoleError as exc:
            self._unavailable(str(exc))
            return
        keep = self._selected_version() if name == self.model else None
        self.model = name
        self.versions = {v.version: v for v in versions}
        self.history = history
        self._fill_versions(keep)
        title = Text(f" VERSIONS {printable(name)}", style="bold")
        self.query_one("#versions-title", Static).update(title)
        self._history_rows()
        self._lineage()

    TABLE_COLUMNS = {
        "models": [Column("model", 6, flex=True, cap=40), Column("prod", 4), Column("vers", 4, drop=1)],
        "versions": [Column("v", 4), Column("aliases", 10), Column("metrics", 12, flex=True, cap=64),
                     Column("run", 4, drop=3), Column("created", 14, drop=2), Column("gate", 16, drop=1)],
    }  # fmt: skip

    def refill(self, table_id: str) -> None:
        if table_id == "models":
            self._fill_models()
        else:
            self._fill_versions(self._selected_version())

    def _fill_models(self) -> None:
        if not self.fitted("models"):
            return
        rows = []
        for m in self.models.values():
            cells = {"model": m["name"], "prod": f"v{m['production']}" if m["production"] else "-",
                     "vers": Text(str(m["versions"]), justify="right")}  # fmt: skip
            rows.append((m["name"], self.pick("models", cells), m["name"]))
        self.query_one("#models", FilterTable).set_rows(rows)

    def _fill_versions(self, keep: int | None) -> None:
        if not self.fitted("versions"):
            return
        now = self.console_app.clock()
        table = self.query_one("#versions", DataTable)
        table.clear()
        for v in sorted(self.versions.values(), key=lambda v: -v.version):
            metrics = "  ".join(f"{k}={number(val)}" for k, val in list(v.metrics.items())[:3])
            gate = "-"
            if v.gate is not None:
                gate = "✓ promoted" if v.gate.promoted else "✗ kept champion"
            aliases = Text(", ".join(v.aliases), style="bold green" if PRODUCTION in v.aliases else "")
            cells = {
                "v": Text(f"v{v.version}", justify="right"),
                "aliases": aliases,
                "metrics": metrics,  # SafeTable: str cells are shown literally
                "run": str(v.run_id or "-"),
                "created": clock_time(v.created_at, now),
                "gate": gate,
            }
            table.add_row(*self.pick("versions", cells), key=str(v.version))
        if keep is not None and keep in self.versions:
            table.move_cursor(row=table.get_row_index(str(keep)))

    def _history_rows(self) -> None:
        """The alias history in the columns that fit its box (see :func:`history_layout`)."""
        width = self.query_one("#alias-box").size.width
        if not width:  # not laid out yet: the columns' room is known after the next refresh
            self.call_after_refresh(self._history_rows)
            return
        self._history_width = width
        hist = self.query_one("#alias-history", DataTable)
        keep = hist.cursor_row
        rows = list(reversed(self.history[-50:]))
        cells = [{"at": history_at(h), "alias": h["alias"], "change": alias_change(h),
                  "why": h["reason"] or h["action"] or ""} for h in rows]  # fmt: skip
        layout = history_layout(cells, width - 1)  # the box's left border
        if layout != self._history_layout:
            self._history_layout = layout
            hist.clear(columns=True)
            for key, w in layout:
                hist.add_column(key, key=key, width=w)
        else:
            hist.clear()
        for row in cells:
            hist.add_row(*(clip(row[k], w) for k, w in layout))  # SafeTable: str cells shown literally
        if rows:
            hist.move_cursor(row=min(keep, len(rows) - 1))
        self._why()

    @on(DataTable.RowHighlighted, "#alias-history")
    def _why(self) -> None:
        """The highlighted change in full under the table: when, what, why and by whom."""
        hist = self.query_one("#alias-history", DataTable)
        rows = list(reversed(self.history[-50:]))
        h = rows[hist.cursor_row] if rows and 0 <= hist.cursor_row < len(rows) else None
        text = Text()
        if h:
            shown = {k for k, _ in self._history_layout}
            if "at" not in shown:
                text.append(f" {history_at(h)}", style="dim")
            if "change" not in shown or alias_change(h).cell_len > dict(self._history_layout)["change"]:
                text.append(f" {printable(h['alias'])} ").append_text(alias_change(h))
            text.append(" why: ", style="bold")
            text.append(printable(h["reason"] or h["action"] or "-"))  # a user's words: shown, never obeyed
            text.append(f"  (by {printable(h['user'] or h['action'] or '-')})", style="dim")
        # the pad is the CSS's, so a wrapped line keeps it
        self.query_one("#alias-why", Static).update(text[1:] if text.plain.startswith(" ") else text)

    _history_layout: list[tuple[str, int]] = []
    _history_width = 0

    def on_resize(self) -> None:
        if self.history and self.query_one("#alias-box").size.width != self._history_width:
            self._history_rows()

    @on(DataTable.RowHighlighted, "#versions")
    def _version_highlighted(self) -> None:
        self._lineage()

    def _selected_version(self) -> int | None:
        table = self.query_one("#versions", DataTable)
        if not table.row_count:
            return None
        try:
            return int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or 0)
        except CellDoesNotExist:  # empty or shrinking table
            return None

    def _lineage(self) -> None:
        v = self.versions.get(self._selected_version() or -1)
        box = self.query_one("#lineage", Static)
        if v is None:
            box.update("")
            return
        text = Text(f"LINEAGE {v.name} v{v.version}\n", style="bold")
        text.append(f"run {v.run_id or '-'} task {v.task or '-'}\n")
        text.append(f"artifact {v.sha256[:12]} {v.size:,} B\n")
        text.append(f"data     {(v.data_sha256 or '-')[:12]}\n")
        if v.params:
            text.append("params " + truncate(json.dumps(v.params, default=str), 60) + "\n", style="dim")
        if v.metrics:
            text.append("metrics " + "  ".join(f"{k}={number(x)}" for k, x in v.metrics.items()) + "\n")
        if v.env:
            text.append("  ".join(f"{k} {x}" for k, x in list(v.env.items())[:3]) + "\n", style="dim")
        if v.gate is not None:
            text.append(
                "gate: " + truncate(v.gate.describe(), 120), style="green" if v.gate.promoted else "yellow"
            )
        box.update(safe_text(text))  # names, params and metrics are data (the pad is the CSS's: wrapped lines keep it)

    # -- actions ------------------------------------------------------------------------------
    def promote(self) -> None:
        version = self._selected_version()
        if self.model is None or version is None:
            self.app.notify("select a model version first (tab 3)", severity="warning")
            return
        current = self.models.get(self.model, {}).get("production")
        if current == version:
            self.app.notify(f"{self.model} v{version} is already production", severity="warning")
            return
        body = f"{self.model}: production moves from {'v' + str(current) if current else 'nothing'} to v{version}."
        modal = ConfirmModal("Promote?", body, confirm="Promote", ask_reason=True)
        self.app.push_screen(modal, lambda yes: self._do(yes, "promote", version, modal.reason))

    def rollback(self) -> None:
        if self.model is None:
            self.app.notify("select a model first (tab 3)", severity="warning")
            return
        current = self.models.get(self.model, {}).get("production")
        if current is None:
            self.app.notify(f"{self.model} has no production version to roll back", severity="warning")
            return
        target = previous_holder(self.history)
        if target is None:
            self.app.notify(f"{self.model} v{current} has no previous production holder", severity="warning")
            return
        body = f"{self.model}: production moves back from v{current} to v{target}."
        modal = ConfirmModal("Roll back?", body, confirm="Roll back", ask_reason=True)
        self.app.push_screen(modal, lambda yes: self._do(yes, "rollback", target, modal.reason))

    def _do(self, yes: bool | None, what: str, version: int, reason: str | None = None) -> None:
        if yes:
            self.run_worker(self._act(what, version, reason), group="models-act")

    async def _act(self, what: str, version: int, reason: str | None = None) -> None:
        app = self.console_app
        if app.read_only:
            app.notify(REFUSAL, severity="warning")
            return
        from console.registry import aliases

        name = self.model
        assert name is not None
        if what == "promote":
            change = await app._engine_call(
                lambda: aliases.promote(
                    app.store,
                    name,
                    version,
                    reason=reason or "promoted in the console",
                    command="console: promote",
                )
            )
        else:
            change = await app._engine_call(
                lambda: aliases.rollback(
                    app.store,
                    name,
                    to=version,
                    reason=reason or "rolled back in the console",
                    command="console: rollback",
                )
            )
        if change is not None:
            app.notify(change.describe(), title=what)
            await self._show_model(name)
            self.refresh_data()

    def action_filter(self) -> None:
        self.query_one(FilterBar).open()

    @on(FilterBar.Filter)
    def _filter(self, event: FilterBar.Filter) -> None:
        self.query_one("#models", FilterTable).set_filter(event.text)
        if event.done:
            self.query_one("#models", FilterTable).focus()
