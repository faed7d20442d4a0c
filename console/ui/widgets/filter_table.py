"""A DataTable whose rows can be narrowed by ``/`` text (client-side: small tables only)."""

from __future__ import annotations

from typing import Any

from textual.widgets.data_table import CellDoesNotExist, RowDoesNotExist

from console.ui.widgets.safe_table import SafeTable


class FilterTable(SafeTable):
    """Rows are ``(key, cells, haystack)``; ``filter_text`` keeps rows whose haystack has it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", **kwargs)
        self.all_rows: list[tuple[str, list[Any], str]] = []
        self.filter_text = ""

    def set_rows(self, rows: list[tuple[str, list[Any], str]]) -> None:
        self.all_rows = rows
        self._show()

    def set_filter(self, text: str) -> None:
        self.filter_text = text.lower()
        self._show()

    def _show(self) -> None:
        keep = self.selected_key()
        self.clear()
        for key, cells, hay in self.all_rows:
            if not self.filter_text or all(w in hay.lower() for w in self.filter_text.split()):
                self.add_row(*cells, key=key)
        if keep is not None:
            try:
                self.move_cursor(row=self.get_row_index(keep))
            except RowDoesNotExist:  # filtered out
                pass

    def selected_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except CellDoesNotExist:  # empty or shrinking table
            return None
