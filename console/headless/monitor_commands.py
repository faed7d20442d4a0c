"""``monitor [NAME] [--run]``: monitors, their latest evaluation, and evaluating one now.

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
from console.headless.output import console, escape_markup, fmt_number, fmt_time, plain, print_json
from console.presentation import times_note, zone_label

if TYPE_CHECKING:
    from console.session import Session

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
        lines.append(
            escape_markup(
                f"  run {act['run_id']} {act['pipeline']} (trigger {act['trigger']}): {act['status']}"
            )
        )
        for g in act["gate"]:
            verdict = "[green]promoted[/]" if g["promoted"] else "[yellow]kept the champion[/]"
            champ = f"v{g['champion']}" if g["champion"] is not None else "none"
            what = escape_markup(
                f"    gate {g['name']} v{g['challenger']} vs {champ} on {g['metric']}: "
                f"{fmt_number(g['challenger_score'])} vs {fmt_number(g['champion_score'])}"
            )
            lines.append(f"{what}: {verdict}")
    return lines


def _print_evaluation(ev: Any) -> None:
    style = VERDICT_STYLE.get(ev.status, "white")
    console().print(f"[{style}]{escape_markup(ev.summary)}[/]")
    for rule in ev.rules:
        mark = "[bold red]FIRED[/]" if rule["fired"] else "ok"
        what = escape_markup(f"  {rule['rule']:<24} {rule['metric']} = {fmt_number(rule['value'])}")
        console().print(f"{what}  {mark}")
    for held in ev.suppressed:
        console().print(
            f"  [dim]{escape_markup(held['rule'])}: held back: {escape_markup(held['reason'])}[/]"
        )
    for alert in ev.alerts:
        if alert.get("action_error"):
            console().print(f"  [red]action failed: {escape_markup(alert['action_error'])}[/]")
        elif alert.get("action_run_id"):
            console().print(
                f"  alert {alert['id']} -> {escape_markup(alert['action'])} run {alert['action_run_id']} started"
            )


def _print_listing(rows: list[dict[str, Any]]) -> None:
    if not rows:
        console().print("no monitors: declare Monitor(...) in a pipelines/*.py file")
        return
    from rich.table import Table

    table = Table(title=times_note(), title_justify="left", show_edge=False, pad_edge=False)
    for col in ("monitor", "model", "every", "last evaluated", "status", "psi", "open alerts"):
        table.add_column(col)
    for r in rows:
        last = r["last_eval"] or {}
        status = last.get("status", "never")
        every = fmt_every(r.get("every_s"))
        table.add_row(
            escape_markup(r["name"]) + ("" if r["declared"] else " [dim](removed)[/]"),
            plain(r.get("model") or "-"),
            every,
            fmt_time(last.get("timestamp")),
            plain(status, VERDICT_STYLE.get(status, "white")),
            plain(fmt_number((last.get("metrics") or {}).get("psi"))),
            str(r["open_alerts"]),
        )
    console().print(table)


def _print_overview(data: dict[str, Any]) -> None:
    from rich.table import Table

    last = data["last_eval"]
    head = f"[bold]{escape_markup(data['name'])}[/]  model {escape_markup(data.get('model') or '-')}"
    if data.get("every_s"):
        head += f"  every {fmt_every(data['every_s'])}"
    console().print(head)
    if last is None:
        console().print("  never evaluated: run `opsconsole monitor NAME --run` or start the service")
        return
    style = VERDICT_STYLE.get(last["status"], "white")
    version = f"v{last['version']}" if last["version"] is not None else "-"
    console().print(
        f"  last evaluation {fmt_time(last['timestamp'])} {zone_label()} on {version}: [{style}]{escape_markup(last['status'])}[/]"
    )
    if last["reason"]:
        console().print(f"  {escape_markup(last['reason'])}")
    table = Table(show_edge=False, pad_edge=False, title=None)
    for col in ("metric", "latest", "rule", "trend"):
        table.add_column(col)
    for m in data["metrics"]:
        rules = ", ".join(("[bold red]" if r["fired"] else "") + escape_markup(r["rule"]) + ("[/]" if r["fired"] else "")
                          for r in m["rules"]) or "-"  # fmt: skip
        tr = m["trend"]
        trend = "-"
        if tr and tr["previous"] is not None:
            arrow = {"up": "↑", "down": "↓", "flat": "→"}.get(tr["direction"], "·")
            trend = f"{arrow} from {fmt_number(tr['previous'])} (mean of {tr['n']})"
        table.add_row(plain(m["name"]), plain(fmt_number(m["value"])), rules, plain(trend))
    console().print(table)
    if data["drift"]:
        drift = Table(show_edge=False, pad_edge=False)
        for col in ("column", "kind", "psi", "test p", "verdict", "why"):
            drift.add_column(col)
        for c in data["drift"]:
            pvalue = c.get("ks_pvalue") if c.get("kind") == "numeric" else c.get("chi2_pvalue")
            verdict = c.get("verdict", "?")
            drift.add_row(
                plain(c["column"]),
                plain(c.get("kind", "?")),
                fmt_number(c.get("psi")),
                fmt_number(pvalue),
                plain(verdict, VERDICT_STYLE.get(verdict, "white")),
                plain(c.get("message", "")),
            )
        console().print(drift)
    open_alerts = [a for a in data["alerts"] if not a["acknowledged"]]
    if open_alerts:
        console().print(
            f"  {len(open_alerts)} open alert(s); `opsconsole alerts --monitor {escape_markup(data['name'])}`"
        )


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
