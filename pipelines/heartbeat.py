"""A scheduled health check of the state store: how many runs, how many failed lately."""

import time

from console import Context, Pipeline

p = Pipeline(
    "heartbeat",
    schedule="every 10m",
    description="Every 10 minutes: count runs in the store and the failures of the last 24 hours",
)


@p.task
def store_counts(ctx: Context):
    db = ctx.store.db
    total = db.query_one("SELECT count(*) FROM runs")[0]
    since = time.time() - 86400
    failed = db.query_one(
        "SELECT count(*) FROM runs WHERE status IN ('failed', 'interrupted') AND created_at >= ?", (since,)
    )[0]
    active = db.query_one("SELECT count(*) FROM runs WHERE status IN ('queued', 'running')")[0]
    return {"runs": total, "failed_24h": failed, "active": active}


@p.task
def report(store_counts, ctx: Context):
    ctx.log_metric("failed_runs_24h", store_counts["failed_24h"])
    ctx.logger.info(
        "store ok: %d runs, %d active, %d failed or interrupted in 24h",
        store_counts["runs"],
        store_counts["active"],
        store_counts["failed_24h"],
    )
    return store_counts
