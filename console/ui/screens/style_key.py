"""What a suspended screen's styles depend on, so a reused screen is restyled only when it changed.

Textual restyles every widget of a screen each time it is pushed (``ScreenResume``'s
``refresh_styles``): a suspended screen misses changes to the app's classes, pseudo-classes
(focus, dark) and theme. For the run detail, composed once and pushed on every ``enter``,
that restyle was ~15% of the key's time, and the virtual nodes Textual builds for each
table's component classes were most of the garbage a full collection had to free. Its own
widgets' class changes while suspended are applied at once (``add_class`` restyles the
node whatever screen it is on), so these inputs are all that can make its styles stale.
"""

from __future__ import annotations

from typing import Any

from textual.app import App


def css_inputs(app: App[Any]) -> tuple[object, ...]:
    """The app-wide inputs of every node's styles: equal means a screen's styles still hold."""
    sheet = app.stylesheet
    return (
        app.theme,
        frozenset(app.classes),
        frozenset(app.get_pseudo_classes()),
        app.size,
        id(sheet),
        len(sheet.rules),
    )
