"""``python -m bench sql``: dbt build vs ``opsconsole run`` on one dbt project; a SQL model vs pandas.

1. The shop project in ``assets/dbt_shop`` (3 seeds, 5 models, 20 generic tests and one
   singular test), built from a fresh warehouse by ``dbt build`` (dbt-core 1.11 with
   dbt-duckdb 1.10, in a virtualenv of its own: ``--dbt PATH``, default
   ``/tmp/dbtvenv/bin/dbt``) and by ``opsconsole run shop``: the wall time of the whole
   command, median of ``--repeat`` runs. Then every seed and model table of the two
   warehouses is compared value by value (``EXCEPT ALL`` both ways, in one DuckDB).
   Our package's bytecode is compiled first (``compileall``), as ``pip install`` does for
   dbt's: with ``PYTHONDONTWRITEBYTECODE`` set, an editable install would otherwise compile
   every module from source on every command (~0.15 s here) while dbt's never does.
2. A group-by of 10,000,000 rows into 100,000 groups (sum and mean) as a ``@p.sql`` model
   run by the engine (run row, task events, write connection, build record included) vs
   the same in pandas on the frame in memory, with bare DuckDB's floors (``bench.sql_groupby``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHOP = ROOT / "assets" / "dbt_shop"
PROFILE = (
    "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: {path}\n      threads: 4\n"
)


def timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    took = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}")
    return took


def dbt_build(dbt: str, work: Path) -> tuple[float, Path]:
    project = work / "dbt_shop"
    if project.exists():
        shutil.rmtree(project)
    shutil.copytree(SHOP, project)
    db = project / "dbt.duckdb"
    (project / "profiles.yml").write_text(PROFILE.format(path=db))
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1"}
    took = timed([dbt, "build", "--project-dir", str(project), "--profiles-dir", str(project)], project, env)
    return took, db


def compile_bytecode() -> None:
    """Write ``__pycache__`` for the console package, as an installed (non-editable) package has."""
    import compileall

    compileall.compile_dir(str(ROOT / "console"), quiet=1)


def opsconsole_run(work: Path) -> tuple[float, Path]:
    project = work / "ops"
    if project.exists():
        shutil.rmtree(project)
    (project / "pipelines").mkdir(parents=True)
    shutil.copytree(SHOP, project / "pipelines" / "shop")
    exe = str(Path(sys.executable).with_name("opsconsole"))
    cmd = (
        [exe, "--project", str(project), "--no-ui", "run", "shop"]
        if Path(exe).exists()
        else [sys.executable, "-m", "console", "--project", str(project), "--no-ui", "run", "shop"]
    )
    env = {k: v for k, v in os.environ.items() if k != "OPSCONSOLE_HOME"}
    took = timed(cmd, project, env)
    return took, project / ".opsconsole" / "warehouse.duckdb"


def compare(dbt_db: Path, ops_db: Path) -> list[str]:
    """Differences between the two warehouses' seed and model tables (empty: identical values)."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"ATTACH '{dbt_db}' AS d (READ_ONLY)")
    con.execute(f"ATTACH '{ops_db}' AS o (READ_ONLY)")
    problems: list[str] = []
    notes: list[str] = []
    names = [
        "raw_customers",
        "raw_orders",
        "raw_payments",
        "stg_customers",
        "stg_orders",
        "stg_payments",
        "orders",
        "customers",
    ]
    for name in names:
        cols_d = [r[0] for r in con.execute(f"DESCRIBE d.main.{name}").fetchall()]
        cols_o = [r[0] for r in con.execute(f"DESCRIBE o.main.{name}").fetchall()]
        if cols_d != cols_o:
            problems.append(f"{name}: columns differ {cols_d} vs {cols_o}")
            continue
        types_d = [r[1] for r in con.execute(f"DESCRIBE d.main.{name}").fetchall()]
        types_o = [r[1] for r in con.execute(f"DESCRIBE o.main.{name}").fetchall()]
        for col, td, to in zip(cols_d, types_d, types_o, strict=True):
            if td != to:
                notes.append(f"{name}.{col} {td} (dbt) vs {to}")
        for a, b in (("d", "o"), ("o", "d")):
            extra = con.execute(
                f"SELECT count(*) FROM (SELECT * FROM {a}.main.{name} EXCEPT ALL SELECT * FROM {b}.main.{name})"
            ).fetchone()[0]
            if extra:
                problems.append(f"{name}: {extra} rows only in {'dbt' if a == 'd' else 'opsconsole'}")
    con.close()
    if notes:
        print("column types that differ (values equal): " + "; ".join(notes))
    return problems


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench sql")
    parser.add_argument(
        "--dbt", default="/tmp/dbtvenv/bin/dbt", help="the dbt executable (dbt-core + dbt-duckdb)"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-dbt", action="store_true", help="only the group-by part")
    args = parser.parse_args(argv)
    if not args.skip_dbt:
        if not Path(args.dbt).exists():
            print(
                f"no dbt at {args.dbt}: python -m venv /tmp/dbtvenv && /tmp/dbtvenv/bin/pip install "
                "'dbt-core==1.11.*' 'dbt-duckdb==1.10.*' (or pass --dbt, or --skip-dbt)",
                file=sys.stderr,
            )
            return 2
        compile_bytecode()
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            dbt_times, ops_times = [], []
            for _ in range(args.repeat):
                took, dbt_db = dbt_build(args.dbt, work)
                dbt_times.append(took)
                took, ops_db = opsconsole_run(work)
                ops_times.append(took)
            problems = compare(dbt_db, ops_db)
        d, o = statistics.median(dbt_times), statistics.median(ops_times)
        print(
            f"dbt build (dbt-core + dbt-duckdb)  : {d:7.3f} s  (runs: {', '.join(f'{t:.2f}' for t in dbt_times)})"
        )
        print(
            f"opsconsole run shop                : {o:7.3f} s  (runs: {', '.join(f'{t:.2f}' for t in ops_times)})"
            f"  ratio {d / o:.1f}x faster (target >= 8x)"
        )
        print(
            "tables: "
            + ("identical values in all 8 seed and model tables" if not problems else "; ".join(problems))
        )
    from bench.sql_groupby import groupby_bench, report

    report(groupby_bench(args.repeat))
    return 0
