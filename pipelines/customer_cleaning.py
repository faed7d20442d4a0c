"""Seed example: clean a customer frame with pandas, drop rows with missing values, add an age group."""

from pathlib import Path

from console import Context, Pipeline
from console.quality import checks as qc

p = Pipeline(
    "customer_cleaning",
    params={"source": "assets/customers.csv", "output": "customers_clean.csv"},
    description="Clean the customer CSV: drop incomplete rows, add age_group, write the clean frame",
)

AGE_BINS = [0, 17, 29, 44, 64, 200]
AGE_LABELS = ["<18", "18-29", "30-44", "45-64", "65+"]


@p.task(
    checks=[
        qc.schema({"customer_id": "int", "email": "string", "age": "float", "spend": "float"}),
        qc.not_null("customer_id"),
        qc.unique("customer_id"),
        qc.not_null("age", mostly=0.85),
        qc.format("email", "email", severity="warn"),  # recorded, the pipeline goes on
        qc.between("spend", min=0, on_fail="quarantine"),  # refunds booked as spend: set aside
    ]
)
def load(source, ctx: Context):
    import pandas as pd

    path = Path(source) if Path(source).is_absolute() else ctx.project_root / source
    frame = pd.read_csv(path)
    ctx.logger.info("read %d rows from %s", len(frame), source)
    return frame


@p.task
def drop_missing(load, ctx: Context):
    clean = load.dropna(subset=["email", "age", "country"]).copy()
    ctx.logger.info("dropped %d rows with missing email, age or country", len(load) - len(clean))
    ctx.log_metric("rows_dropped", len(load) - len(clean))
    return clean


@p.task(checks=[qc.isin("age_group", AGE_LABELS), qc.row_count(min=100, anomaly=3.0)])
def add_age_group(drop_missing):
    import pandas as pd

    frame = drop_missing.copy()
    frame["age"] = frame["age"].astype("int64")
    frame["age_group"] = pd.cut(frame["age"], bins=AGE_BINS, labels=AGE_LABELS).astype("string")
    return frame


@p.task
def write(add_age_group, output, ctx: Context):
    path = ctx.artifact_path(output)
    add_age_group.to_csv(path, index=False)
    key = ctx.save_artifact(path)
    counts = add_age_group["age_group"].value_counts().sort_index()
    for group, n in counts.items():
        print(f"{group:>6}: {n}")
    ctx.log_metric("rows_clean", len(add_age_group))
    return {"path": str(path), "rows": len(add_age_group), "sha256": key}
