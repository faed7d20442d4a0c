"""``d`` on two marked runs: what changed between them (params, code, tasks, metrics, checks)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer
from textual.screen import Screen
from textual.widgets import Static

from console.diff_text import diff_text
from console.store.run_diff import diff_runs
from console.ui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from console.ui.app import OpsConsoleApp


def styled(line: str) -> Text:
    """Colour a diff line: source +/- lines, changed rows (``*``), the cross-pipeline note."""
    body = line.lstrip()
    if line.startswith("  +") and not line.startswith("  +++"):
        return Text(line, style="green")
    if line.startswith("  -") and not line.startswith("  ---"):
        return Text(line, style="red")
    if body.startswith("* "):
        return Text(line, style="bold yellow")
    if line.startswith("note:"):
        return Text(line, style="bold magenta")
    if not line.startswith(" "):
        return Text(line, style="bold")
    return Text(line)


class DiffScreen(Screen[None]):
    # lines are not wrapped (a task row read as two at 60 columns): the box scrolls sideways, as `less -S`
    DEFAULT_CSS = "DiffScreen #diff { padding: 0 1; height: auto; width: auto; }"
    BINDINGS = [Binding("escape,d", "back", "back")]

    def __init__(self, a: int, b: int) -> None:
        super().__init__()
        self.a, self.b = a, b

    @property
    def console_app(self) -> OpsConsoleApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with ScrollableContainer():
            yield Static(Text(f"diff of runs {self.a} and {self.b}…", style="dim"), id="diff")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True, group="diff")
    async def load(self) -> None:
        app = self.console_app
        try:
            result = await app.threads.read(diff_runs, app.store.db, self.a, self.b)
        except Exception as exc:  # noqa: BLE001 - a run removed meanwhile
            self.query_one("#diff", Static).update(Text(str(exc), style="red"))
            return
        self.query_one("#diff", Static).update(Text("\n", no_wrap=True).join(styled(ln) for ln in diff_text(result)))

    def action_back(self) -> None:
        self.app.pop_screen()
