"""Subcommands about models: models, promote, rollback, history, predict."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.headless.output import console, escape_markup, plain, print_json

if TYPE_CHECKING:
    from console.session import Session


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "models", parents=[common], help="registered models, one model's versions, or `models compare NAME V1 V2`"
    )
    p.add_argument("name", nargs="?")
    p.add_argument("compare_args", nargs="*", metavar="NAME V1 V2", help="after `compare`: the model and versions")
    p.set_defaults(func=cmd_models)

    p = sub.add_parser("promote", parents=[common], help="point an alias (default production) at a version")
    p.add_argument("name")
    p.add_argument("version")
    p.add_argument("--alias", "-a", default="production")
    p.add_argument("--reason", "-m", help="why (kept in the audit trail)")
    p.set_defaults(func=cmd_promote)

    p = sub.add_parser("rollback", parents=[common], help="move production back to its previous holder")
    p.add_argument("name")
    p.add_argument("--to", metavar="VERSION", help="roll back to this version instead")
    p.add_argument("--alias", "-a", default="production")
    p.add_argument("--reason", "-m", help="why (kept in the audit trail)")
    p.set_defaults(func=cmd_rollback)

    p = sub.add_parser("history", parents=[common], help="a model's alias changes and gate decisions")
    p.add_argument("name")
    p.add_argument("--alias", "-a")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("predict", parents=[common], help="score a CSV file with a registered model")
    p.add_argument("name")
    p.add_argument("file")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--alias", "-a", help="alias to use (default production)")
    which.add_argument("--version", "-v", dest="model_version", help="version to use")
    p.add_argument("--out", "-o", metavar="FILE", help="write the rows with prediction/probability columns")
    p.set_defaults(func=cmd_predict)


def _fmt_metrics(metrics: dict[str, float], limit: int = 4) -> str:
    return "  ".join(f"{k}={v:.4g}" for k, v in list(metrics.items())[:limit]) or "-"


def _short_time(iso_text: str | None) -> str:
    """A ``--json`` timestamp (UTC) shown in local time, like every other time the CLI prints."""
    from console.presentation import fmt_time

    return fmt_time(iso_text)


def _title(text: str | None = None) -> str:
    from console.presentation import times_note

    return f"{text}  ({times_note()})" if text else times_note()


def cmd_models(args: argparse.Namespace, session: Session) -> int:
    from console.registry import queries

    db = session.store.db
    if args.name == "compare" or args.compare_args:
        from console.headless.compare_commands import cmd_compare

        return cmd_compare(args, session)
    if args.name is None:
        rows = queries.models_json(db)
        if args.json:
            print_json(rows)
            return 0
        if not rows:
            console().print("no models registered yet (a task registers one with ctx.register_model)")
            return 0
        from rich.table import Table

        table = Table(title=_title(), title_justify="left", show_edge=False, pad_edge=False)
        for col in ("model", "latest", "production", "aliases", "versions", "updated", "latest metrics"):
            table.add_column(col)
        for r in rows:
            others = ", ".join(f"{a}=v{v}" for a, v in r["aliases"].items() if a != "production") or "-"
            prod = f"v{r['production']}" if r["production"] is not None else "-"
            table.add_row(
                plain(r["name"]), f"v{r['latest']}", prod, plain(others), str(r["versions"]),
                _short_time(r["updated_at"]), plain(_fmt_metrics(r["latest_metrics"])),
            )  # fmt: skip
        console().print(table)
        return 0
    data = queries.model_json(db, args.name)
    if args.json:
        print_json(data)
        return 0
    from rich.table import Table

    table = Table(title=_title(f"model {escape_markup(args.name)}"), show_edge=False, pad_edge=False, title_justify="left")
    for col in ("version", "aliases", "metrics", "run", "created", "sha256", "gate"):
        table.add_column(col)
    for v in data["versions"]:
        gate = v["gate"]
        if gate is None and v.get("gate_pending"):
            verdict = "[yellow]pending[/]: its run stopped before the gate decided (rerun the run to decide)"
        elif gate is None:
            verdict = "-"
        else:
            verdict = (
                "[green]promoted[/]" if gate["promoted"] else "[red]refused[/]"
            ) + f": {escape_markup(gate['reason'])}"
        run = plain(f"{v['run_id']}/{v['task']}" if v["run_id"] is not None else "-")
        table.add_row(
            f"v{v['version']}", plain(", ".join(v["aliases"]) or "-"), plain(_fmt_metrics(v["metrics"])), run,
            _short_time(v["created_at"]), v["sha256"][:12], verdict,
        )  # fmt: skip
    console().print(table)
    return 0


def _command(args: argparse.Namespace) -> str:
    import sys

    return " ".join(["opsconsole", *sys.argv[1:]])[:500]


def _refuse_read_only(session: Session, what: str) -> None:
    if session.read_only:
        from console.errors import ReadOnlyError

        raise ReadOnlyError(f"read-only mode: {what} refused")


def _print_change(args: argparse.Namespace, change: Any) -> None:
    if args.json:
        print_json(
            {
                "name": change.name,
                "alias": change.alias,
                "from_version": change.from_version,
                "to_version": change.to_version,
                "changed": change.changed,
                "reason": change.reason,
            }
        )
    else:
        console().print(plain(change.describe()))


def cmd_promote(args: argparse.Namespace, session: Session) -> int:
    from console.registry import aliases

    _refuse_read_only(session, f"promote {args.name}")
    change = aliases.promote(
        session.store, args.name, args.version, alias=args.alias, reason=args.reason, command=_command(args)
    )
    _print_change(args, change)
    return 0


def cmd_rollback(args: argparse.Namespace, session: Session) -> int:
    from console.registry import aliases

    _refuse_read_only(session, f"rollback {args.name}")
    change = aliases.rollback(
        session.store, args.name, to=args.to, alias=args.alias, reason=args.reason, command=_command(args)
    )
    _print_change(args, change)
    return 0


def cmd_history(args: argparse.Namespace, session: Session) -> int:
    from console.registry import queries

    rows = queries.history(session.store.db, args.name, args.alias)
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        console().print(plain(f"model {args.name}: no alias changes yet"))
        return 0
    from rich.table import Table

    table = Table(
        title=_title(f"history of {escape_markup(args.name)}"), show_edge=False, pad_edge=False, title_justify="left"
    )
    for col in ("at", "user", "alias", "change", "action", "reason"):
        table.add_column(col)
    for r in rows:
        before = f"v{r['from_version']}" if r["from_version"] is not None else "(none)"
        if r["changed"]:
            change = f"{before} -> v{r['to_version']}"
        else:
            change = f"kept {before} (challenger v{r['gate']['challenger']})"
        action = plain("gate refused", "red") if r["action"] == "gate-refused" else plain(r["action"])
        table.add_row(
            _short_time(r["at"]),
            plain(r["user"] or "-"),
            plain(r["alias"]),
            change,
            action,
            plain(r["reason"] or ""),
        )
    console().print(table)
    return 0


def cmd_predict(args: argparse.Namespace, session: Session) -> int:
    from console.errors import DataError
    from console.quality import read_csv
    from console.registry import api, predict, queries

    mv = queries.resolve(session.store.db, args.name, alias=args.alias, version=args.model_version)
    frame = read_csv(args.file)
    if frame.empty:
        raise DataError(f"{args.file}: no rows to score")
    features = predict.conform(frame, mv, where=args.file)
    model = api.load_version(session.store, mv)
    preds = predict.predict_frame(model, features, what=f"model {mv.name!r} v{mv.version}", where=args.file)
    result: dict[str, Any] = {"name": mv.name, "version": mv.version, "file": args.file}
    result.update(predict.summary(preds))
    if args.out:
        out = Path(args.out)
        _write_csv(frame.join(preds), out)
        result["out"] = str(out)
    if args.json:
        print_json(result)
        return 0
    shown = ", ".join(f"{k}: {v:,}" for k, v in result["predictions"].items())
    line = f"{mv.name} v{mv.version} scored {result['rows']:,} rows of {args.file}: {shown}"
    if result.get("mean_probability") is not None:
        line += f"; mean probability {result['mean_probability']:.4f}"
    console().print(plain(line))
    if args.out:
        console().print(plain(f"predictions written to {args.out}"))
    return 0


def _write_csv(frame: Any, out: Path) -> None:
    import os
    import tempfile

    from console.errors import DataError

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.")
        with os.fdopen(fd, "w", newline="") as fh:
            frame.to_csv(fh, index=False)
        os.replace(tmp, out)
    except OSError as exc:
        raise DataError(f"{out}: cannot write predictions ({exc.strerror or exc})") from exc
