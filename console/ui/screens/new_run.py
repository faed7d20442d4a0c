"""``n``: pick a pipeline and optionally override params as ``k=v`` pairs."""

from __future__ import annotations

import json

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from console.presentation import printable
from console.ui.tail import PipelineInfo

NewRun = tuple[str, list[str]]


class NewRunModal(ModalScreen[NewRun | None]):
    """Dismisses with ``(pipeline, ["k=v", ...])``, or None when cancelled."""

    DEFAULT_CSS = """
    NewRunModal { align: center middle; }
    NewRunModal > Vertical {
        width: 70; max-width: 95%; height: auto; max-height: 90%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    NewRunModal OptionList { height: auto; max-height: 10; }
    NewRunModal #defaults { color: $text-muted; height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "cancel")]

    def __init__(self, pipelines: list[PipelineInfo], default: str | None = None) -> None:
        super().__init__()
        self.pipelines = {p.name: p for p in pipelines if p.status == "ok"}
        self.default = default if default in self.pipelines else None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("[b]New run[/b]: pick a pipeline (enter), then params")
            yield OptionList(*[Option(Text(printable(name)), id=name) for name in self.pipelines], id="pick")
            yield Static("", id="defaults")
            yield Input(placeholder="params: k=v k2=v2 (empty: defaults); enter starts", id="params")

    def on_mount(self) -> None:
        pick = self.query_one(OptionList)
        if self.default is not None:
            pick.highlighted = list(self.pipelines).index(self.default)
        elif self.pipelines:
            pick.highlighted = 0
        pick.focus()
        self._show_defaults()

    def _selected(self) -> str | None:
        pick = self.query_one(OptionList)
        if pick.highlighted is None:
            return None
        return pick.get_option_at_index(pick.highlighted).id

    def _show_defaults(self) -> None:
        name = self._selected()
        info = self.pipelines.get(name) if name else None
        text = (
            "no pipelines to run"
            if info is None
            else "defaults: "
            + (" ".join(f"{k}={json.dumps(v)}" for k, v in info.params.items()) or "(no params)")
        )
        self.query_one("#defaults", Static).update(Text(printable(text)))  # param defaults are data

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_defaults()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.query_one("#params", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        name = self._selected()
        if name is None:
            self.dismiss(None)
            return
        self.dismiss((name, event.value.split()))

    def action_cancel(self) -> None:
        self.dismiss(None)
