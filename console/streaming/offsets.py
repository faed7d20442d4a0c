"""The warehouse side of a Kafka source: its tables, stored offsets and the one-transaction write.

``kafka_offsets (topic, partition, consumer_group) -> next_offset`` is written in the same
DuckDB transaction as the batch's rows and quarantined messages, so after any crash the
warehouse's rows and offsets agree: the next run resumes exactly where the last commit ended.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.errors import StreamingError
from console.streaming.decode import ArrowTable

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
    """The project's warehouse file (``warehouse = "..."`` in the config, else ``.opsconsole/warehouse.duckdb``)."""
    from console.project import read_config
    from console.sql.warehouse import warehouse_path as configured

    return configured(project_root, home, read_config(project_root))


@contextmanager
def connect(path: Path, *, read_only: bool = False, wait_s: float = 30.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read connection to the warehouse (a lock held elsewhere: retried, then WarehouseBusyError)."""
    from console.sql.warehouse import read_cursor

    with read_cursor(path, wait_s=wait_s) as cur:
        yield cur


@contextmanager
def warehouse(ctx: Context) -> Iterator[duckdb.DuckDBPyConnection]:
    """The run's write cursor on the project's warehouse (queued behind other runs), Kafka tables in place."""
    from console.sql.warehouse import write_cursor

    cancel = getattr(ctx, "_cancel", None)
    with write_cursor(_run_warehouse(ctx), ctx.run_id, cancel) as cur:
        cur.execute(DDL)
        yield cur


def checkpoint_soon(ctx: Context, rows: int) -> None:
    """The batch of ``rows`` is committed: DuckDB writes it into the file while the engine stores the result."""
    from console.sql.warehouse import checkpoint_soon as start

    start(_run_warehouse(ctx), ctx.run_id, appended=rows)


def _run_warehouse(ctx: Context) -> Path:
    home = Path(ctx.store.home) if ctx.store is not None else Path(ctx.project_root) / ".opsconsole"
    return warehouse_path(Path(ctx.project_root), home)


def stored(con: duckdb.DuckDBPyConnection, topic: str, group: str) -> dict[int, int]:
    rows = con.execute(
        'SELECT "partition", next_offset FROM kafka_offsets WHERE topic = ? AND consumer_group = ?', [topic, group]
    ).fetchall()
    return {int(p): int(o) for p, o in rows}


def write_batch(
    con: duckdb.DuckDBPyConnection,
    source: KafkaSource,
    frame: pd.DataFrame | ArrowTable,
    bad: list[dict[str, Any]],
    starts: dict[int, int],
    nexts: dict[int, int],
    run_id: int,
) -> None:
    """Rows (a DataFrame or an Arrow table), quarantined messages and next offsets in one
    transaction (all or nothing).

    The batch was read from ``starts``; if another run (another process) stored offsets for the
    same topic and group meanwhile, nothing is written (its rows would be written twice)."""
    table = source.table
    con.execute("BEGIN TRANSACTION")
    try:
        now = stored(con, source.topic, source.group)
        moved = sorted(p for p, at in starts.items() if now.get(p, at) != at)
        if moved:
            raise StreamingError(
                f"kafka {source.topic}: another run of group {source.group!r} stored offsets while this batch "
                f"was read (partition {moved[0]}: {now[moved[0]]}, read from {starts[moved[0]]}); "
                "nothing written, the next run reads on from the stored offsets"
            )
        if len(frame):
            _insert(con, table, frame)
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


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame | ArrowTable) -> None:
    """The batch's rows into ``table`` (created from the first batch). The rows carry their
    partition and offset, so DuckDB may store them in any order: it then writes them with both
    cores (half the time of a 300k-row batch); the setting is this cursor's only."""
    con.register("kafka_batch_frame", frame)
    con.execute("SET SESSION preserve_insertion_order = false")
    try:
        exists = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ? AND table_schema = 'main'",
            [table],
        ).fetchone()
        if exists is None or not exists[0]:
            con.execute(f'CREATE TABLE "{table}" AS SELECT * FROM kafka_batch_frame')
        else:
            con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM kafka_batch_frame')
    finally:
        con.execute("RESET SESSION preserve_insertion_order")
        con.unregister("kafka_batch_frame")
