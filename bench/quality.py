"""Quality: ``validate`` on a 10M-row frame vs a plain pandas/numpy pass, pandera and GE.

The frame (fixed seed): ``id`` int64 with a few duplicates, ``amount`` float with some
negatives, ``age`` float with NaNs and values outside 18-120, ``country`` categorical with
a few values outside the allowed set, ``score`` float in 0-1 with a few outside.
Checks: unique(id), between(amount, min=0), not_null(age), between(age, 18, 120),
isin(country, allowed), between(score, 0, 1).

- plain (the floor): one pass computing the same failing counts the way a good engineer
  would (``duplicated(keep=False)``, numpy comparisons on ``to_numpy()`` views, ``isin``);
- plain-numpy: the same algorithms ``validate`` uses (counting table for dense ids,
  per-category lookup), hand-written: what the framework itself costs;
- ours: ``console.quality.validation`` (masks, totals, 20-row samples, timings, messages);
- pandera: the same schema validated lazily (``pip install pandera``);
- Great Expectations 1.x: the same expectations on an ephemeral pandas batch
  (``pip install great_expectations``).

Every tool's failing counts are compared with the floor's. Run: ``python -m bench quality
[--rows N] [--repeat K] [--skip-peers]``; ``--suite`` runs the GX suite bench instead
(:mod:`bench.gx_suite`).
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import time
import warnings
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

ALLOWED = ["US", "DE", "FR", "GB", "ES", "IT", "NL", "SE", "PL"]
CATEGORIES = [*ALLOWED, "XX", "ZZ"]
KEYS = ["unique(id)", "between(amount)", "not_null(age)", "between(age)", "isin(country)", "between(score)"]


def make_frame(rows: int, seed: int = 7) -> pd.DataFrame:
    """The benchmark frame; deterministic for a given ``rows`` and ``seed``."""
    rng = np.random.default_rng(seed)
    ids = rng.permutation(rows).astype(np.int64)
    dups = max(1, rows // 100_000)
    ids[rng.integers(0, rows, dups)] = ids[rng.integers(0, rows, dups)]
    amount = rng.normal(100.0, 50.0, rows)
    age = rng.normal(45.0, 20.0, rows)
    age[rng.random(rows) < 0.01] = np.nan
    probs = np.full(len(CATEGORIES), 0.999 / len(ALLOWED))
    probs[len(ALLOWED) :] = 0.0005
    codes = rng.choice(len(CATEGORIES), size=rows, p=probs / probs.sum()).astype(np.int8)
    country = pd.Categorical.from_codes(codes, categories=CATEGORIES)
    score = rng.random(rows)
    outside = rng.random(rows) < 0.001
    score[outside] = rng.choice([-0.25, 1.5], size=int(outside.sum()))
    return pd.DataFrame({"id": ids, "amount": amount, "age": age, "country": country, "score": score})


def plain(df: pd.DataFrame) -> dict[str, int]:
    """The floor: one plain pass, no framework."""
    amount = df["amount"].to_numpy()
    age = df["age"].to_numpy()
    score = df["score"].to_numpy()
    country = df["country"]
    return {
        "unique(id)": int(df["id"].duplicated(keep=False).sum()),
        "between(amount)": int(np.count_nonzero(amount < 0)),
        "not_null(age)": int(np.count_nonzero(np.isnan(age))),
        "between(age)": int(np.count_nonzero((age < 18) | (age > 120))),
        "isin(country)": int(
            np.count_nonzero(~country.isin(ALLOWED).to_numpy() & country.notna().to_numpy())
        ),
        "between(score)": int(np.count_nonzero((score < 0) | (score > 1))),
    }


def plain_numpy(df: pd.DataFrame) -> dict[str, int]:
    """The strictest floor: the algorithms ``validate`` uses, hand-written, no framework.

    ids are a dense range, so duplicates come from a counting table; the categorical is
    judged per category and mapped through its codes.
    """
    ids = df["id"].to_numpy()
    offsets = ids - ids.min()
    counts = np.bincount(offsets)
    dup = np.take(counts > 1, offsets)
    amount = df["amount"].to_numpy()
    age = df["age"].to_numpy()
    score = df["score"].to_numpy()
    country = df["country"]
    bad = np.append(~country.cat.categories.isin(ALLOWED), False)
    return {
        "unique(id)": int(np.count_nonzero(dup)),
        "between(amount)": int(np.count_nonzero(amount < 0)),
        "not_null(age)": int(np.count_nonzero(np.isnan(age))),
        "between(age)": int(np.count_nonzero((age < 18) | (age > 120))),
        "isin(country)": int(np.count_nonzero(np.take(bad, country.cat.codes.to_numpy()))),
        "between(score)": int(np.count_nonzero((score < 0) | (score > 1))),
    }


def ours_checks() -> list[Any]:
    from console.quality import checks as qc

    return [
        qc.unique("id"),
        qc.between("amount", min=0),
        qc.not_null("age"),
        qc.between("age", 18, 120),
        qc.isin("country", ALLOWED),
        qc.between("score", 0, 1),
    ]


def ours(df: pd.DataFrame, checks: list[Any]) -> dict[str, int]:
    from console.quality import validate

    report = validate(df, checks)
    return {r.check: r.failing for r in report.results}


def pandera_runner() -> Callable[[pd.DataFrame], dict[str, int]] | None:
    try:
        import pandera.pandas as pa
    except ImportError:
        return None
    schema = pa.DataFrameSchema(
        {
            "id": pa.Column("int64", unique=True),
            "amount": pa.Column(float, pa.Check.ge(0), nullable=True),
            "age": pa.Column(float, pa.Check.in_range(18, 120), nullable=False),
            "country": pa.Column("category", pa.Check.isin(ALLOWED), nullable=True),
            "score": pa.Column(float, pa.Check.in_range(0, 1), nullable=True),
        }
    )
    names = {
        ("id", "field_uniqueness"): "unique(id)",
        ("amount", "greater_than_or_equal_to(0)"): "between(amount)",
        ("age", "not_nullable"): "not_null(age)",
        ("age", "in_range(18, 120)"): "between(age)",
        ("country", "isin"): "isin(country)",
        ("score", "in_range(0, 1)"): "between(score)",
    }

    def run(df: pd.DataFrame) -> dict[str, int]:
        try:
            schema.validate(df, lazy=True)
        except pa.errors.SchemaErrors as exc:
            cases = exc.failure_cases
            counts = cases.groupby(["column", "check"]).size()
            out = dict.fromkeys(KEYS, 0)
            for (column, check), n in counts.items():
                key = names.get((column, check)) or names.get((column, str(check).split("(")[0]))
                if key is None:
                    raise RuntimeError(f"pandera reported an unexpected check {column}/{check}") from None
                out[key] = int(n)
            return out
        return dict.fromkeys(KEYS, 0)

    return run


def ge_runner() -> Callable[[pd.DataFrame], dict[str, int]] | None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    try:
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig
    except ImportError:
        return None
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    asset = context.data_sources.add_pandas("bench").add_dataframe_asset("frame")
    definition = asset.add_batch_definition_whole_dataframe("all")
    ex = gx.expectations
    suite = gx.ExpectationSuite(
        name="bench",
        expectations=[
            ex.ExpectColumnValuesToBeUnique(column="id"),
            ex.ExpectColumnValuesToBeBetween(column="amount", min_value=0),
            ex.ExpectColumnValuesToNotBeNull(column="age"),
            ex.ExpectColumnValuesToBeBetween(column="age", min_value=18, max_value=120),
            ex.ExpectColumnValuesToBeInSet(column="country", value_set=ALLOWED),
            ex.ExpectColumnValuesToBeBetween(column="score", min_value=0, max_value=1),
        ],
    )

    def run(df: pd.DataFrame) -> dict[str, int]:
        batch = definition.get_batch(batch_parameters={"dataframe": df})
        result = batch.validate(suite, result_format="SUMMARY")
        return {key: int(r.result["unexpected_count"]) for key, r in zip(KEYS, result.results, strict=True)}

    return run


def timed(fn: Callable[[], dict[str, int]], repeat: int) -> tuple[list[float], dict[str, int]]:
    times: list[float] = []
    counts: dict[str, int] = {}
    for _ in range(repeat):
        started = time.perf_counter()
        counts = fn()
        times.append(time.perf_counter() - started)
    return times, counts


def ratio(label: str, num: float, den: float, target: str) -> None:
    print(f"{label:<28}{num / den:>7.2f}x  (target {target})")


def main(argv: list[str]) -> int:
    if "--suite" in argv:  # the GX suite bench: a 20-expectation suite, GX vs ops-console
        from bench import gx_suite

        return gx_suite.main([a for a in argv if a != "--suite"])
    parser = argparse.ArgumentParser(prog="python -m bench quality", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="rows in the frame (default 10,000,000)")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per tool; best and median reported (default 3)"
    )
    parser.add_argument("--skip-peers", action="store_true", help="time only ours and the floors")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    df = make_frame(args.rows)
    print(f"frame: {args.rows:,} rows x {df.shape[1]} columns, built in {time.perf_counter() - started:.1f}s")
    checks = ours_checks()
    ours(df.head(1000), checks)  # warm imports outside the timing

    runs: dict[str, tuple[list[float], dict[str, int]]] = {
        "plain": timed(lambda: plain(df), args.repeat),
        "plain-numpy": timed(lambda: plain_numpy(df), args.repeat),
        "ours": timed(lambda: ours(df, checks), args.repeat),
    }
    skipped = []
    peers = [] if args.skip_peers else [("pandera", pandera_runner), ("great_expectations", ge_runner)]
    for label, factory in peers:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            runner = factory()
            if runner is None:
                skipped.append(label)
                continue
            runs[label] = timed(partial(runner, df), args.repeat)

    floor = runs["plain"][1]
    print(f"\n{'tool':<20}{'best s':>8}{'median s':>10}  {'runs (s)':<26}counts equal")
    for label, (times, counts) in runs.items():
        same = "yes" if counts == floor else f"NO: {counts}"
        runs_text = ", ".join(f"{t:.3f}" for t in times)
        print(f"{label:<20}{min(times):>8.3f}{statistics.median(times):>10.3f}  {runs_text:<26}{same}")
    print(f"\nfailing counts: {floor}")
    best = {label: min(times) for label, (times, _) in runs.items()}
    ratio("ours / plain", best["ours"], best["plain"], "<= 1.2x")
    ratio("ours / plain-numpy", best["ours"], best["plain-numpy"], "same algorithms, no framework")
    if "pandera" in best:
        ratio("pandera / ours", best["pandera"], best["ours"], ">= 2x")
    if "great_expectations" in best:
        ratio("great_expectations / ours", best["great_expectations"], best["ours"], ">= 5x")
    for label in skipped:
        print(f"{label}: skipped, not installed (pip install pandera great_expectations)")
    breakdown(df, checks)
    mismatched = [label for label, (_, counts) in runs.items() if counts != floor]
    if mismatched:
        print(f"MISMATCH: failing counts differ for {', '.join(mismatched)}")
        return 1
    return 0


def breakdown(df: pd.DataFrame, checks: list[Any]) -> None:
    """Per-check seconds of ours (from ``duration_s``) for the record."""
    from console.quality import validate

    report = validate(df, checks)
    parts = ", ".join(f"{r.check} {r.duration_s:.3f}" for r in report.results)
    print(f"ours per check (s): {parts}")
