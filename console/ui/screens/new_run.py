"""``n``: pick a pipeline (type to filter), optionally override params as ``k=v`` pairs.

The run is started from the dialog: an unknown or badly typed param keeps it open with the
error under the params, instead of a toast that vanishes with the dialog.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from console.presentation import printable
from console.ui.tail import PipelineInfo

NewRun = tuple[str, list[str]]
# starts the run; returns None when started, else the error to show in the dialog
Starter = Callable[[str, list[str]], Awaitable[str | None]]


class PickList(OptionList):
    """An option list whose cursor stops at the ends (Up on the first row stays there)."""

    def action_cursor_up(self) -> None:
        if self.highlighted is None or self.highlighted > 0:
            super().action_cursor_up()

    def action_cursor_down(self) -> None:
        if self.highlighted is None or self.highlighted < self.option_count - 1:
            super().action_cursor_down()


class NewRunModal(ModalScreen[NewRun | None]):
    """Dismisses with ``(pipeline, ["k=v", ...])`` once started, or None when cancelled."""

    DEFAULT_CSS = """
    NewRunModal { align: center middle; }
    NewRunModal > Vertical {
        width: 70; max-width: 95%; height: auto; max-height: 90%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    NewRunModal PickList { height: auto; max-height: 30vh; }  /* the modal fits 24 rows */
    NewRunModal #defaults { color: $text-muted; height: auto; }
    NewRunModal #error { color: $error; height: auto; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "cancel"),
        Binding("down", "move(1)", "next", show=False),
        Binding("up", "move(-1)", "previous", show=False),
    ]

    def __init__(
        self, pipelines: list[PipelineInfo], default: str | None = None, start: Starter | None = None
    ) -> None:
        super().__init__()
        self.pipelines = {p.name: p for p in pipelines if p.status == "ok"}
        self.default = default if default in self.pipelines else None
        self.start = start
        self.shown: list[str] = list(self.pipelines)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("[b]New run[/b]: type to filter, up/down, enter picks; then params")
            yield Input(placeholder="filter pipelines", id="find")
            yield PickList(*[Option(Text(printable(name)), id=name) for name in self.pipelines], id="pick")
            yield Static("", id="defaults")
            yield Input(placeholder="params k=v k2=v2 (none: defaults), enter runs", id="params")
            yield Static("", id="error")

    def on_mount(self) -> None:
        pick = self.query_one(PickList)
        if self.default is not None:
            pick.highlighted = self.shown.index(self.default)
        elif self.shown:
            pick.highlighted = 0
        self.query_one("#find", Input).focus()
        self._show_defaults()

    def _selected(self) -> str | None:
        pick = self.query_one(PickList)
        if pick.highlighted is None or not self.shown:
            return None
        return pick.get_option_at_index(pick.highlighted).id

    def _show_defaults(self) -> None:
        name = self._selected()
        info = self.pipelines.get(name) if name else None
        text = (
            "no pipeline matches"
            if info is None
            else "defaults: "
            + (" ".join(f"{k}={json.dumps(v)}" for k, v in info.params.items()) or "(no params)")
        )
        self.query_one("#defaults", Static).update(Text(printable(text)))  # param defaults are data

    def action_move(self, step: int) -> None:
        """Up/down while typing in the filter or the params move the pick list's cursor."""
        pick = self.query_one(PickList)
        if pick.has_focus:
            return  # the list's own keys handle it
        pick.action_cursor_down() if step > 0 else pick.action_cursor_up()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "find":
            self._filter(event.value)
        else:
            self.query_one("#error", Static).update("")

    def _filter(self, text: str) -> None:
        keep = self._selected()
        words = text.lower().split()
        self.shown = [n for n in self.pipelines if all(w in n.lower() for w in words)]
        pick = self.query_one(PickList)
        pick.clear_options()
        pick.add_options([Option(Text(printable(name)), id=name) for name in self.shown])
        if self.shown:
            pick.highlighted = self.shown.index(keep) if keep in self.shown else 0
        self._show_defaults()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_defaults()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.query_one("#params", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "find":
            if self._selected() is not None:
                self.query_one("#params", Input).focus()
            return
        name = self._selected()
        if name is None:
            self.query_one("#error", Static).update(Text("pick a pipeline first"))
            return
        choice = (name, event.value.split())
        if self.start is None:
            self.dismiss(choice)
        else:
            self._start(choice)

    @work(exclusive=True, group="new-run")
    async def _start(self, choice: NewRun) -> None:
        assert self.start is not None
        self.query_one("#error", Static).update(Text("starting…", style="dim"))
        error = await self.start(*choice)
        if error is None:
            self.dismiss(choice)
        else:
            self.query_one("#error", Static).update(Text(error))
            self.query_one("#params", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
