"""The console app as its panes, screens and palette see it: typed, without a ``type: ignore``.

Textual's ``self.app`` is typed as the base ``App``. ``getters.app(OpsConsoleApp)`` would
type it, but it needs the class when the pane's class is created, and ``ui/app.py`` imports
the panes: the descriptor here resolves the class on first use instead, and checks it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from textual.app import App

    from console.ui.app import OpsConsoleApp


class _HasApp(Protocol):
    @property
    def app(self) -> App[Any]: ...


class ConsoleApp:
    """``console_app = ConsoleApp()`` in a widget, screen or command provider: the running app."""

    def __get__(self, obj: _HasApp, owner: type[Any] | None = None) -> OpsConsoleApp:
        from console.ui.app import OpsConsoleApp

        app = obj.app
        if not isinstance(app, OpsConsoleApp):
            raise TypeError(f"{type(obj).__name__} runs only inside the ops console, not {type(app).__name__}")
        return app
