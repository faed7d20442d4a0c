"""``python -m bench NAME [options]``: run one benchmark (never part of pytest)."""

from __future__ import annotations

import importlib
import sys

BENCHES = {
    "engine": "2,000 no-op tasks (fan-out and chain) through the engine vs a bare thread pool",
    "quality": "10M-row validation vs a plain pandas pass, pandera and Great Expectations",
    "registry": "register/load/rollback vs bare joblib (and MLflow's quoted figure)",
    "drift": "1M x 20 drift vs a plain numpy pass (and Evidently)",
    "ui": "key -> screen latency in tmux under load, memory, first paint with 100k runs",
    "scale": "CPU-bound fits on threads, processes and a LocalCluster",
    "kafka": "Kafka -> warehouse pipeline run vs a bare confluent-kafka consume loop (Tansu broker)",
    "cli": "opsconsole --no-ui run of a 20,000-task fan-out vs the engine's own time",
    "logs": "log search over 1,000 runs x 1 MB vs grep -r on the same files",
    "sql": "a dbt project: dbt build vs opsconsole run; a 10M-row group-by as a SQL model vs pandas",
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: python -m bench NAME [options]\n")
        for name, what in BENCHES.items():
            print(f"  {name:<9} {what}")
        return 0 if argv else 2
    name = argv[0]
    if name not in BENCHES:
        print(f"unknown benchmark {name!r}; one of: {', '.join(BENCHES)}", file=sys.stderr)
        return 2
    try:
        module = importlib.import_module(f"bench.{name}")
    except ModuleNotFoundError as exc:
        print(f"benchmark {name!r} is not available: {exc}", file=sys.stderr)
        return 2
    return int(module.main(argv[1:]))


raise SystemExit(main(sys.argv[1:]))
