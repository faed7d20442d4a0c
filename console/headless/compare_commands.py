"""``opsconsole models compare NAME V1 V2``: two model versions side by side."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from console.errors import UsageError
from console.headless.output import console, print_json

if TYPE_CHECKING:
    from console.session import Session


def cmd_compare(args: argparse.Namespace, session: Session) -> int:
    from console.registry.compare import compare_versions

    rest = list(args.compare_args)
    if args.name != "compare" or len(rest) != 3:
        raise UsageError("usage: opsconsole models compare NAME V1 V2")
    name, v1, v2 = rest
    result = compare_versions(session.store.db, name, v1, v2)
    if args.json:
        print_json(result)
        return 0
    for line in compare_text(result):
        console().print(line, markup=False, highlight=False)
    return 0


def compare_text(d: dict[str, Any]) -> list[str]:
    a, b = d["a"], d["b"]
    lines = [f"model {d['name']}: v{a['version']} vs v{b['version']}"]
    lines.append(f"  aliases: {', '.join(a['aliases']) or '-'} | {', '.join(b['aliases']) or '-'}")
    lines.append(f"  runs: {a['run_id'] or '-'} | {b['run_id'] or '-'}")
    lines.append("metrics:")
    for k, (x, y) in d["metrics"].items():
        delta = f" ({y - x:+.4g})" if isinstance(x, int | float) and isinstance(y, int | float) else ""
        lines.append(f"  {k}: {_v(x)} -> {_v(y)}{delta}")
    lines.append("params:")
    for k, (x, y) in d["params"].items():
        lines.append(f"  {'*' if x != y else ' '} {k}: {x!r} -> {y!r}")
    data = d["data"]
    sha = [(s or "-")[:12] for s in data["sha256"]]
    lines.append(f"training data: {'same' if data['same'] else 'different'} ({sha[0]} | {sha[1]})")
    sig = d["signature"]
    if not sig["known"]:
        lines.append("signature: not recorded for both versions")
    elif not sig["changed"]:
        lines.append("signature: unchanged")
    else:
        lines.append("signature changed:")
        lines += [f"  + {c}" for c in sig["added"]] + [f"  - {c}" for c in sig["removed"]]
        lines += [f"  ~ {c}: {x} -> {y}" for c, (x, y) in sig["retyped"].items()]
    for side in (a, b):
        gate = side["gate"]
        verdict = "no gate decision" if gate is None else (
            f"{'promoted' if gate['promoted'] else 'kept the champion'} ({gate.get('reason') or ''})"
        )
        lines.append(f"gate v{side['version']}: {verdict}")
    return lines


def _v(x: Any) -> str:
    return "-" if x is None else f"{x:.6g}" if isinstance(x, float) else str(x)
