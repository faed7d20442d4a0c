"""The Models tab's alias history: its rows, the columns that fit its box, rollback's target."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from console.ui.widgets.column_fit import CELL_PADDING

PRODUCTION = "production"
HISTORY_KEYS = ("at", "alias", "change", "why")  # who: in the line under the table
WHY_MIN = 12


def history_layout(cells: list[dict[str, Any]], width: int) -> list[tuple[str, int]]:
    """``(key, width)`` of the alias history's columns in a box ``width`` cells wide: alias and
    change always (change cut with "…" when even they do not fit); "why" takes what is left when
    at least WHY_MIN; "at" only with room to spare. The line under the table shows the
    highlighted row in full."""
    room = max(0, width - 2)  # a vertical scrollbar
    natural = {k: max([len(k)] + [Text(str(c[k])).cell_len for c in cells]) for k in HISTORY_KEYS}
    pad = CELL_PADDING
    alias = min(natural["alias"], 16)
    change = natural["change"]
    core = alias + change + 2 * pad
    if core > room:
        change = max(7, room - alias - 2 * pad)
        return [("alias", max(4, min(alias, room - change - 2 * pad))), ("change", change)]
    shown = [("alias", alias), ("change", change)]
    if core + WHY_MIN + pad <= room:
        if core + natural["at"] + pad + WHY_MIN + pad <= room:
            shown.insert(0, ("at", natural["at"]))
        used = sum(w + pad for _, w in shown)
        shown.append(("why", min(natural["why"], 80, room - used - pad) if natural["why"] else WHY_MIN))
    return shown


def alias_change(h: dict[str, Any]) -> Text:
    """``v1 → v2``; a refused gate names its challenger as the CLI does: ``kept v7 (challenger v8)``."""
    if h.get("action") == "gate-refused":
        challenger = (h.get("gate") or {}).get("challenger")
        kept = f"v{h['from_version']}" if h["from_version"] else "—"
        return Text(f"kept {kept} (challenger v{challenger})", style="yellow")
    change = " → ".join(f"v{v}" if v else "—" for v in (h["from_version"], h["to_version"]))
    return Text(change, style="" if h.get("changed", True) else "dim")


def history_at(h: dict[str, Any]) -> str:
    return (h["at"] or "")[5:16].replace("T", " ")


def previous_holder(history: list[dict[str, Any]], alias: str = PRODUCTION) -> int | None:
    """Where ``rollback`` would move ``alias``: the holder before the current one."""
    from console.registry.aliases import chain

    rows = [
        {"command": f"{h['action']}: ", "to_version": h["to_version"]}
        for h in history
        if h["alias"] == alias and h.get("changed", True)
    ]
    stack = chain(rows)
    return stack[-2] if len(stack) >= 2 else None
