"""Parallel branches and retries: two extracts run side by side; one fails once, then succeeds."""

import random

from console import Context, Pipeline

p = Pipeline(
    "daily_report",
    params={"day": "2026-11-24", "stores": 12},
    description="Extract sales and inventory in parallel (a flaky source retried), join, report",
)


@p.task
def sales(day, stores, ctx: Context):
    rng = random.Random(day)
    ctx.logger.info("extracting sales for %s", day)
    return {f"store-{i}": round(rng.uniform(1_000, 9_000), 2) for i in range(stores)}


@p.task(retries=3, retry_delay=0.2)
def inventory(day, stores, ctx: Context):
    if ctx.attempt == 1:
        # the warehouse API drops the first connection of the day
        raise ConnectionError("warehouse API reset the connection")
    rng = random.Random(f"inv-{day}")
    return {f"store-{i}": rng.randint(50, 500) for i in range(stores)}


@p.task
def joined(sales, inventory):
    return [
        {"store": s, "sales": sales[s], "units": inventory[s], "per_unit": round(sales[s] / inventory[s], 2)}
        for s in sorted(sales)
    ]


@p.task
def report(joined, day, ctx: Context):
    total = sum(row["sales"] for row in joined)
    ctx.log_metric("sales_total", total)
    best = max(joined, key=lambda r: r["per_unit"])
    print(
        f"{day}: {len(joined)} stores, sales {total:,.2f}, best per unit {best['store']} ({best['per_unit']})"
    )
    return {"day": day, "total": total}
