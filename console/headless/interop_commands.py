"""Working with the ecosystem: ``models export|import`` (MLflow model directories).

``models export NAME[@ALIAS|:VERSION] --format mlflow DIR`` writes a version as an MLflow
model; ``models import DIR --name NAME (--sha256 S | --trust)`` registers an MLflow sklearn
model as a new version (``tags.source = "mlflow"``), optionally through the gate on a holdout.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from console.errors import ReadOnlyError, UsageError
from console.headless.output import console, escape_markup, print_json

if TYPE_CHECKING:
    from console.registry.records import ModelVersion
    from console.session import Session
    from console.store.db import Database


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "models-export",
        parents=[common],
        help="models export NAME[@ALIAS|:VERSION] --format mlflow DIR: write a version as an MLflow model",
    )
    p.add_argument("spec", metavar="NAME[@ALIAS|:VERSION]")
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--format", dest="fmt", choices=("mlflow",), default="mlflow")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser(
        "models-import",
        parents=[common],
        help="models import DIR --name NAME (--sha256 S | --trust): register an MLflow sklearn model",
    )
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--name", required=True, help="the registered model's name")
    pin = p.add_mutually_exclusive_group()
    pin.add_argument("--sha256", help="the pickled file's expected sha256 (pickle runs code: pin it)")
    pin.add_argument("--trust", action="store_true", help="unpickle without a pin")
    p.add_argument("--alias", "-a", help="also point this alias at the new version (no gate)")
    p.add_argument("--gate", metavar="METRIC", help="run the gate on --holdout with Better(METRIC)")
    p.add_argument("--min-delta", type=float, default=0.0)
    p.add_argument("--holdout", metavar="FILE.csv", help="labelled rows to score challenger and champion")
    p.add_argument("--label", help="the holdout's label column")
    p.set_defaults(func=cmd_import)


def parse_spec(db: Database, spec: str) -> ModelVersion:
    """``NAME`` (production), ``NAME@ALIAS`` or ``NAME:VERSION`` -> the version it names."""
    from console.registry import queries

    if "@" in spec:
        name, alias = spec.split("@", 1)
        return queries.resolve(db, name, alias=alias)
    if ":" in spec:
        name, version = spec.split(":", 1)
        return queries.resolve(db, name, version=version)
    return queries.resolve(db, spec)


def cmd_export(args: argparse.Namespace, session: Session) -> int:
    from console.registry import mlflow_format
    from console.registry.api import load_version

    store = session.store
    mv = parse_spec(store.db, args.spec)
    model = load_version(store, mv)
    path = mlflow_format.export(model, mv, args.dir)
    out = {"name": mv.name, "version": mv.version, "sha256": mv.sha256, "format": args.fmt, "path": str(path)}
    if args.json:
        print_json(out)
    else:
        console().print(f"exported {escape_markup(mv.name)} v{mv.version} as an MLflow model: {escape_markup(path)}")
    return 0


def cmd_import(args: argparse.Namespace, session: Session) -> int:
    from console.registry import api, mlflow_format, queries

    if session.read_only:
        raise ReadOnlyError("read-only: models import registers a version; refused")
    if args.gate and not (args.holdout and args.label):
        raise UsageError("models import --gate METRIC needs --holdout FILE.csv and --label COLUMN")
    found = mlflow_format.inspect(args.dir)
    model = mlflow_format.unpickle(found, sha256=args.sha256, trust=args.trust)
    tags = {"source": "mlflow", "imported_from": str(found.directory.resolve()), "mlflow_sha256": found.sha256}
    if found.model_uuid:
        tags["mlflow_model_uuid"] = str(found.model_uuid)
    extra: dict[str, Any] = {"signature": found.signature} if found.signature else {}
    if args.alias:
        extra["alias"] = args.alias
    store = session.store
    mv = api.register(store, args.name, model, tags=tags, log=lambda _line: None, **extra)
    if args.gate:
        from console.quality.csvio import read_csv
        from console.registry.gate import Better

        frame = read_csv(args.holdout)
        if args.label not in frame.columns:
            raise UsageError(f"{args.holdout}: no column {args.label!r} (the --label)")
        holdout = (frame.drop(columns=[args.label]), frame[args.label])
        mv.gate = api.gate(store, mv, Better(args.gate, min_delta=args.min_delta), holdout=holdout, model=model)
        mv.aliases = queries.get_version(store.db, mv.name, mv.version).aliases
    result = mv.to_dict() | {"name": mv.name}
    if args.json:
        print_json(result)
    else:
        console().print(
            f"imported {escape_markup(found.directory)} as {escape_markup(mv.name)} v{mv.version} "
            f"(sha256 {mv.sha256[:12]}, source mlflow)"
        )
        if mv.gate is not None:
            console().print(escape_markup(mv.gate.describe()))
    return 1 if mv.gate is not None and not mv.gate.promoted else 0
