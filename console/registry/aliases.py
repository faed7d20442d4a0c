"""Moving aliases: promote, rollback, and the audit row every change leaves.

An audit row's ``command`` is ``"<action>: <invocation>"`` (action: ``promote``,
``rollback``, ``gate``), so the holder chain of an alias can be replayed: a promotion
pushes a version, a rollback pops back to the version it moved to. ``rollback`` moves the
alias to the holder before the current one in that chain, so two rollbacks walk back
two steps (v3 -> v2 -> v1) instead of bouncing between the last two.
"""

from __future__ import annotations

import getpass
import os
import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from console.errors import NoPreviousVersionError, NotFoundError
from console.registry import txn
from console.registry.names import PRODUCTION, check_name, check_version

if TYPE_CHECKING:
    from console.store.state import Store


@dataclass
class AliasChange:
    """What an alias move did (``changed`` is False when it already pointed there)."""

    name: str
    alias: str
    from_version: int | None
    to_version: int
    changed: bool
    reason: str | None
    at: float

    def describe(self) -> str:
        if not self.changed:
            return f"{self.name} {self.alias} already at v{self.to_version}; nothing changed"
        before = f"v{self.from_version}" if self.from_version is not None else "(none)"
        return f"{self.name} {self.alias}: {before} -> v{self.to_version}"


def current_user() -> str:
    """The OS user for audit rows (getpass can fail in containers without a passwd entry)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, or no login name, depending on the platform
        return os.environ.get("USER") or os.environ.get("LOGNAME") or f"uid:{os.getuid()}"


def invocation() -> str:
    """The command line that made a change, for the audit row."""
    argv0 = sys.argv[0] if sys.argv and sys.argv[0] else "python"
    prog = os.path.basename(argv0)
    if prog == "__main__.py":  # python -m console / python -m bench
        prog = os.path.basename(os.path.dirname(argv0)) or "python"
        prog = "opsconsole" if prog == "console" else f"python -m {prog}"
    return " ".join([prog, *sys.argv[1:]])[:500]


def move(
    tx: txn.Tx,
    name: str,
    alias: str,
    version: int,
    *,
    action: str,
    reason: str | None,
    command: str | None,
    run_id: int | None = None,
    task: str | None = None,
) -> AliasChange:
    """Point ``alias`` of ``name`` at ``version`` inside ``tx``, with its audit row and event."""
    if tx.one("SELECT 1 FROM model_versions WHERE name=? AND version=?", (name, version)) is None:
        if tx.one("SELECT 1 FROM model_versions WHERE name=? LIMIT 1", (name,)) is None:
            raise NotFoundError(f"no model named {name!r}")
        raise NotFoundError(f"model {name!r} has no version {version}")
    row = tx.one("SELECT version FROM aliases WHERE name=? AND alias=?", (name, alias))
    before = row["version"] if row is not None else None
    now = time.time()
    if before == version:
        return AliasChange(name, alias, before, version, False, reason, now)
    tx.execute(
        "INSERT INTO aliases (name, alias, version) VALUES (?, ?, ?)"
        " ON CONFLICT (name, alias) DO UPDATE SET version=excluded.version",
        (name, alias, version),
    )
    tx.execute(
        "INSERT INTO alias_history (at, user, name, alias, from_version, to_version, reason, command)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (now, current_user(), name, alias, before, version, reason, f"{action}: {command or invocation()}"),
    )
    change = AliasChange(name, alias, before, version, True, reason, now)
    tx.event(
        "alias.changed",
        {
            "name": name,
            "alias": alias,
            "from": before,
            "to": version,
            "action": action,
            "reason": reason,
            "summary": f"{action}: {change.describe()}",
        },
        run_id=run_id,
        task=task,
    )
    return change


def promote(
    store: Store,
    name: str,
    version: int | str,
    *,
    alias: str = PRODUCTION,
    reason: str | None = None,
    command: str | None = None,
) -> AliasChange:
    """Point ``alias`` (default ``production``) at ``version``; one audit row."""
    check_name(name)
    check_name(alias, "alias")
    number = check_version(version)
    with txn.write(store) as tx:
        return move(tx, name, alias, number, action="promote", reason=reason, command=command)


def chain(rows: list[Any]) -> list[int]:
    """Replay an alias's audit rows into its stack of holders (current holder last)."""
    stack: list[int] = []
    for r in rows:
        action = (r["command"] or "").partition(": ")[0]
        to = r["to_version"]
        if to is None:
            stack.clear()
            continue
        if action == "rollback" and to in stack:
            del stack[len(stack) - stack[::-1].index(to) :]  # back to its latest turn as holder
            continue
        if not stack or stack[-1] != to:
            stack.append(to)
    return stack


def rollback(
    store: Store,
    name: str,
    *,
    to: int | str | None = None,
    alias: str = PRODUCTION,
    reason: str | None = None,
    command: str | None = None,
) -> AliasChange:
    """Move ``alias`` back to its previous holder, or to version ``to``."""
    check_name(name)
    check_name(alias, "alias")
    target = check_version(to) if to is not None else None
    with txn.write(store) as tx:
        if tx.one("SELECT 1 FROM model_versions WHERE name=? LIMIT 1", (name,)) is None:
            raise NotFoundError(f"no model named {name!r}")
        current = tx.one("SELECT version FROM aliases WHERE name=? AND alias=?", (name, alias))
        if current is None:
            raise NoPreviousVersionError(f"model {name!r} has no {alias!r} alias: nothing to roll back")
        if target is None:
            rows = tx.conn.execute(
                "SELECT command, to_version FROM alias_history WHERE name=? AND alias=? ORDER BY id",
                (name, alias),
            ).fetchall()
            stack = chain(rows)
            if len(stack) < 2 or stack[-1] != current["version"]:
                raise NoPreviousVersionError(
                    f"model {name!r} {alias} is v{current['version']} with no previous holder to roll back to"
                    f" (use --to VERSION)"
                )
            target = stack[-2]
        why = reason or f"rollback from v{current['version']}"
        return move(tx, name, alias, target, action="rollback", reason=why, command=command)
