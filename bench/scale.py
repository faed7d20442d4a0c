"""CPU-bound fits on threads, a process pool and a 2-worker Dask LocalCluster.

A pipeline of 16 independent model fits (pure-Python gradient boosting would be unfair to
threads only because of the GIL; a scikit-learn fit mostly holds it too) run through the real
engine on each executor. Prints wall time and the speed-up against threads.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

SOURCE = """
from console import Pipeline

p = Pipeline("fits", params={{"n_fits": {n}, "rows": {rows}, "epochs": {epochs}}})

@p.task
def data(rows):
    from sklearn.datasets import make_classification
    X, y = make_classification(n_samples=rows, n_features=20, random_state=0)
    return (X, y)

def make(i):
    def fit(data, epochs):
        X, y = data
        if {kind!r} == "sklearn":  # mostly releases the GIL: threads already scale
            from sklearn.ensemble import GradientBoostingClassifier
            clf = GradientBoostingClassifier(n_estimators=40, random_state=i).fit(X, y)
            return float(clf.score(X, y))
        # a logistic regression by plain-Python SGD: holds the GIL like most glue code
        rows = X.tolist()[:600]
        labels = y.tolist()[:600]
        w = [0.0] * len(rows[0])
        for epoch in range(epochs):
            for x, t in zip(rows, labels):
                z = sum(a * b for a, b in zip(w, x))
                g = (1.0 if z > 0 else 0.0) - t
                w = [a - 0.01 * (g + 0.001 * i) * b for a, b in zip(w, x)]
        return round(sum(w), 9)
    return fit

for i in range({n}):
    p.task(name=f"fit{{i}}")(make(i))
"""


def timed(root: Path, executor: str) -> tuple[float, dict]:
    from console.engine.engine import Engine
    from console.project import load_project

    engine = Engine(load_project(root), executor=executor, max_workers=2)
    engine.run("fits")  # warm-up: start the pool or cluster, import sklearn in every worker
    t0 = time.perf_counter()
    runner = engine.run("fits")
    took = time.perf_counter() - t0
    assert runner.final_status == "succeeded", runner.final_status
    values = {k: v for k, v in runner.values.items() if k.startswith("fit")}
    engine.close()
    return took, values


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench scale")
    parser.add_argument("--fits", type=int, default=16)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--epochs", type=int, default=200, help="work per python fit (about 1 ms per epoch)")
    parser.add_argument(
        "--kind",
        choices=("python", "sklearn"),
        default="python",
        help="python: GIL-bound fits (default); sklearn: GradientBoosting (releases the GIL)",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "pipelines").mkdir()
        (root / "pipelines" / "fits.py").write_text(
            SOURCE.format(n=args.fits, rows=args.rows, kind=args.kind, epochs=args.epochs)
        )
        results = {}
        for executor in ("thread", "process", "dask"):
            try:
                results[executor] = timed(root, executor)
            except Exception as exc:  # noqa: BLE001 - e.g. dask not installed
                print(f"  {executor:<8} skipped: {exc}")
    base = results["thread"][0]
    print(f"{args.fits} {args.kind} fits, 2 workers each (second run, warm)")
    for executor, (took, values) in results.items():
        same = "same scores" if values == results["thread"][1] else "DIFFERENT scores"
        print(f"  {executor:<8} {took:7.2f} s   speed-up vs threads {base / took:4.2f}x   {same}")
    return 0
