"""Inference: score each batch of transactions that lands in assets/incoming/fraud/.

With the service running (``opsconsole --no-ui``), a CSV landed in the watched folder
starts a run with its path; by hand, ``opsconsole run fraud_scoring`` scores the newest
batch there (or ``--param path=FILE``). The production ``fraud`` model is loaded (hash
verified), the batch is checked against the version's signature (a clear error names
missing or mistyped columns), and the scored batch is written as an artifact (CSV with
``fraud_probability`` and ``flagged``) and kept as the ``score`` task's result, which the
``fraud`` monitor (``fraud_monitor.py``) reads as its current data. The prediction
distribution is logged per model version: rows, mean probability, flagged rate, p90/p99.
"""

from pathlib import Path

from console import Context, Pipeline

INCOMING = "assets/incoming/fraud"

p = Pipeline(
    "fraud_scoring",
    params={"path": "", "threshold": 0.5},
    watch=f"{INCOMING}/*.csv",
    max_concurrent=1,
    description="Score a landed batch of transactions with the production fraud model",
)


@p.task
def batch(path, ctx: Context):
    from console.errors import DataError
    from console.quality.csvio import read_csv

    if path:
        source = Path(path) if Path(path).is_absolute() else ctx.project_root / path
    else:
        landed = sorted(
            (ctx.project_root / INCOMING).glob("*.csv"), key=lambda f: (f.stat().st_mtime, f.name)
        )
        if not landed:
            raise DataError(
                f"no batch in {INCOMING}/ yet: land one with `python pipelines/fraud_monitor.py`, "
                "or pass --param path=FILE.csv"
            )
        source = landed[-1]
    frame = read_csv(source)
    if frame.empty:
        raise DataError(f"{source}: the batch has no rows")
    ctx.logger.info("batch %s: %d transactions", source.name, len(frame))
    return {"file": source.name, "frame": frame}


@p.task
def score(batch, threshold, ctx: Context):
    from console.registry import resolve
    from console.registry.predict import conform, predict_frame

    # resolve the alias once, then load that version: a promotion meanwhile cannot mix versions
    served = resolve(ctx.store.db, "fraud", alias="production")
    model = ctx.load_model("fraud", version=served.version)
    frame = batch["frame"]
    inputs = conform(frame, served, where=f"batch {batch['file']}")
    predicted = predict_frame(model, inputs)
    scored = frame.copy()
    scored["fraud_probability"] = predicted["probability"].to_numpy()
    scored["flagged"] = (scored["fraud_probability"] >= threshold).astype("int64")

    out = ctx.artifact_path(f"scored_{batch['file']}")
    scored.to_csv(out, index=False)
    ctx.save_artifact(out)
    proba = scored["fraud_probability"]
    version = served.version
    for name, value in (
        ("rows_scored", len(scored)),
        ("mean_fraud_probability", proba.mean()),
        ("flagged_rate", scored["flagged"].mean()),
        ("fraud_probability_p90", proba.quantile(0.9)),
        ("fraud_probability_p99", proba.quantile(0.99)),
    ):
        ctx.log_metric(name, float(value), model="fraud", version=version)
    ctx.logger.info(
        "scored %d rows with fraud v%d: %.2f%% flagged, mean probability %.4f",
        len(scored), version, 100 * scored["flagged"].mean(), proba.mean(),
    )  # fmt: skip
    return scored
