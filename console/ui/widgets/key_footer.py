"""The bottom line: the keys of the focused view that fit the width, then ``? keys``.

Textual's ``Footer`` mounts one widget per key and recomposes on every focus change (each
tab switch, each screen push), and the keys it drops keep a data binding on the footer, so
they were never freed (the console grew ~3 MB per tab/detail round trip, and the CSS and
mount work was a fifth of a key press). This is one widget drawing one line of text:
a focus change recomputes the line and repaints only if it changed. Keys that do not fit
are left out whole (never cut), and ``? keys`` says where the rest are.
"""

from __future__ import annotations

from typing import NamedTuple

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

GAP = 2  # spaces between two keys
MORE = ("?", "keys")  # shown last when some keys did not fit; `?` opens the help with all of them
PALETTE = ("^p", "palette")


class FooterItem(NamedTuple):
    """One key as shown: what to press, what it does, and whether it does anything now."""

    key: str  # the key name to simulate on click
    display: str
    description: str
    enabled: bool = True

    @property
    def width(self) -> int:
        return cell_len(self.display) + 1 + cell_len(self.description)


def fit_items(items: list[FooterItem], width: int, *, palette: bool) -> tuple[list[FooterItem], bool, bool]:
    """The items that fit in ``width`` cells, whether ``? keys`` follows, whether the palette key fits.

    Keys keep their order; one that does not fit is dropped whole with all after it, so the
    line reads left to right as the help lists them. ``? help`` itself is replaced by
    ``? keys`` when anything is dropped.
    """

    def span(row: list[FooterItem]) -> int:
        return 1 + sum(item.width for item in row) + GAP * max(0, len(row) - 1)

    more = FooterItem("question_mark", *MORE)
    pal = FooterItem("ctrl+p", *PALETTE)
    if span(items) <= width:
        room = width - span(items)
        return items, False, palette and room >= pal.width + GAP + 2
    shown: list[FooterItem] = []
    rest = [item for item in items if item.key != "question_mark"]
    for item in rest:
        if span([*shown, item, more]) > width:
            break
        shown.append(item)
    return shown, True, False


class FooterLine(NamedTuple):
    """What the line shows, at which width: compared to skip repaints that change nothing."""

    shown: tuple[FooterItem, ...]
    more: bool
    palette: bool
    width: int


class KeyFooter(Widget):
    """The active bindings of this screen that have ``show=True``, on one line."""

    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
        .key-footer--key { color: $footer-key-foreground; text-style: bold; }
        .key-footer--description { color: $footer-description-foreground; }
    }
    """
    COMPONENT_CLASSES = {"key-footer--key", "key-footer--description"}

    def __init__(self, *, palette: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.palette = palette
        self._items: list[FooterItem] = []
        self._line: FooterLine | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.call_after_refresh(self.update_keys)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen:
            self.update_keys()

    def on_resize(self, event: events.Resize) -> None:
        self._refit(event.size.width)

    def update_keys(self) -> None:
        """Read the screen's active bindings; repaint only if the line changes."""
        items = []
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if binding.show:
                items.append(
                    FooterItem(binding.key, self.app.get_key_display(binding), binding.description, enabled)
                )
        self._items = items
        self._refit(self.size.width)

    def _refit(self, width: int) -> None:
        shown, more, palette = fit_items(self._items, width, palette=self.palette)
        line = FooterLine(tuple(shown), more, palette, width)
        if line != self._line:
            self._line = line
            self.refresh()

    @property
    def shown(self) -> list[FooterItem]:
        """What the line shows now (``? keys`` and the palette key included): for tests."""
        if self._line is None:
            return []
        shown, more, palette, _ = self._line
        return [*shown, *([FooterItem("question_mark", *MORE)] if more else []),
                *([FooterItem("ctrl+p", *PALETTE)] if palette else [])]  # fmt: skip

    def render(self) -> Text:
        if self._line is None:
            return Text()
        shown, more, palette, width = self._line
        key_style = self.get_component_rich_style("key-footer--key")
        desc_style = self.get_component_rich_style("key-footer--description")
        text = Text(" ", no_wrap=True, overflow="crop")
        items = [*shown, *([FooterItem("question_mark", *MORE)] if more else [])]
        for i, item in enumerate(items):
            if i:
                text.append(" " * GAP)
            # a click presses the key: the meta is read back in on_click
            click = Style(meta={"footer_key": item.key})
            dim = Style(dim=not item.enabled)
            text.append(item.display, key_style + dim + click)
            text.append(" ", click)
            text.append(item.description, desc_style + dim + click)
        if palette:
            pal = FooterItem("ctrl+p", *PALETTE)
            pad = width - text.cell_len - pal.width - 2
            text.append(" " * max(1, pad))
            click = Style(meta={"footer_key": pal.key})
            text.append("▏", Style(dim=True))
            text.append(pal.display, key_style + click)
            text.append(" ", click)
            text.append(pal.description, desc_style + click)
        return text

    def on_click(self, event: events.Click) -> None:
        key = event.style.meta.get("footer_key")
        if isinstance(key, str):
            event.stop()
            self.app.simulate_key(key)
