"""The side list of pipelines: ok ones plain, broken ones marked in red with their error."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from console.ui.cells import truncate
from console.ui.tail import PipelineInfo


class PipelineList(DataTable[Any]):
    """One row per pipeline; a broken one takes two rows' height to show why."""

    DEFAULT_CSS = """
    PipelineList { width: 30; }
    PipelineList.-narrow { width: 22; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", show_header=True, **kwargs)
        self.infos: dict[str, PipelineInfo] = {}

    def on_mount(self) -> None:
        self.add_column("pipelines", key="name")
        if not self.infos:  # importing the pipeline files takes a moment: say so, not an empty list
            self.add_row(Text("loading pipelines…", style="dim italic"), key="")

    def show(self, infos: list[PipelineInfo]) -> None:
        keep = self.selected_name()
        self.clear()
        self.infos = {p.name: p for p in infos}
        width = max(10, (self.size.width or 30) - 3)
        for info in infos:
            if info.status == "ok":
                cell = Text(truncate(info.name, width - 4))
                cell.append(" " * max(1, width - 3 - len(cell.plain)))
                cell.append("ok", style="green")
                self.add_row(cell, key=info.name)
            else:
                cell = Text(truncate(info.name, width - 8), style="bold red")
                cell.append(" " * max(1, width - 7 - len(cell.plain)))
                cell.append("BROKEN", style="bold white on red")
                cell.append("\n  " + truncate(info.brief or info.error or "", width - 3), style="red")
                self.add_row(cell, key=info.name, height=2)
        if not infos:
            self.add_row(Text("none yet: add pipelines/*.py", style="dim"), key="")
        if keep in self.infos:
            self.move_cursor(row=self.get_row_index(keep))

    def selected_name(self) -> str | None:
        if not self.row_count:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except Exception:  # noqa: BLE001 - empty or shrinking table
            return None
        return key.value

    def ok_names(self) -> list[str]:
        return [n for n, p in self.infos.items() if p.status == "ok"]
