"""Read-only mode: the keys that act are hidden from footer and palette, and refused."""

from __future__ import annotations

from dataclasses import replace

from textual.dom import DOMNode

ACTIONS = frozenset(
    {"new_run", "rerun", "rerun_failed", "cancel_run", "promote", "rollback", "mark_task", "toggle_pause"}
)
REFUSAL = "read-only mode: actions are disabled"


def hide_actions(node: DOMNode) -> None:
    """Keep the bindings (so a press can be refused with a message) but stop showing them."""
    table = node._bindings.key_to_bindings
    for key, bindings in table.items():
        table[key] = [
            replace(b, show=False) if b.action.removeprefix("app.") in ACTIONS else b for b in bindings
        ]
