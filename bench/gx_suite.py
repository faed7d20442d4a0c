"""Quality, GX suite: a 20-expectation Great Expectations suite over 10M rows, run by GX 1.x
and by ops-console (``load_suite`` + ``validate``) in the same process.

The suite is a plain GX 1.x JSON document (column map, aggregate, pair and table
expectations, one with ``mostly``, one with a ``row_condition``); the frame is the quality
bench's (fixed seed) plus a product code, two timestamps and a sequence number. Every
expectation's success and unexpected count must agree between the two. Run:
``python -m bench quality --suite [--rows N] [--repeat K]`` (GX from the ``bench`` extra).
"""

from __future__ import annotations

import argparse
import logging
import os
import time
import warnings
from typing import Any

import numpy as np
import pandas as pd

from bench.quality import ALLOWED, make_frame


def frame(rows: int, seed: int = 7) -> pd.DataFrame:
    """The quality bench's frame plus ``code``, ``created``/``shipped`` and ``seq``."""
    df = make_frame(rows, seed)
    rng = np.random.default_rng(seed + 1)
    codes = [f"{p}-{n:04d}" for p in ("ABC", "XYZ", "QRS") for n in range(0, 10000, 97)] + ["bad code"]
    df["code"] = pd.Categorical.from_codes(
        rng.integers(0, len(codes), rows).astype(np.int16), categories=codes
    )
    created = rng.integers(1_700_000_000, 1_710_000_000, rows).astype(np.float64)
    shipped = created + rng.integers(-10, 86_400 * 5, rows)
    shipped[rng.random(rows) < 0.02] = np.nan
    df["created"], df["shipped"] = created, shipped
    seq = np.arange(rows, dtype=np.int64)
    seq[rng.integers(1, rows, max(1, rows // 1_000_000))] = 0
    df["seq"] = seq
    return df


def _e(kind: str, **kwargs: Any) -> dict[str, Any]:
    return {"type": kind, "kwargs": kwargs, "meta": {}}


def suite(columns: list[str]) -> dict[str, Any]:
    """The 20 expectations."""
    c = "expect_column_"
    return {
        "name": "bench",
        "expectations": [
            _e(c + "values_to_be_unique", column="id"),
            _e(c + "values_to_not_be_null", column="age"),
            _e(c + "values_to_be_between", column="amount", min_value=0),
            _e(c + "values_to_be_between", column="age", min_value=18, max_value=120, mostly=0.95),
            _e(c + "values_to_be_between", column="score", min_value=0, max_value=1, strict_max=True),
            _e(c + "values_to_be_in_set", column="country", value_set=ALLOWED),
            _e(c + "values_to_not_be_in_set", column="country", value_set=["ZZ"]),
            _e(c + "values_to_match_regex", column="code", regex=r"^[A-Z]{3}-\d{4}$"),
            _e(c + "value_lengths_to_be_between", column="code", min_value=8, max_value=8),
            _e(c + "values_to_be_between", column="amount", max_value=250, row_condition='country == "US"',
               condition_parser="pandas"),
            _e(c + "values_to_be_increasing", column="seq"),
            _e(c + "pair_values_a_to_be_greater_than_b", column_A="shipped", column_B="created", or_equal=True),
            _e(c + "mean_to_be_between", column="amount", min_value=99, max_value=101),
            _e(c + "stdev_to_be_between", column="amount", min_value=49, max_value=51),
            _e(c + "median_to_be_between", column="age", min_value=40, max_value=50),
            _e(c + "min_to_be_between", column="score", min_value=0),
            _e(c + "max_to_be_between", column="score", max_value=1),
            _e(c + "unique_value_count_to_be_between", column="country", min_value=9, max_value=9),
            _e("expect_table_row_count_to_be_between", min_value=1),
            _e("expect_table_columns_to_match_set", column_set=columns),
        ],
    }  # fmt: skip


def ours(df: pd.DataFrame, spec: dict[str, Any]) -> list[tuple[bool, int | None]]:
    from console.quality import validate
    from console.quality.gx import load_suite

    report = validate(df, load_suite(spec))
    return [(r.passed, r.failing if r.kind not in _AGGREGATE else None) for r in report.results]


_AGGREGATE = {"stat", "distinct_count", "row_count", "columns_match"}


def _same(done: Any, wanted: Any) -> bool:
    kwargs = {k: v for k, v in done.kwargs.items() if k != "batch_id"}
    return bool(done.type == wanted.type and kwargs == wanted.kwargs)


def gx_runner(spec: dict[str, Any]) -> Any:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    try:
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig
    except ImportError:
        return None
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    definition = (
        context.data_sources.add_pandas("b")
        .add_dataframe_asset("f")
        .add_batch_definition_whole_dataframe("a")
    )
    expectations = [
        getattr(gx.expectations, "".join(p.capitalize() for p in e["type"].split("_")))(**e["kwargs"])
        for e in spec["expectations"]
    ]
    suite_ = gx.ExpectationSuite(name="bench", expectations=expectations)

    def run(df: pd.DataFrame) -> list[tuple[bool, int | None]]:
        batch = definition.get_batch(batch_parameters={"dataframe": df})
        result = batch.validate(suite_, result_format="BASIC")
        # results come back out of order: pair each with its expectation's configuration
        out = []
        for e in suite_.expectations:
            r = next(r for r in result.results if _same(r.expectation_config, e.configuration))
            out.append((bool(r.success), r.result.get("unexpected_count")))
        return out

    return run


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench quality --suite", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of ours (GX runs once); best reported")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    df = frame(args.rows)
    spec = suite(list(df.columns))
    print(f"frame: {args.rows:,} rows x {df.shape[1]} columns, built in {time.perf_counter() - started:.1f}s")
    ours(df.head(1000), spec)  # warm imports outside the timing
    times, counts = [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        counts = ours(df, spec)
        times.append(time.perf_counter() - t0)
    print(f"ops-console  best {min(times):8.3f} s  runs {', '.join(f'{t:.3f}' for t in times)}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        runner = gx_runner(spec)
        if runner is None:
            print("great_expectations: skipped, not installed (pip install -e '.[bench]')")
            return 0
        runner(df.head(1000))
        t0 = time.perf_counter()
        theirs = runner(df)
        gx_s = time.perf_counter() - t0
    print(f"GX 1.x             {gx_s:8.3f} s")
    print(f"GX / ops-console   {gx_s / min(times):8.1f}x  (target >= 10x)")
    mismatched = []
    for e, (ok, n), (gok, gn) in zip(spec["expectations"], counts, theirs, strict=True):
        same = ok == gok and (n is None or gn is None or n == gn)
        if not same:
            mismatched.append(f"{e['type']}: ours {ok}/{n}, GX {gok}/{gn}")
    failing = sum(not ok for ok, _ in counts)
    print(
        f"{len(counts)} expectations, {failing} failing; success and unexpected counts equal: {not mismatched}"
    )
    for line in mismatched:
        print("MISMATCH", line)
    return 1 if mismatched else 0
