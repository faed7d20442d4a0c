"""The fraud model's monitor, and a traffic simulator whose batches drift after a few.

``fraud`` compares the newest two scored batches (``fraud_scoring``) with the data the
production version was trained on (the ``features`` result of the run that registered it)
every 10 minutes in the service, or now with ``opsconsole monitor fraud --run``. PSI above
0.2 on any input column, or an AUC under 0.8 on the labelled rows, raises an alert that
retrains ``fraud_detection``; its new version goes through that pipeline's gate.

Run as a script, this file simulates traffic: ``.venv/bin/python pipelines/fraud_monitor.py`` lands
the next batch in assets/incoming/fraud/ (written as ``.part``, then renamed, so the
watcher never reads half a file). From batch ``--drift-after`` + 1 on (default: the 4th),
amounts shift up and a merchant category never seen in training appears. (A script, not
a pipeline, so that running every demo pipeline does not drop files into the project.)
The demo from the shell::

    .venv/bin/opsconsole run fraud_detection
    for i in 1 2 3 4; do .venv/bin/python pipelines/fraud_monitor.py && .venv/bin/opsconsole run fraud_scoring; done
    .venv/bin/opsconsole monitor fraud --run      # exit 1: alert -> retrain run -> gate decision
    .venv/bin/opsconsole alerts
"""

import sys
from pathlib import Path

try:
    from console.monitor import Monitor, Rule, recent_results, retrain
except ModuleNotFoundError as exc:  # run as a script by a python without the project installed
    if __name__ != "__main__" or exc.name not in ("console", "numpy", "pandas"):
        raise
    sys.exit(f"{exc}: run it with the project's virtualenv: .venv/bin/python pipelines/fraud_monitor.py")

INCOMING = "assets/incoming/fraud"

fraud = Monitor(
    "fraud",
    model="fraud",
    reference="fraud_detection.features.X_train",
    current=recent_results("fraud_scoring.score", n=2),
    every="10m",
    label="is_fraud",
    rules=[Rule("psi", ">", 0.2), Rule("auc", "<", 0.8)],
    on_alert=retrain("fraud_detection", params={"landed": f"{INCOMING}/batch_*.csv"}),
    cooldown="30m",
    description="Input drift of the scored batches, and the production fraud model's AUC on their labels",
)


def land_batch(root: Path, *, rows: int = 2000, drift_after: int = 3, drift: float = 1.0) -> Path:
    """Write the next ``batch_NNNN.csv`` into the watched folder (``.part`` then rename)."""
    from _fraud_data import make_transactions

    folder = root / INCOMING
    folder.mkdir(parents=True, exist_ok=True)
    number = len(list(folder.glob("batch_*.csv"))) + 1
    shift = float(drift) if number > drift_after else 0.0
    frame = make_transactions(rows, seed=1000 + number, drift=shift)
    final = folder / f"batch_{number:04d}.csv"
    part = final.with_name(final.name + ".part")
    frame.to_csv(part, index=False)
    part.rename(final)
    print(f"landed {final.relative_to(root)}: {len(frame)} transactions, drift {shift:g}")
    return final


def main(argv: list[str] | None = None) -> int:
    """``python pipelines/fraud_monitor.py [--batches N]``: simulate traffic for the demo."""
    import argparse

    parser = argparse.ArgumentParser(description="Land batches of transactions in assets/incoming/fraud/")
    parser.add_argument("--batches", type=int, default=1)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--drift-after", type=int, default=3, help="batches before the data drifts")
    parser.add_argument("--drift", type=float, default=1.0)
    parser.add_argument("--project", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args(argv)
    for _ in range(args.batches):
        land_batch(args.project, rows=args.rows, drift_after=args.drift_after, drift=args.drift)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
