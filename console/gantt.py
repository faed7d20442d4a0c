"""A run's timeline drawn as text: one bar per task, attempts and retry waits, the critical path.

Shared by ``opsconsole show RUN --timeline`` and the console's run detail (both print rich
``Text``, so task names are never parsed as markup).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from console.presentation import fmt_duration

if TYPE_CHECKING:
    from rich.text import Text

    from console.store.timeline import Timeline

OUTCOME_STYLE = {
    "succeeded": ("█", "green"),
    "failed": ("█", "red"),
    "retrying": ("▒", "magenta"),
    "running": ("█", "yellow"),
    "cancelled": ("█", "dark_orange"),
    "interrupted": ("█", "red"),
}
LEGEND = "█ attempt (colour = outcome)  ▒ failed attempt, retried  · retry wait  ★ critical path"


def gantt_lines(tl: Timeline, now: float, width: int = 60, name_width: int = 28) -> list[Text]:
    """One line per task: ``★ name  |   ███▒·██   |  took``, scaled to the run's span (``width``
    cells of bar; a name longer than ``name_width`` is cut with an ellipsis)."""
    from rich.text import Text

    name_w = min(max(4, *(len(b.task) for b in tl.bars)), name_width)
    start = tl.start or min((b.start for b in tl.bars if b.start is not None), default=None)
    end = tl.end or max((e for b in tl.bars if (e := b.end(now)) is not None), default=None)
    lines: list[Text] = []
    span = (end - start) if start is not None and end is not None else 0.0
    header = Text(f"  {'task':<{name_w}}  ", style="bold")
    header.append(f"0{'':<{width - 2 - len(fmt_duration(span))}}{fmt_duration(span)}", style="dim")
    lines.append(header)
    scale = width / span if span > 0 else 0.0
    for bar in tl.bars:
        line = Text("★ " if bar.critical else "  ", style="bold yellow")
        name = bar.task if len(bar.task) <= name_w else bar.task[: name_w - 1] + "…"
        line.append(f"{name:<{name_w}}", style="bold" if bar.critical else "")
        line.append(" │")
        cells = [(" ", "")] * width
        if start is not None and scale:
            prev_end: int | None = None
            for att in bar.attempts:
                a = int((att.start - start) * scale)
                b = int(((att.end if att.end is not None else now) - start) * scale)
                a, b = max(0, min(a, width - 1)), max(0, min(b, width - 1))
                if prev_end is not None:
                    for i in range(min(prev_end + 1, width), a):
                        cells[i] = ("·", "magenta")
                glyph, style = OUTCOME_STYLE.get(att.outcome, ("█", "dim"))
                for i in range(a, b + 1):
                    cells[i] = (glyph, style)
                prev_end = b
        for glyph, style in cells:
            line.append(glyph, style=style)
        line.append("│ ")
        took = [((a.end if a.end is not None else now) - a.start) for a in bar.attempts]
        if bar.reused:
            line.append("reused", style="dim")
        elif not took:
            line.append(bar.status, style="dim")
        else:
            line.append(fmt_duration(sum(took)))
            if len(took) > 1:
                line.append(f" ({len(took)} attempts)", style="magenta")
            if bar.status not in ("succeeded",):
                line.append(f" {bar.status}", style="dim")
        lines.append(line)
    lines.append(Text(LEGEND, style="dim"))
    return lines
