"""``kafka lag``: consumer lag of the project's Kafka sources, per partition."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from console.headless.output import console, escape_markup, print_json

if TYPE_CHECKING:
    from console.session import Session


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("kafka", parents=[common], help="Kafka sources: `kafka lag` per partition")
    verbs = p.add_subparsers(dest="kafka_command", metavar="VERB", required=True)
    lag = verbs.add_parser("lag", parents=[common], help="how far each partition is behind the log end")
    lag.add_argument("--pipeline", help="only this pipeline's source")
    lag.set_defaults(func=cmd_lag)


def sources(session: Session, only: str | None) -> dict[str, Any]:
    """Pipeline name -> its Kafka source (``source=kafka(...)`` or a ``kafka_lag`` watch)."""
    from console.engine.discovery import Catalog
    from console.errors import NotFoundError
    from console.streaming.lag import kafka_sources

    catalog = Catalog(session.project.pipelines_dir)
    catalog.load_all()
    found: dict[str, Any] = {n: s for n, s in kafka_sources(catalog.pipelines).items() if only in (None, n)}
    if only is not None and only not in found:
        raise NotFoundError(f"pipeline {only!r} has no Kafka source (known: {', '.join(found) or 'none'})")
    return found


def cmd_lag(args: argparse.Namespace, session: Session) -> int:
    from console.streaming.lag import partition_lag
    from console.streaming.offsets import warehouse_path

    warehouse = warehouse_path(session.project.root, session.project.home)
    rows = [
        {"pipeline": name, **part}
        for name, src in sources(session, args.pipeline).items()
        for part in partition_lag(src, warehouse)
    ]
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        console().print("no Kafka sources: give a pipeline source=kafka(\"topic\", ...)")
        return 0
    for r in rows:
        console().print(
            f"{escape_markup(r['pipeline'])}  {escape_markup(r['topic'])}[{r['partition']}]  "
            f"group {escape_markup(r['group'])}  offset {r['offset']:,} ({r['from']})  "
            f"end {r['log_end']:,}  lag {r['lag']:,}"
        )
    return 0
