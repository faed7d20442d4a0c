"""Two runs' differences as plain lines: ``opsconsole diff`` and the console's diff screen."""

from __future__ import annotations

from typing import Any

from console.presentation import fmt_duration, strip_controls


def diff_text(d: dict[str, Any]) -> list[str]:
    """The diff as plain lines (shared with the console's diff screen)."""
    a, b = d["a"], d["b"]
    lines = [f"run {a['id']} ({a['pipeline']}, {a['status']}) vs run {b['id']} ({b['pipeline']}, {b['status']})"]
    if d["note"]:
        lines.append(f"note: {d['note']}")
    lines.append(f"took {fmt_duration(a['duration_s'])} vs {fmt_duration(b['duration_s'])}")
    lines.append("params:" if d["params"] else "params: none")
    for k, (x, y) in d["params"].items():
        lines.append(f"  {'*' if x != y else ' '} {k}: {x!r} -> {y!r}" if x != y else f"    {k}: {x!r}")
    src = d["source"]
    git = src["git_commit"]
    if not src["changed"]:
        digest = (src["sha256"][0] or "")[:12] or "no digest recorded"
        lines.append(f"source: unchanged ({digest})")
    else:
        lines.append(f"source: changed {(src['sha256'][0] or '?')[:12]} -> {(src['sha256'][1] or '?')[:12]}")
        if src["diff"] is None:
            lines.append("  (a source text is not stored: runs from before sources were kept)")
        else:
            lines.extend("  " + strip_controls(ln) for ln in src["diff"].splitlines())
    if git[0] != git[1]:
        lines.append(f"git: {git[0] or '-'} -> {git[1] or '-'}")
    lines.append("tasks:")
    for t in d["tasks"]:
        x, y = t["a"] or {}, t["b"] or {}
        mark = "*" if t["status_changed"] else " "
        lines.append(
            f"  {mark} {t['task']:<24} {x.get('status', '-'):<10} {fmt_duration(x.get('duration_s')):>7}"
            f"   {y.get('status', '-'):<10} {fmt_duration(y.get('duration_s')):>7}"
        )
    if d["metrics"]:
        lines.append("metrics:")
        for k, (x, y) in d["metrics"].items():
            lines.append(f"  {k}: {_num(x)} -> {_num(y)}" + (f" ({_delta(x, y)})" if x is not None and y is not None else ""))
    if d["checks"]:
        lines.append("checks that changed:")
        for c in d["checks"]:
            lines.append(f"  {c['task']}.{c['check']}: {_check(c['a'])} -> {_check(c['b'])}")
    if d["rows"]:
        lines.append("rows (as the checks saw them):")
        for k, (x, y) in d["rows"].items():
            lines.append(f"  {k}: {x if x is not None else '-'} -> {y if y is not None else '-'}")
    return [strip_controls(line) for line in lines]


def _num(v: Any) -> str:
    return "-" if v is None else f"{v:.6g}"


def _delta(x: float, y: float) -> str:
    return f"{y - x:+.4g}"


def _check(c: dict[str, Any] | None) -> str:
    if c is None:
        return "absent"
    return "pass" if c["passed"] else f"fail {c['failing']}/{c['total']}"
