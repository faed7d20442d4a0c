"""Subcommands about monitoring: ``monitor [NAME] [--run]``, ``alerts``, ``metrics [NAME]``.

Exit codes: ``monitor NAME --run`` exits 1 when a rule of severity ``alert`` fired on that
evaluation (also when the storm guard held the new alert back: the model is still in
alert), 2 when it could not evaluate (no production model, no data yet: the reason is
stored as a skipped evaluation too); ``monitor NAME`` exits 1 when the latest stored
evaluation is in alert, so ``opsconsole monitor fraud || page-someone`` works from cron.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from console.errors import NotFoundError, ReadOnlyError, UsageError
from console.headless.output import console, fmt_time, print_json

if TYPE_CHECKING:
    from console.headless.session import Session

VERDICT_STYLE = {
    "ok": "green",
    "warn": "yellow",
    "alert": "bold red",
    "insufficient": "dim",
    "skipped": "dim",
}


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "monitor",
        parents=[common],
        help="monitors: latest metrics, thresholds and trend (--run: evaluate one now)",
    )
    p.add_argument("name", nargs="?")
    p.add_argument(
        "--run",
        "--eval",
        dest="run",
        action="store_true",
        help="evaluate now: record it, raise alerts, start their action (e.g. a retraining run) and wait for it",
    )
    p.add_argument("--no-action", dest="no_action", action="store_true", help="with --run: raise alerts only")
    p.add_argument(
        "--no-wait", dest="no_wait", action="store_true", help="with --run: do not wait for the action run"
    )
    p.set_defaults(func=cmd_monitor)

    p = sub.add_parser("alerts", parents=[common], help="alerts raised by monitors, newest first")
    p.add_argument("--monitor")
    p.add_argument("--all", action="store_true", help="include acknowledged alerts")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument(
        "--ack", nargs="*", type=int, metavar="ID", help="acknowledge these alerts (none given: all open)"
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
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=cmd_metrics)


# -- monitor ---------------------------------------------------------------------------------
def _catalog_monitors(session: Session) -> tuple[list[Any], list[Any]]:
    catalog = session.engine.catalog.load_all()
    return catalog.monitors, catalog.broken


def _find(name: str, monitors: list[Any], broken: list[Any], db: Any) -> Any:
    for monitor in monitors:
        if getattr(monitor, "name", None) == name:
            return monitor
    if db.query_one("SELECT 1 FROM monitor_evals WHERE monitor = ? LIMIT 1", (name,)):
        return None  # no longer declared, but its evaluations are stored
    known = ", ".join(sorted(str(getattr(m, "name", "?")) for m in monitors)) or "none"
    hint = f"; broken pipeline files: {', '.join(b.describe() for b in broken)}" if broken else ""
    raise NotFoundError(f"unknown monitor: {name!r} (known: {known}){hint}")


def cmd_monitor(args: argparse.Namespace, session: Session) -> int:
    from console.monitor import overview

    monitors, broken = _catalog_monitors(session)
    db = session.store.db
    if args.name is None:
        if args.run:
            raise UsageError("monitor --run needs a monitor NAME")
        rows = overview.listing(db, monitors)
        if args.json:
            print_json(rows)
        else:
            _print_listing(rows)
        return 0
    monitor = _find(args.name, monitors, broken, db)
    if args.run:
        if monitor is None:
            raise NotFoundError(
                f"monitor {args.name!r} is no longer declared in pipelines/: cannot evaluate it"
            )
        return _run(args, session, monitor)
    data = overview.overview(db, args.name, monitor)
    if args.json:
        print_json(data)
    else:
        _print_overview(data)
    last = data["last_eval"]
    return 1 if last and last["status"] == "alert" else 0


def _run(args: argparse.Namespace, session: Session, monitor: Any) -> int:
    from console.monitor.actions import wait_for_runs

    if session.read_only:
        raise ReadOnlyError(f"read-only mode: monitor {monitor.name} is not evaluated")
    engine = session.engine
    ev = monitor.evaluate(engine, actions=not args.no_action)
    if not args.json:
        _print_evaluation(ev)
    if ev.runners and not args.no_wait:
        try:
            wait_for_runs(engine, ev.runners)
        except KeyboardInterrupt:
            for runner in ev.runners:
                runner.cancel()
            wait_for_runs(engine, ev.runners, timeout=30)
            raise
    actions = _action_outcomes(session, ev)
    if args.json:
        print_json(ev.to_json() | {"actions": actions})
    else:
        for line in _action_lines(actions):
            console().print(line)
    if ev.status == "skipped":
        sys.stderr.write(f"opsconsole: error: monitor {monitor.name} could not evaluate: {ev.reason}\n")
        return 2
    return 1 if ev.fired else 0


def _action_outcomes(session: Session, ev: Any) -> list[dict[str, Any]]:
    """Each run an alert of ``ev`` started: its status now, and the gate decisions it made."""
    from console.store.runs import get_run_row

    db = session.store.db
    out = []
    for run_id in dict.fromkeys(a["action_run_id"] for a in ev.alerts if a.get("action_run_id")):
        run = get_run_row(db, run_id)
        gates = db.query(
            "SELECT name, challenger, champion, metric, challenger_score, champion_score, promoted, reason "
            "FROM gate_decisions WHERE run_id = ? ORDER BY id",
            (run_id,),
        )
        out.append(
            {
                "run_id": run_id,
                "pipeline": run["pipeline"],
                "status": run["status"],
                "trigger": run["trigger"],
                "gate": [dict(g) | {"promoted": bool(g["promoted"])} for g in gates],
            }
        )
    return out


def _action_lines(actions: list[dict[str, Any]]) -> list[str]:
    lines = []
    for act in actions:
        lines.append(f"  run {act['run_id']} {act['pipeline']} (trigger {act['trigger']}): {act['status']}")
        for g in act["gate"]:
            verdict = "[green]promoted[/]" if g["promoted"] else "[yellow]kept the champion[/]"
            champ = f"v{g['champion']}" if g["champion"] is not None else "none"
            lines.append(
                f"    gate {g['name']} v{g['challenger']} vs {champ} on {g['metric']}: "
                f"{_num(g['challenger_score'])} vs {_num(g['champion_score'])}: {verdict}"
            )
    return lines


def _print_evaluation(ev: Any) -> None:
    style = VERDICT_STYLE.get(ev.status, "white")
    console().print(f"[{style}]{_esc(ev.summary)}[/]")
    for rule in ev.rules:
        mark = "[bold red]FIRED[/]" if rule["fired"] else "ok"
        console().print(f"  {rule['rule']:<24} {rule['metric']} = {_num(rule['value'])}  {mark}")
    for held in ev.suppressed:
        console().print(f"  [dim]{held['rule']}: held back: {_esc(held['reason'])}[/]")
    for alert in ev.alerts:
        if alert.get("action_error"):
            console().print(f"  [red]action failed: {_esc(alert['action_error'])}[/]")
        elif alert.get("action_run_id"):
            console().print(
                f"  alert {alert['id']} -> {alert['action']} run {alert['action_run_id']} started"
            )


def _print_listing(rows: list[dict[str, Any]]) -> None:
    if not rows:
        console().print("no monitors: declare Monitor(...) in a pipelines/*.py file")
        return
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False)
    for col in ("monitor", "model", "every", "last evaluated", "status", "psi", "open alerts"):
        table.add_column(col)
    for r in rows:
        last = r["last_eval"] or {}
        status = last.get("status", "never")
        every = fmt_every(r.get("every_s"))
        table.add_row(
            r["name"] + ("" if r["declared"] else " [dim](removed)[/]"),
            str(r.get("model") or "-"),
            every,
            fmt_time(last.get("timestamp")),
            f"[{VERDICT_STYLE.get(status, 'white')}]{status}[/]",
            _num((last.get("metrics") or {}).get("psi")),
            str(r["open_alerts"]),
        )
    console().print(table)


def _print_overview(data: dict[str, Any]) -> None:
    from rich.table import Table

    last = data["last_eval"]
    head = f"[bold]{data['name']}[/]  model {data.get('model') or '-'}"
    if data.get("every_s"):
        head += f"  every {fmt_every(data['every_s'])}"
    console().print(head)
    if last is None:
        console().print("  never evaluated: run `opsconsole monitor NAME --run` or start the service")
        return
    style = VERDICT_STYLE.get(last["status"], "white")
    version = f"v{last['version']}" if last["version"] is not None else "-"
    console().print(
        f"  last evaluation {fmt_time(last['timestamp'])} on {version}: [{style}]{last['status']}[/]"
    )
    if last["reason"]:
        console().print(f"  {_esc(last['reason'])}")
    table = Table(show_edge=False, pad_edge=False, title=None)
    for col in ("metric", "latest", "rule", "trend"):
        table.add_column(col)
    for m in data["metrics"]:
        rules = ", ".join(("[bold red]" if r["fired"] else "") + r["rule"] + ("[/]" if r["fired"] else "")
                          for r in m["rules"]) or "-"  # fmt: skip
        tr = m["trend"]
        trend = "-"
        if tr and tr["previous"] is not None:
            arrow = {"up": "↑", "down": "↓", "flat": "→"}.get(tr["direction"], "·")
            trend = f"{arrow} from {_num(tr['previous'])} (mean of {tr['n']})"
        table.add_row(m["name"], _num(m["value"]), rules, trend)
    console().print(table)
    if data["drift"]:
        drift = Table(show_edge=False, pad_edge=False)
        for col in ("column", "kind", "psi", "test p", "verdict", "why"):
            drift.add_column(col)
        for c in data["drift"]:
            pvalue = c.get("ks_pvalue") if c.get("kind") == "numeric" else c.get("chi2_pvalue")
            verdict = c.get("verdict", "?")
            drift.add_row(
                c["column"],
                c.get("kind", "?"),
                _num(c.get("psi")),
                _num(pvalue),
                f"[{VERDICT_STYLE.get(verdict, 'white')}]{verdict}[/]",
                _esc(c.get("message", "")),
            )
        console().print(drift)
    open_alerts = [a for a in data["alerts"] if not a["acknowledged"]]
    if open_alerts:
        console().print(f"  {len(open_alerts)} open alert(s); `opsconsole alerts --monitor {data['name']}`")


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

    table = Table(show_edge=False, pad_edge=False)
    for col in ("id", "at", "monitor", "rule", "value", "evidence", "action", "run"):
        table.add_column(col)
    for r in rows:
        data = alert_store.alert_to_json(r)
        run = "-"
        if r["action_run_id"]:
            run = f"{r['action_run_id']} {r.get('action_status') or ''}".strip()
        elif data["evidence"].get("action_error"):
            run = f"[red]{_esc(data['evidence']['action_error'])}[/]"
        style = "bold red" if r["severity"] == "alert" else "yellow"
        table.add_row(
            str(r["id"]) + (" ✓" if r["acknowledged"] else ""),
            fmt_time(r["at"]),
            r["monitor"],
            f"[{style}]{r['rule']}[/]",
            _num(r["value"]),
            _esc(_evidence_line(data["evidence"])),
            r["action"] or "-",
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
            parts.append(f"{key} {_num(value)}")
    return "; ".join(parts) or "-"


# -- metrics ---------------------------------------------------------------------------------
def cmd_metrics(args: argparse.Namespace, session: Session) -> int:
    from console.monitor import series

    db = session.store.db
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
                f"{args.model} v{v['version']}: {v['n']} points, last {_num(v['last'])}, "
                f"mean {_num(v['mean'])}, min {_num(v['min'])}, max {_num(v['max'])}"
            )
        return 0
    if args.name:
        points = series.require_series(db, args.name, limit=args.limit, **filters)
        if args.json:
            print_json({"name": args.name, "points": [series.point_to_json(p) for p in points]})
            return 0
        tr = series.trend([p["value"] for p in points])
        for p in points:
            where = p["monitor"] or (f"{p['pipeline']}.{p['task']}" if p["pipeline"] else "-")
            version = f" {p['model']} v{p['version']}" if p["model"] else ""
            run = f" run {p['run_id']}" if p["run_id"] else ""
            console().print(f"{fmt_time(p['at'])}  {_num(p['value']):>10}  {where}{version}{run}")
        if tr is not None and tr.previous is not None:
            console().print(
                f"trend: {tr.arrow()} {_num(tr.last)} vs mean {_num(tr.previous)} of the {tr.n} before"
            )
        return 0
    rows = series.latest_by_origin(db, columns=args.columns, **filters)
    if args.json:
        print_json([{"name": r["name"], **series.point_to_json(r), "trend": r["trend"]} for r in rows])
        return 0
    if not rows:
        console().print("no metrics yet: log them with ctx.log_metric(name, value) in a task")
        return 0
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False)
    for col in ("metric", "latest", "trend", "at", "from"):
        table.add_column(col)
    for r in rows:
        tr = r["trend"]
        arrow = {"up": "↑", "down": "↓", "flat": "→"}.get(tr["direction"], "·") if tr else "·"
        where = r["monitor"] or (f"{r['pipeline']}.{r['task']}" if r["pipeline"] else "-")
        table.add_row(r["name"], _num(r["value"]), arrow, fmt_time(r["at"]), where)
    console().print(table)
    return 0


def _esc(text: Any) -> str:
    """User text (paths, messages) printed literally, not read as rich markup."""
    from rich.markup import escape

    return escape(str(text))


def fmt_every(seconds: float | None) -> str:
    """``600`` -> ``10m``; ``5400`` -> ``1h30m``."""
    if not seconds:
        return "-"
    out, rest = "", int(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if rest >= size:
            out += f"{rest // size}{unit}"
            rest %= size
    return out or f"{seconds:g}s"


def _num(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, int | float):
        return f"{value:.4g}"
    return str(value)
