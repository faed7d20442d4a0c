"""File arrival: each CSV landed in assets/incoming/ is read, counted and summarised.

Land files atomically: write `name.csv.part` (or `.name.csv`) and rename it to `name.csv`
when complete; the service also waits until a file stops changing before it starts.
Run it by hand on any file with: opsconsole run file_ingest --param path=assets/customers.csv
"""

from pathlib import Path

from console import Context, Pipeline

p = Pipeline(
    "file_ingest",
    params={"path": ""},
    watch="assets/incoming/*.csv",
    max_concurrent=2,
    description="Read a CSV that landed in assets/incoming/, count its rows and columns",
)


@p.task
def land(path, ctx: Context):
    import pandas as pd

    if not path:
        raise ValueError(
            "file_ingest needs a file: drop a CSV into assets/incoming/ while the service runs, "
            "or pass --param path=assets/customers.csv"
        )
    source = Path(path) if Path(path).is_absolute() else ctx.project_root / path
    frame = pd.read_csv(source)
    ctx.logger.info("read %d rows x %d columns from %s", len(frame), frame.shape[1], source.name)
    return frame


@p.task
def summarise(land, path, ctx: Context):
    nulls = int(land.isna().sum().sum())
    ctx.log_metric("rows_ingested", len(land))
    ctx.log_metric("null_cells", nulls)
    print(f"{Path(path).name}: {len(land)} rows, {land.shape[1]} columns, {nulls} empty cells")
    return {"file": Path(path).name, "rows": len(land), "columns": list(land.columns), "nulls": nulls}
