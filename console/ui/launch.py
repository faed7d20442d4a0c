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
    from console.engine import logs
    from console.engine.shutdown import exit_past_stuck_tasks
    from console.ui.app import OpsConsoleApp

    # wrap the terminal's stdout before Textual swaps in its own: when Textual puts it back
    # at exit, task output still goes to the task logs, not into the user's shell
    logs.install()
    app = OpsConsoleApp(session, idle_gc=True)
    code = app.run()
    result = int(app.return_code) if app.return_code not in (None, 0) else int(code or 0)
    # quit cancels this console's runs; a task that ignores cancel must not hold the shell
    exit_past_stuck_tasks(result, session.close)
    return result
