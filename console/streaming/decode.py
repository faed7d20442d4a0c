"""A batch of Kafka messages as a frame: JSON read whole into Arrow, anything else message by message.

JSON is read the way DuckDB's ``read_json`` reads it with every row sampled (the warehouse's
columns); pyarrow reads it instead, in pieces while the batch is fetched (``pieces.py``) or at
once, wherever its columns are provably the same (``arrow_json.py``).

The frame carries ``_kafka_partition`` and ``_kafka_offset`` per row. A message the decoder
cannot read (not JSON, not an object, a tombstone) is returned apart, with its partition,
offset and error, for the quarantine table. Everything per message is done with C-level
``map`` calls over the client's ``Message`` objects: no Python frame per message on the
JSON path.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from console.streaming.pieces import Pieces

Bad = dict[str, Any]

# DuckDB infers the columns from its first SAMPLE_ROWS rows, and a value past them that does not
# fit is cast without a word (1.5 in a column sampled as BIGINT becomes 2, 3 in a BOOLEAN one
# true, anything in a column sampled all-null NULL). A batch within the sample is read with
# DuckDB's sample (a key outside it is an error); a bigger one with every row sampled.
SAMPLE_ROWS = 20_480  # DuckDB's default sample_size
WHOLE_SAMPLE = ", sample_size=-1"
_SAMPLES = ("", WHOLE_SAMPLE)
_decoder: Any = None
_decoder_lock = threading.Lock()


def json_decode(value: bytes) -> dict[str, Any]:
    """The default decoder: one JSON object per message."""
    obj = json.loads(value)
    if not isinstance(obj, dict):
        raise ValueError(f"expected a JSON object, got {type(obj).__name__}")
    return obj


class Messages:
    """A batch as it arrives, in columns: values, partitions, offsets. The client's ``Message``
    objects are let go chunk by chunk: hundreds of thousands of live ones make every
    collection of the garbage collector walk them (0.1-0.3 s over a 300k batch); ``bytes``
    and numpy arrays are not tracked by it. With ``pieces`` (JSON), each chunk is also handed
    on to be parsed while the next is fetched (``pieces.py``)."""

    def __init__(self, pieces: Pieces | None = None) -> None:
        self.values: list[bytes | None] = []
        self.nexts: dict[int, int] = {}  # partition -> the offset after the last message of it
        self._parts: list[np.ndarray[Any, Any]] = []
        self._offs: list[np.ndarray[Any, Any]] = []
        self.pieces = pieces

    def __len__(self) -> int:
        return len(self.values)

    def add(self, got: list[Any]) -> None:
        """One consume() call's messages (error events already dropped)."""
        import numpy as np
        from confluent_kafka import Message

        n = len(got)
        if not n:
            return
        values = list(map(Message.value, got))
        self.values.extend(values)
        parts = np.fromiter(map(Message.partition, got), dtype=np.int32, count=n)
        offs = _offsets(got, parts, self.nexts)
        self._parts.append(parts)
        self._offs.append(offs)
        if self.pieces is not None:
            self.pieces.add(values)

    def positions(self) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """Partition and offset of every message, in order."""
        import numpy as np

        if not self._parts:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64)
        return np.concatenate(self._parts), np.concatenate(self._offs)


def _offsets(got: list[Any], parts: np.ndarray[Any, Any], nexts: dict[int, int]) -> np.ndarray[Any, Any]:
    """The offset of every message of one consume() call (and ``nexts``: each partition's offset
    after its last one). A partition's messages come in offset order, so a run of one partition
    whose last offset is its first plus its length less one holds every offset in between, once:
    that run's offsets are a range (a compacted topic's or a transaction's gaps: read one by
    one). Two calls a run instead of one a message (~20 ms of a 500k batch, on the fetching thread)."""
    import numpy as np
    from confluent_kafka import Message

    n = len(got)
    cuts = [0, *(np.flatnonzero(parts[1:] != parts[:-1]) + 1).tolist(), n]
    offs = np.empty(n, dtype=np.int64)
    for a, b in itertools.pairwise(cuts):
        first, last = got[a].offset(), got[b - 1].offset()
        if last - first == b - a - 1:
            offs[a:b] = np.arange(first, last + 1, dtype=np.int64)
        else:
            offs[a:b] = np.fromiter(map(Message.offset, got[a:b]), dtype=np.int64, count=b - a)
            last = int(offs[a:b].max())
        partition = int(parts[a])
        nexts[partition] = max(nexts.get(partition, 0), last + 1)
    return offs


ArrowTable = Any  # a pyarrow.Table (pyarrow ships no type information)
Rows = Any  # an ArrowTable (the JSON path) or a pandas DataFrame: what write_batch inserts


def decode_rows(
    messages: Messages,
    decode: Callable[[bytes], dict[str, Any]],
    starts: dict[int, int],
) -> tuple[Rows, list[Bad], dict[int, int]]:
    """The batch's rows (an Arrow table when DuckDB read it whole, else a DataFrame), the poison
    messages, and the next offset of every partition (``starts`` for partitions that delivered
    nothing). The batch's pieces, when it has them, are finished (their thread stopped)."""

    nexts = dict(starts)
    for p, after in messages.nexts.items():
        nexts[p] = max(nexts.get(p, 0), after)
    pieces = messages.pieces
    whole = pieces.finish(len(messages)) if pieces is not None and len(messages) else None
    parts, offs = messages.positions()
    if whole is not None:
        return with_positions(whole, parts, offs), [], nexts
    if decode is json_decode and len(messages):
        # pieces that disagreed (pyarrow reads the batch at once), or could not stand (DuckDB reads it)
        table = _json_table(messages.values, arrow=pieces is None or pieces.mismatch)
        if table is not None:
            return with_positions(table, parts, offs), [], nexts
    frame, bad = _decode_each(messages.values, decode, parts, offs)
    return frame, bad, nexts


def with_positions(table: ArrowTable, parts: np.ndarray[Any, Any], offs: np.ndarray[Any, Any]) -> ArrowTable:
    """Rows read from JSON with the ``_kafka_partition`` and ``_kafka_offset`` of each."""
    import pyarrow as pa

    table = table.append_column("_kafka_partition", pa.array(parts))
    return table.append_column("_kafka_offset", pa.array(offs))


def to_frame(rows: Rows) -> pd.DataFrame:
    """The rows as the DataFrame a source task returns."""
    return rows if not hasattr(rows, "to_pandas") else rows.to_pandas()


def decode_batch(
    messages: Messages,
    decode: Callable[[bytes], dict[str, Any]],
    starts: dict[int, int],
) -> tuple[pd.DataFrame, list[Bad], dict[int, int]]:
    """:func:`decode_rows` with the rows as a DataFrame."""
    rows, bad, nexts = decode_rows(messages, decode, starts)
    return to_frame(rows), bad, nexts


def ndjson(values: list[bytes | None]) -> bytes | None:
    """The values as one newline-delimited buffer; None when that cannot be one object per line
    (tombstones, None: the careful path quarantines them; a value that spans lines)."""
    return ndjson_pieces([values], len(values))


def ndjson_pieces(chunks: list[list[bytes | None]], n: int) -> bytes | None:
    """:func:`ndjson` of the ``n`` values of several lists, without making one list of them
    (one join over the chained lists: a join of joins copied the text twice, ~5x the time)."""
    import numpy as np

    try:
        text = b"\n".join(itertools.chain.from_iterable(cast("list[list[bytes]]", chunks)))
    except TypeError:
        return None
    # one line per value: numpy counts the newlines ~5x faster than bytes.count, without the GIL
    lines = int(np.count_nonzero(np.frombuffer(text, dtype=np.uint8) == 10)) + 1 if text else 1
    return text if lines == n else None


def read_json_sql(path: str, sample: str = "") -> str:
    """DuckDB's reader of one NDJSON file; insertion order is kept (DuckDB's default), so row i
    is line i."""
    return (f"SELECT * FROM read_json('{path}', format='newline_delimited', records=true,"
            f" maximum_object_size=67108864{sample})")  # fmt: skip


def read_arrow(con: Any, path: str, sample: str = "") -> ArrowTable:
    """One NDJSON file read by DuckDB into Arrow. The relational API infers the columns twice (to
    bind, then to run): with DuckDB's sample of 20,480 rows that is ~40% of a 30k-row read, so
    those reads go through a temporary table; a small ``sample`` is read straight."""
    sql = read_json_sql(path, sample)
    if "sample_size=" in sample and "sample_size=-1" not in sample:
        return con.sql(sql).to_arrow_table()
    con.execute(f"CREATE OR REPLACE TEMP TABLE kafka_json_read AS {sql}")
    try:
        return con.sql("SELECT * FROM kafka_json_read").to_arrow_table()
    finally:
        con.execute("DROP TABLE kafka_json_read")


def _cursor() -> Any:
    """A cursor on this process's decoding database: a new DuckDB database costs about 0.15 s
    before its first JSON read, once per process instead of once per batch."""
    global _decoder
    with _decoder_lock:
        if _decoder is None:
            import duckdb

            _decoder = duckdb.connect()
        return _decoder.cursor()  # one per call: cursors may run on several threads at once


def _json_table(values: list[bytes | None], *, arrow: bool) -> ArrowTable | None:
    """The values as one NDJSON text read into Arrow: by pyarrow when ``arrow`` and it reads the
    columns as DuckDB would (``arrow_json.py``), else by DuckDB with every row sampled; None when
    the batch cannot be read whole that way."""
    from console.streaming import arrow_json

    text = ndjson(values)
    if text is None:
        return None
    parsed = arrow_json.parse(text, len(values), threads=True) if arrow else None
    if parsed is not None and parsed.as_duckdb_reads:
        return parsed.table
    return _duckdb_json(text, len(values))


def _duckdb_json(text: bytes, n: int) -> ArrowTable | None:
    """NDJSON of ``n`` values parsed by DuckDB into Arrow, every row sampled (its sample alone
    when it holds them all); None when DuckDB cannot read it."""
    import tempfile

    import duckdb

    with tempfile.NamedTemporaryFile(suffix=".ndjson") as fh:
        fh.write(text)
        fh.flush()
        con = _cursor()
        try:
            for sample in _SAMPLES if n <= SAMPLE_ROWS else _SAMPLES[1:]:
                try:
                    table = read_arrow(con, fh.name, sample)
                except duckdb.Error:
                    continue
                return table if table.num_rows == n else None
            return None
        finally:
            con.close()


def _decode_each(
    values: list[bytes | None],
    decode: Callable[[bytes], dict[str, Any]],
    parts: np.ndarray[Any, Any],
    offs: np.ndarray[Any, Any],
) -> tuple[pd.DataFrame, list[Bad]]:
    import numpy as np
    import pandas as pd

    rows: list[dict[str, Any]] = []
    keep = np.ones(len(values), dtype=bool)
    bad: list[Bad] = []
    for i, value in enumerate(values):
        try:
            rows.append(decode(value))  # type: ignore[arg-type]  # None: a tombstone, quarantined
        except Exception as exc:  # noqa: BLE001 - a poison message is quarantined, never blocks
            keep[i] = False
            bad.append({"partition": int(parts[i]), "offset": int(offs[i]), "value": value,
                        "error": f"{type(exc).__name__}: {exc}"})  # fmt: skip
    frame = pd.DataFrame.from_records(rows) if rows else pd.DataFrame()
    frame["_kafka_partition"] = pd.Series(parts[keep], dtype="int32")
    frame["_kafka_offset"] = pd.Series(offs[keep], dtype="int64")
    return frame, bad
