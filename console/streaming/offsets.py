"""The warehouse side of a Kafka source: its tables, stored offsets and the one-transaction write.

``kafka_offsets (topic, partition, consumer_group) -> next_offset`` is written in the same
DuckDB transaction as the batch's rows and quarantined messages, so after any crash the
warehouse's rows and offsets agree: the next run resumes exactly where the last commit ended.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.errors import StreamingError

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

    from console.engine.context import Context
    from console.streaming.kafka import KafkaSource

DDL = """
CREATE TABLE IF NOT EXISTS kafka_offsets (
    topic VARCHAR NOT NULL, "partition" INTEGER NOT NULL, consumer_group VARCHAR NOT NULL,
    next_offset BIGINT NOT NULL, run_id BIGINT, updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (topic, "partition", consumer_group)
);
CREATE TABLE IF NOT EXISTS kafka_quarantine (
    topic VARCHAR NOT NULL, "partition" INTEGER NOT NULL, "offset" BIGINT NOT NULL,
    value BLOB, error VARCHAR, run_id BIGINT, quarantined_at TIMESTAMPTZ NOT NULL
);
"""


def warehouse_path(project_root: Path, home: Path) -> Path:
    """The warehouse file: ``warehouse = "..."`` in the config, else ``.opsconsole/warehouse.duckdb``."""
    from console.project import read_config

    configured = read_config(project_root).get("warehouse")
    return (project_root / str(configured)) if configured else home / "warehouse.duckdb"


@contextmanager
def connect(path: Path, *, read_only: bool = False, wait_s: float = 30.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB connection; while another process holds the file, retry until ``wait_s``."""
    import duckdb

    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_s
    delay = 0.02
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise StreamingError(f"{path}: the warehouse cannot be opened ({str(exc).splitlines()[0]})") from None
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
    try:
        yield con
    finally:
        con.close()


@contextmanager
def warehouse(ctx: Context) -> Iterator[duckdb.DuckDBPyConnection]:
    """The run's write connection to the project's warehouse, with the Kafka tables in place."""
    home = Path(ctx.store.home) if ctx.store is not None else Path(ctx.project_root) / ".opsconsole"
    with connect(warehouse_path(Path(ctx.project_root), home)) as con:
        con.execute(DDL)
        yield con


def stored(con: duckdb.DuckDBPyConnection, topic: str, group: str) -> dict[int, int]:
    rows = con.execute(
        'SELECT "partition", next_offset FROM kafka_offsets WHERE topic = ? AND consumer_group = ?', [topic, group]
    ).fetchall()
    return {int(p): int(o) for p, o in rows}


def write_batch(
    con: duckdb.DuckDBPyConnection,
    source: KafkaSource,
    frame: pd.DataFrame,
    bad: list[dict[str, Any]],
    nexts: dict[int, int],
    run_id: int,
) -> None:
    """Rows, quarantined messages and next offsets in one transaction (all or nothing)."""
    table = source.table
    con.execute("BEGIN TRANSACTION")
    try:
        if len(frame):
            con.register("kafka_batch_frame", frame)
            exists = con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = ? AND table_schema = 'main'",
                [table],
            ).fetchone()
            if exists is None or not exists[0]:
                con.execute(f'CREATE TABLE "{table}" AS SELECT * FROM kafka_batch_frame')
            else:
                con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM kafka_batch_frame')
            con.unregister("kafka_batch_frame")
        for b in bad:
            con.execute(
                "INSERT INTO kafka_quarantine VALUES (?, ?, ?, ?, ?, ?, now())",
                [source.topic, b["partition"], b["offset"], b["value"], b["error"], run_id],
            )
        for partition, offset in nexts.items():
            con.execute(
                "INSERT OR REPLACE INTO kafka_offsets VALUES (?, ?, ?, ?, ?, now())",
                [source.topic, partition, source.group, offset, run_id],
            )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
