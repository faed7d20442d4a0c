"""The group-by half of ``python -m bench sql``: a ``@p.sql`` model vs pandas, with DuckDB's floors.

10,000,000 rows into 100,000 groups (sum and mean). Measured in one process, interleaved
(each repeat runs every contender once, so they share the machine's load), median of the
repeats:

- pandas: ``groupby`` on the frame in memory (the peer);
- bare DuckDB, warm: the query to a DataFrame, and a ``CREATE TABLE AS``, on a connection
  that stays open (its buffer pool already holds the 10M rows);
- bare DuckDB, cold: open the warehouse file, ``CREATE TABLE AS`` in a transaction, close
  (which checkpoints): the least a run that opens and lets go of the file can do. Once with
  DuckDB's default settings and once with the warehouse's (``console.sql.warehouse.SETTINGS``);
- the engine on an empty one-task pipeline (its own per-run cost);
- ``Engine.run`` of the ``@p.sql`` model: run row, task events, the write connection and its
  flock, the build record, the release at the end.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

N_ROWS, N_GROUPS = 10_000_000, 100_000
QUERY = "SELECT key, sum(value) AS sum, avg(value) AS mean FROM events GROUP BY key"


def _cold_ctas(path: Path, settings: tuple[str, ...]) -> Callable[[], Any]:
    import duckdb

    def run() -> None:
        con = duckdb.connect(str(path))
        for setting in settings:
            con.execute(setting)
        con.execute("BEGIN TRANSACTION")
        con.execute(f"CREATE OR REPLACE TABLE bare_totals AS ({QUERY})")
        con.execute("COMMIT")
        con.close()

    return run


def groupby_bench(repeat: int) -> dict[str, float]:
    """Median seconds per contender (see the module docstring)."""
    import duckdb
    import numpy as np
    import pandas as pd

    from console import Pipeline
    from console.engine.discovery import Catalog
    from console.engine.engine import Engine
    from console.project import load_project
    from console.sql import warehouse as wh
    from console.sql.warehouse import release_run, write_cursor

    settings: tuple[str, ...] = getattr(wh, "SETTINGS", ())  # absent before they existed
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {"key": rng.integers(0, N_GROUPS, N_ROWS, dtype=np.int64), "value": rng.random(N_ROWS)}
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "pipelines").mkdir()
        project = load_project(root)
        warehouse = root / ".opsconsole" / "warehouse.duckdb"
        with write_cursor(warehouse, 0) as cur:
            cur.register("frame", frame)
            cur.execute("CREATE TABLE events AS SELECT * FROM frame")
            cur.unregister("frame")
        release_run(warehouse, 0)
        floors_db = root / "floors.duckdb"  # the bare contenders' own copy: they never touch the warehouse
        with duckdb.connect(str(floors_db)) as con:
            con.register("frame", frame)
            con.execute("CREATE TABLE events AS SELECT * FROM frame")

        p = Pipeline("groupby")

        @p.sql
        def totals() -> str:
            return QUERY

        empty = Pipeline("empty")

        @empty.task
        def nothing() -> int:
            return 0

        catalog = Catalog(root / "pipelines")
        catalog.add(p)
        catalog.add(empty)
        engine = Engine(project, catalog=catalog)
        warm = duckdb.connect(str(root / "warm.duckdb"))
        warm.register("frame", frame)
        warm.execute("CREATE TABLE events AS SELECT * FROM frame")
        warm.unregister("frame")
        for setting in settings:
            warm.execute(setting)
        results: dict[str, Any] = {}

        def run_model() -> None:
            runner = engine.run("groupby")
            assert runner.final_status == "succeeded", runner.final_status
            results["rows"] = runner.values["totals"]["rows"]

        contenders: dict[str, Callable[[], Any]] = {
            "pandas": lambda: frame.groupby("key")["value"].agg(["sum", "mean"]),
            "bare query, warm": lambda: warm.sql(QUERY).df(),
            "bare CTAS, warm": lambda: warm.execute(f"CREATE OR REPLACE TABLE t AS ({QUERY})"),
            "bare open+CTAS+close, defaults": _cold_ctas(floors_db, ()),
            "bare open+CTAS+close, settings": _cold_ctas(floors_db, settings),
            "engine, empty pipeline": lambda: engine.run("empty"),
            "@p.sql run": run_model,
        }
        times: dict[str, list[float]] = {name: [] for name in contenders}
        try:
            for _ in range(repeat):
                for name, fn in contenders.items():
                    t0 = time.perf_counter()
                    fn()
                    times[name].append(time.perf_counter() - t0)
        finally:
            warm.close()
            engine.close()
        assert results["rows"] == N_GROUPS, results
    return {name: statistics.median(values) for name, values in times.items()}


def report(medians: dict[str, float]) -> None:
    pandas_s, ours = medians["pandas"], medians["@p.sql run"]
    print("10M rows -> 100k groups (sum, mean), median of the repeats, interleaved:")
    for name, seconds in medians.items():
        extra = ""
        if name == "@p.sql run":
            extra = f"  ratio {pandas_s / ours:.2f}x faster than pandas (target >= 2x)"
        elif name != "pandas":
            extra = f"  ({pandas_s / seconds:.2f}x pandas)"
        print(f"  {name:<32}: {seconds:7.3f} s{extra}")
    floor = medians["bare open+CTAS+close, settings"]
    print(
        f"  the run's cost over the cold floor: {ours - floor:+.3f} s; the cold floor's over the warm CTAS:"
        f" {floor - medians['bare CTAS, warm']:+.3f} s (opening the file, reading 10M rows into a new buffer"
        " pool, the checkpoint on close)"
    )
