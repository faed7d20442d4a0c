"""``alerts`` (raised by monitors; ``--ack``) and ``metrics [NAME]`` (metric series)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from console.engine.names import bounded_int
from console.errors import ReadOnlyError, UsageError
from console.headless.output import console, escape_markup, fmt_number, fmt_time, plain, print_json
from console.presentation import times_note

if TYPE_CHECKING:
    from console.session import Session


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("alerts", parents=[common], help="alerts raised by monitors, newest first")
    p.add_argument("--monitor")
    p.add_argument("--all", action="store_true", help="include acknowledged alerts")
    p.add_argument("--limit", type=bounded_int, default=50)
    p.add_argument(
        "--ack",
        nargs="*",
        type=bounded_int,
        metavar="ID",
        help="acknowledge these alerts (none given: all open)",
    )
    p.set_defaults(func=cmd_alerts)

    p = sub.add_parser(
        "metrics", parents=[common], help="metric series: latest of each, or the points of one"
    )
    p.add_argument("name", nargs="?")
    p.add_argument("--model")
    p.add_argument("--pipeline")
    p.add_argument("--monitor")
    p.add_argument("--source", choices=("task", "monitor"))
    p.add_argument(
        "--columns", action="store_true", help="also monitors' per-column statistics (psi.amount...)"
    )
    p.add_argument(
        "--by-version",
        dest="by_version",
        action="store_true",
        help="with NAME and --model: one row per model version",
    )
    p.add_argument("--limit", type=bounded_int, default=50)
    p.add_argument(
        "--prometheus", action="store_true", help="runs, tasks, checks, models and metrics in Prometheus' text format"
    )
    p.set_defaults(func=cmd_metrics)


# -- alerts ----------------------------------------------------------------------------------
def cmd_alerts(args: argparse.Namespace, session: Session) -> int:
    from console.monitor import alerts as alert_store

    db = session.store.db
    if args.ack is not None:
        if session.read_only:
            raise ReadOnlyError("read-only mode: alerts are not acknowledged")
        n = alert_store.acknowledge(db, args.ack or None, monitor=args.monitor)
        if args.json:
            print_json({"acknowledged": n})
        else:
            console().print(f"acknowledged {n} alert(s)")
        return 0
    rows = alert_store.list_alerts(db, include_acknowledged=args.all, monitor=args.monitor, limit=args.limit)
    if args.json:
        print_json([alert_store.alert_to_json(r) for r in rows])
        return 0
    if not rows:
        console().print("no open alerts" + ("" if args.all else " (--all shows acknowledged ones)"))
        return 0
    from rich.table import Table

    table = Table(title=times_note(), title_justify="left", show_edge=False, pad_edge=False)
    for col in ("id", "at", "monitor", "rule", "value", "evidence", "action", "run"):
        table.add_column(col)
    for r in rows:
        data = alert_store.alert_to_json(r)
        run = "-"
        if r["action_run_id"]:
            run = plain(f"{r['action_run_id']} {r.get('action_status') or ''}".strip())
        elif data["evidence"].get("action_error"):
            run = f"[red]{escape_markup(data['evidence']['action_error'])}[/]"
        style = "bold red" if r["severity"] == "alert" else "yellow"
        table.add_row(
            str(r["id"]) + (" ✓" if r["acknowledged"] else ""),
            fmt_time(r["at"]),
            plain(r["monitor"]),
            plain(r["rule"], style),
            plain(fmt_number(r["value"])),
            plain(_evidence_line(data["evidence"])),
            plain(r["action"] or "-"),
            run,
        )
    console().print(table)
    return 0


def _evidence_line(evidence: dict[str, Any]) -> str:
    """``v3; 2/8 columns drifted: amount, merchant_category; auc 0.91``."""
    parts = []
    if evidence.get("version") is not None:
        parts.append(f"v{evidence['version']}")
    drift = evidence.get("drift") or {}
    if drift:
        cols = drift.get("drifted_columns") or []
        tested = sum(1 for c in (drift.get("columns") or {}).values() if c.get("verdict") != "insufficient")
        text = f"{len(cols)}/{tested} columns drifted"
        parts.append(text + (f": {', '.join(cols[:3])}" + ("..." if len(cols) > 3 else "") if cols else ""))
    for key, value in (evidence.get("scores") or {}).items():
        if key in ("auc", "accuracy", "r2"):
            parts.append(f"{key} {fmt_number(value)}")
    return "; ".join(parts) or "-"


# -- metrics ---------------------------------------------------------------------------------
def _one_metric(args: argparse.Namespace, db: Any, filters: dict[str, Any]) -> int:
    """``metrics NAME``: the points of each series of that metric, each with its own trend."""
    from console.monitor import series, series_identity

    points = series.require_series(db, args.name, limit=args.limit, **filters)  # unknown: exit 2
    groups = series_identity.grouped(db, args.name, limit=args.limit, **filters)
    if args.json:
        print_json(
            {
                "name": args.name,
                "points": [series.point_to_json(p) for p in points],
                "series": [
                    key.to_json()
                    | {
                        "points": [series.point_to_json(p) for p in pts],
                        "trend": series_identity.trend_json(pts),
                    }
                    for key, pts in groups
                ],
            }
        )
        return 0
    console().print(times_note(), markup=False)
    for key, pts in groups:
        console().print(f"{key.label}: {len(pts)} point(s)", markup=False)
        for p in pts:
            version = f" {p['model']} v{p['version']}" if p["model"] and p["version"] is not None else ""
            run = f" run {p['run_id']}" if p["run_id"] else ""
            console().print(
                f"  {fmt_time(p['at'])}  {fmt_number(p['value']):>10}{version}{run}", markup=False
            )
        tr = series.trend([p["value"] for p in pts])
        if tr is not None and tr.previous is not None:
            console().print(
                f"  trend: {tr.arrow()} {fmt_number(tr.last)} vs mean {fmt_number(tr.previous)} "
                f"of the {tr.n} before in this series",
                markup=False,
            )
    return 0


def cmd_metrics(args: argparse.Namespace, session: Session) -> int:
    from console.monitor import series, series_identity

    db = session.store.db
    if args.prometheus:
        from console.headless.prometheus import exposition

        sys.stdout.write(exposition(db))
        return 0
    filters = {"model": args.model, "pipeline": args.pipeline, "source": args.source, "monitor": args.monitor}
    if args.by_version:
        if not args.name or not args.model:
            raise UsageError("metrics --by-version needs a metric NAME and --model")
        series.require_series(db, args.name, model=args.model, limit=1)
        versions = series.by_version(db, args.name, args.model)
        if args.json:
            print_json({"name": args.name, "model": args.model, "versions": versions})
            return 0
        for v in versions:
            console().print(
                plain(
                    f"{args.model} v{v['version']}: {v['n']} points, last {fmt_number(v['last'])}, "
                    f"mean {fmt_number(v['mean'])}, min {fmt_number(v['min'])}, max {fmt_number(v['max'])}"
                )
            )
        return 0
    if args.name:
        return _one_metric(args, db, filters)
    groups = series_identity.grouped(db, columns=args.columns, limit=series.TREND_N + 1, **filters)
    rows = [
        {**points[-1], "series": key, "trend": series_identity.trend_json(points)} for key, points in groups
    ]
    if args.json:
        print_json(
            [
                {"name": r["name"], **series.point_to_json(r), "trend": r["trend"]}
                | {"origin": r["series"].origin, "series": r["series"].label}
                for r in rows
            ]
        )
        return 0
    if not rows:
        console().print("no metrics yet: log them with ctx.log_metric(name, value) in a task")
        return 0
    from rich.table import Table

    table = Table(title=times_note(), title_justify="left", show_edge=False, pad_edge=False)
    for col in ("metric", "latest", "trend", "at", "from", "origin"):
        table.add_column(col)
    for r in rows:
        tr = r["trend"]
        arrow = {"up": "↑", "down": "↓", "flat": "→"}.get(tr["direction"], "·") if tr else "·"
        key = r["series"]
        origin = series_identity.ORIGIN_WORDS.get(key.origin, key.origin)
        table.add_row(
            escape_markup(r["name"]),
            fmt_number(r["value"]),
            arrow,
            fmt_time(r["at"]),
            escape_markup(key.owner),
            origin,
        )
    console().print(table)
    return 0
