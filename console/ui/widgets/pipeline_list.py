"""The side list of pipelines: ok ones plain, broken ones marked in red with their error."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets.data_table import CellDoesNotExist

from console.ui.cells import truncate
from console.ui.tail import PipelineInfo
from console.ui.widgets.safe_table import SafeTable


class PipelineList(SafeTable):
    """One row per pipeline; a broken one takes two rows' height to show why."""

    DEFAULT_CSS = """
    PipelineList { width: 30; overflow-x: hidden; }
    PipelineList.-narrow { width: 22; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", show_header=True, **kwargs)
        self.infos: dict[str, PipelineInfo] = {}
        self.paused: set[str] = set()

    def on_mount(self) -> None:
        self.add_column("pipelines", key="name")
        if not self.infos:  # importing the pipeline files takes a moment: say so, not an empty list
            self.add_row(Text("loading pipelines…", style="dim italic"), key="")

    def show(self, infos: list[PipelineInfo]) -> None:
        keep = self.selected_name()
        self.clear(columns=True)  # the column too: it keeps the widest row it ever had otherwise
        width = max(10, (self.size.width or 30) - 3)
        # as wide as the rows are cut for, from the start: an auto width came at the table's next
        # idle, and a screen drawn before it wrapped a broken pipeline's row at the header's width
        self.add_column("pipelines", key="name", width=width)
        # Keys are the names; a name declared twice (the second is listed broken, as the CLI does)
        # gets a numbered key, since a DataTable refuses two rows with one key.
        self.infos = {}
        for info in sorted(infos, key=lambda p: (p.name, p.status != "ok")):
            key, n = info.name, 1
            while key in self.infos:
                n += 1
                key = f"{info.name}\x00{n}"
            self.infos[key] = info
        self._built_for = self.size.width
        for key, info in self.infos.items():
            if info.status == "ok":
                state, style = ("paused", "bold yellow") if info.name in self.paused else ("ok", "green")
                cell = Text(truncate(info.name, width - 2 - len(state)))
                cell.append(" " * max(1, width - 1 - len(state) - len(cell.plain)))
                cell.append(state, style=style)
                self.add_row(cell, key=key)
            else:
                cell = Text(truncate(info.name, width - 8), style="bold red")
                cell.append(" " * max(1, width - 7 - len(cell.plain)))
                cell.append("BROKEN", style="bold white on red")
                cell.append("\n  " + truncate(info.brief or info.error or "", width - 3), style="red")
                self.add_row(cell, key=key, height=2)
        if not infos:
            self.add_row(Text("none yet: add pipelines/*.py", style="dim"), key="")
        if keep in self.infos:
            self.move_cursor(row=self.get_row_index(keep))

    _built_for = 0  # the width the rows were cut for

    def on_resize(self) -> None:
        # the rows are cut to the list's width: a narrower layout (140 -> 80 columns) cuts them again,
        # or the table would cut the names silently and hide the state after them
        if self.infos and self.size.width != self._built_for:
            self.show(list(self.infos.values()))

    def set_paused(self, names: set[str]) -> None:
        """Mark paused pipelines (``P`` toggles; ``opsconsole pause`` from a shell shows too)."""
        if names != self.paused:
            self.paused = set(names)
            self.show(list(self.infos.values()))

    def selected_name(self) -> str | None:
        if not self.row_count:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except CellDoesNotExist:  # empty or shrinking table
            return None
        info = self.infos.get(key.value or "")
        return info.name if info is not None else key.value

    def ok_names(self) -> list[str]:
        return [p.name for p in self.infos.values() if p.status == "ok"]
