"""``opsconsole recover RUN [--force] [--reason WHY]``: end a run whose process is gone.

Runs of this host are recovered on their own at start-up once their process is provably
gone; this command does it on demand, and, with ``--force``, for a run recorded by another
host (a re-created container, a machine that is gone), which this host cannot check.
Every recovery is an audit row (who, when, from which host, why), shown by ``show``.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from console.headless.output import console, print_json, status_text

if TYPE_CHECKING:
    from console.session import Session


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "recover", parents=[common], help="end a run whose process is gone (--force: of another host)"
    )
    p.add_argument("run")
    p.add_argument(
        "--force", action="store_true", help="recover a run of another host, which cannot be checked"
    )
    p.add_argument("--reason", default=None, help="why (kept in the audit row)")
    p.set_defaults(func=cmd_recover)


def cmd_recover(args: argparse.Namespace, session: Session) -> int:
    from console.errors import ReadOnlyError
    from console.registry.aliases import current_user
    from console.store.recovery import recover
    from console.store.runs import get_run_row, resolve_run_id, run_to_json

    if session.read_only:
        raise ReadOnlyError("read-only mode: recover changes a run's state and is disabled")
    db = session.store.db
    run_id = resolve_run_id(db, args.run)
    rec = recover(db, run_id, user=current_user(), force=args.force, reason=args.reason)
    run = get_run_row(db, run_id)
    if args.json:
        print_json(run_to_json(run) | {"recovery": rec.to_json()})
        return 0
    from rich.markup import escape

    where = f"host {rec.run_host}" if rec.run_host else "an unknown host"
    how = "forced: its host could not be checked" if rec.forced else "its process is gone"
    console().print(
        f"run {run_id} {escape(run['pipeline'])} (from {escape(where)}, pid {rec.run_pid or '?'}) is now "
        f"{status_text(run['status'])} ({how}); rerun it with `opsconsole rerun {run_id}`"
    )
    return 0
