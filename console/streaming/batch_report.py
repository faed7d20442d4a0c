"""What one batch read, per partition, as the ``kafka.batch`` event of its task.

The event is written when the batch's transaction has committed: the topic, group and table,
and for every partition the offset the batch read from (and where that offset came from:
the warehouse, the consumer group or the start of the partition), the next offset after it,
the rows and quarantined messages it gave, the log end when the batch started and the lag
left. Front ends read it back with :func:`batch_events`; nothing here imports confluent-kafka.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from console.store.db import Database
    from console.streaming.kafka import KafkaSource

KIND = "kafka.batch"


def batch_report(
    source: KafkaSource,
    starts: dict[int, int],
    origins: dict[int, str],
    ends: dict[int, int],
    nexts: dict[int, int],
    frame: pd.DataFrame,
    bad: list[dict[str, Any]],
) -> dict[str, Any]:
    """The event's data (JSON-ready)."""
    rows: dict[int, int] = {}
    if "_kafka_partition" in frame.columns and len(frame):  # a transform may have dropped it: rows per batch only
        import numpy as np

        # partitions are small non-negative ints: a bincount, ~10x pandas' value_counts on 500k rows
        column = frame["_kafka_partition"].to_numpy()
        if column.dtype.kind in "iu" and column.min() >= 0:
            rows = {p: int(n) for p, n in enumerate(np.bincount(column)) if n}
        else:
            rows = {int(p): int(n) for p, n in frame["_kafka_partition"].value_counts().items()}
    quarantined = Counter(int(b["partition"]) for b in bad)
    parts = [
        {
            "partition": p,
            "origin": origins.get(p, "start"),
            "from_offset": starts[p],
            "to_offset": nexts[p],
            "rows": rows.get(p, 0),
            "quarantined": quarantined.get(p, 0),
            "log_end": ends.get(p, nexts[p]),
            "lag": max(ends.get(p, nexts[p]) - nexts[p], 0),
        }
        for p in sorted(starts)
    ]
    return {
        "topic": source.topic, "group": source.group, "table": source.table,
        "rows": len(frame),
        "quarantined": len(bad), "partitions": parts,
    }  # fmt: skip


def batch_events(db: Database, run_id: int) -> list[dict[str, Any]]:
    """The ``kafka.batch`` events of a run, oldest first, each with its ``task``."""
    out = []
    for row in db.query("SELECT task, data FROM events WHERE run_id=? AND kind=? ORDER BY seq", (run_id, KIND)):
        try:
            data = json.loads(row["data"] or "{}")
        except ValueError:
            continue
        if isinstance(data, dict) and isinstance(data.get("partitions"), list):
            out.append({"task": row["task"], **data})
    return out
