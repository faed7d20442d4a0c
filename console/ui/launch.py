"""Opening the console from the CLI: ``opsconsole`` with no command on a terminal."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from console.session import Session


def run_console(args: argparse.Namespace, session: Session) -> int:
    """Run the console until the user quits; returns the exit code.

    The project and the store are opened before the screen switches to the console, so a
    bad project or an unusable store is the CLI's usual one-line error, not a broken screen.
    """
    session.project  # noqa: B018 - raises ProjectError with one clear line
    session.store  # noqa: B018 - raises StoreError with one clear line
    from console.ui.app import OpsConsoleApp

    app = OpsConsoleApp(session, idle_gc=True)
    code = app.run()
    if app.return_code not in (None, 0):
        return int(app.return_code)
    return int(code or 0)
