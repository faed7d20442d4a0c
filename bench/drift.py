"""Drift: ``drift()`` on 1,000,000 x 20 numeric columns vs a plain numpy pass (and Evidently).

Reference and current (fixed seed): 20 float64 columns of 1M rows; half of the current
columns are shifted or rescaled a little, so there is drift to find.

- numpy floor: what a good engineer writes by hand for PSI and KS, one column at a time on
  one thread: sort both samples, 10 quantile edges from the sorted reference, bin counts by
  ``searchsorted``, PSI with an epsilon; KS as the largest gap between the two empirical
  CDFs evaluated at every point (``searchsorted`` of the merged values, as scipy does);
- ours: ``console.monitor.drift`` (PSI, KS statistic and p-value, Wasserstein, verdicts,
  null handling), on its default threads and on one thread (``workers=1``);
- Evidently's ``DataDriftPreset`` (``--evidently PYTHON``: an interpreter of a virtualenv
  with ``evidently`` and ``pandas<3``; it runs there in a subprocess on the same data,
  written once to a .npy file, and only its ``report.run`` is timed).

Every PSI and KS statistic of ours is compared with the floor's. Run:
``python -m bench drift [--rows N] [--cols K] [--repeat R] [--evidently /tmp/evvenv/bin/python]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

EPS = 1e-4

EVIDENTLY_SCRIPT = r"""
import json, sys, time, warnings
import numpy as np, pandas as pd
warnings.filterwarnings("ignore")
from evidently import Report
from evidently.presets import DataDriftPreset
ref = np.load(sys.argv[1], mmap_mode="r")
cur = np.load(sys.argv[2], mmap_mode="r")
cols = [f"c{i}" for i in range(ref.shape[1])]
ref = pd.DataFrame(np.ascontiguousarray(ref), columns=cols)
cur = pd.DataFrame(np.ascontiguousarray(cur), columns=cols)
t0 = time.perf_counter()
snapshot = Report([DataDriftPreset()]).run(current_data=cur, reference_data=ref)
elapsed = time.perf_counter() - t0
drifted = None
for metric in snapshot.dict().get("metrics", []):
    value = metric.get("value")
    if isinstance(value, dict) and "count" in value:
        drifted = value["count"]
        break
print(json.dumps({"seconds": elapsed, "drifted": drifted}))
"""


def make_frames(rows: int, cols: int, seed: int = 11) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    names = [f"c{i}" for i in range(cols)]
    ref = pd.DataFrame({n: rng.normal(size=rows) for n in names})
    cur_cols = {}
    for i, n in enumerate(names):
        values = rng.normal(size=rows)
        if i % 2:
            values = values * (1 + 0.05 * i) + 0.03 * i
        cur_cols[n] = values
    return ref, pd.DataFrame(cur_cols)


def numpy_floor(ref: pd.DataFrame, cur: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """PSI and KS per column, by hand, one column at a time."""
    out = {}
    q = np.arange(1, 10) / 10
    for name in ref.columns:
        r = np.sort(ref[name].to_numpy())
        c = np.sort(cur[name].to_numpy())
        edges = np.unique(np.quantile(r, q))
        rc = np.diff(np.searchsorted(r, edges, side="right"), prepend=0, append=r.size) / r.size
        cc = np.diff(np.searchsorted(c, edges, side="right"), prepend=0, append=c.size) / c.size
        rc, cc = np.where(rc == 0, EPS, rc), np.where(cc == 0, EPS, cc)
        psi = float(np.sum((cc - rc) * np.log(cc / rc)))
        both = np.concatenate([r, c])
        gap = (
            np.searchsorted(r, both, side="right") / r.size - np.searchsorted(c, both, side="right") / c.size
        )
        out[name] = (psi, float(np.max(np.abs(gap))))
    return out


def timed(fns: dict[str, Callable[[], Any]], repeat: int) -> tuple[dict[str, float], dict[str, Any]]:
    """Best of ``repeat`` runs of each, interleaved so that load from elsewhere hits them alike."""
    best = dict.fromkeys(fns, float("inf"))
    results: dict[str, Any] = {}
    for _ in range(repeat):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            results[name] = fn()
            best[name] = min(best[name], time.perf_counter() - t0)
    return best, results


def run_evidently(python: str, ref: pd.DataFrame, cur: pd.DataFrame) -> dict[str, Any] | str:
    with tempfile.TemporaryDirectory(prefix="bench-drift-") as tmp:
        paths = [Path(tmp) / "ref.npy", Path(tmp) / "cur.npy"]
        np.save(paths[0], ref.to_numpy())
        np.save(paths[1], cur.to_numpy())
        proc = subprocess.run(
            [python, "-c", EVIDENTLY_SCRIPT, *map(str, paths)], capture_output=True, text=True, timeout=3600
        )
    if proc.returncode != 0:
        return f"failed: {proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else proc.returncode}"
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench drift", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--cols", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5, help="best of R runs, interleaved")
    parser.add_argument(
        "--evidently", metavar="PYTHON", help="a python with evidently installed (its own venv)"
    )
    args = parser.parse_args(argv)

    from console.monitor import drift

    print(f"drift bench: {args.rows:,} rows x {args.cols} numeric columns, {os.cpu_count()} CPUs")
    t0 = time.perf_counter()
    ref, cur = make_frames(args.rows, args.cols)
    print(f"  data generated in {time.perf_counter() - t0:.1f}s")
    drift(ref.iloc[:1000], cur.iloc[:1000])  # scipy's import is not the bench

    best, results = timed(
        {
            "floor": lambda: numpy_floor(ref, cur),
            "ours": lambda: drift(ref, cur),
            "one": lambda: drift(ref, cur, workers=1),
        },
        args.repeat,
    )
    floor_s, ours_s, one_s = best["floor"], best["ours"], best["one"]
    floor, report = results["floor"], results["ours"]

    worst_psi = max(abs(report.columns[n].psi - floor[n][0]) for n in ref.columns)
    worst_ks = max(abs(report.columns[n].ks_stat - floor[n][1]) for n in ref.columns)
    print(f"  agreement with the floor: max |dPSI| {worst_psi:.2e}, max |dKS| {worst_ks:.2e}")
    print(
        f"  drifted columns: {len(report.drifted_columns)} of {args.cols} (share {report.share_drifted:.2f})"
    )
    print()
    print(f"  best of {args.repeat}, interleaved:")
    print(f"  {'numpy floor (PSI + KS, 1 thread)':<44} {floor_s:8.2f} s   1.00x")
    print(f"  {'drift() default threads':<44} {ours_s:8.2f} s   {ours_s / floor_s:.2f}x the floor")
    print(f"  {'drift() workers=1':<44} {one_s:8.2f} s   {one_s / floor_s:.2f}x the floor")
    print("  (drift() also computes the KS p-value, Wasserstein, null rates and verdicts)")

    if args.evidently:
        print()
        print(f"  Evidently DataDriftPreset via {args.evidently} (one run) ...", flush=True)
        result = run_evidently(args.evidently, ref, cur)
        if isinstance(result, str):
            print(f"  Evidently {result}")
        else:
            ev_s = float(result["seconds"])
            print(f"  {'Evidently DataDriftPreset':<44} {ev_s:8.2f} s   {ev_s / floor_s:.2f}x the floor")
            print(f"  drift() is {ev_s / ours_s:.1f}x faster than Evidently (drifted: {result['drifted']})")
    else:
        print("  Evidently: not run (pass --evidently /path/to/venv/bin/python)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
