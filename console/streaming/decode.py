"""A batch of Kafka messages as a frame: JSON in one DuckDB pass, anything else message by message.

The frame carries ``_kafka_partition`` and ``_kafka_offset`` per row. A message the decoder
cannot read (not JSON, not an object, a tombstone) is returned apart, with its partition,
offset and error, for the quarantine table. Everything per message is done with C-level
``map`` calls over the client's ``Message`` objects: no Python frame per message on the
JSON path.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

Bad = dict[str, Any]

# DuckDB infers the columns from a sample first: a key or type outside the sample is an error
# (never a silent drop), and only then is the whole batch sampled (twice the parsing time)
_SAMPLES = ("", ", sample_size=-1")
_decoder: Any = None
_decoder_lock = threading.Lock()


def json_decode(value: bytes) -> dict[str, Any]:
    """The default decoder: one JSON object per message."""
    obj = json.loads(value)
    if not isinstance(obj, dict):
        raise ValueError(f"expected a JSON object, got {type(obj).__name__}")
    return obj


def decode_batch(
    messages: list[Any],
    decode: Callable[[bytes], dict[str, Any]],
    starts: dict[int, int],
) -> tuple[pd.DataFrame, list[Bad], dict[int, int]]:
    """The batch as a frame, the poison messages, and the next offset of every partition
    (``starts`` for partitions that delivered nothing)."""
    import numpy as np

    parts, offs = _positions(messages)
    nexts = dict(starts)
    for p in np.unique(parts).tolist():
        nexts[int(p)] = max(nexts.get(int(p), 0), int(offs[parts == p].max()) + 1)
    if decode is json_decode and messages:
        frame = _duckdb_json(messages)
        if frame is not None:
            frame["_kafka_partition"] = parts
            frame["_kafka_offset"] = offs
            return frame, [], nexts
    frame, bad = _decode_each(messages, decode, parts, offs)
    return frame, bad, nexts


def _positions(messages: list[Any]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    import numpy as np
    from confluent_kafka import Message

    n = len(messages)
    parts = np.fromiter(map(Message.partition, messages), dtype=np.int32, count=n)
    offs = np.fromiter(map(Message.offset, messages), dtype=np.int64, count=n)
    return parts, offs


def ndjson(messages: list[Any]) -> bytes | None:
    """The values as one newline-delimited buffer; None when that cannot be one object per line."""
    from confluent_kafka import Message

    values = list(map(Message.value, messages))
    if None in values:
        return None  # tombstones: the careful path quarantines them
    text = b"\n".join(cast("list[bytes]", values))
    if text.count(b"\n") != len(values) - 1:
        return None  # a value spans lines: not one JSON object per line
    return text


def read_json_sql(path: str, sample: str = "") -> str:
    """DuckDB's reader of one NDJSON file; insertion order is kept (DuckDB's default), so row i
    is line i."""
    return (f"SELECT * FROM read_json('{path}', format='newline_delimited', records=true,"
            f" maximum_object_size=67108864{sample})")  # fmt: skip


def _cursor() -> Any:
    """A cursor on this process's decoding database: a new DuckDB database costs about 0.15 s
    before its first JSON read, once per process instead of once per batch."""
    global _decoder
    with _decoder_lock:
        if _decoder is None:
            import duckdb

            _decoder = duckdb.connect()
        return _decoder.cursor()  # one per call: cursors may run on several threads at once


def _duckdb_json(messages: list[Any]) -> pd.DataFrame | None:
    """One NDJSON buffer parsed by DuckDB; None when the batch cannot be read whole that way."""
    import tempfile

    import duckdb

    text = ndjson(messages)
    if text is None:
        return None
    with tempfile.NamedTemporaryFile(suffix=".ndjson") as fh:
        fh.write(text)
        fh.flush()
        con = _cursor()
        try:
            for sample in _SAMPLES:
                try:
                    frame = con.execute(read_json_sql(fh.name, sample)).df()
                except duckdb.Error:
                    continue
                return frame if len(frame) == len(messages) else None
            return None
        finally:
            con.close()


def _decode_each(
    messages: list[Any],
    decode: Callable[[bytes], dict[str, Any]],
    parts: np.ndarray[Any, Any],
    offs: np.ndarray[Any, Any],
) -> tuple[pd.DataFrame, list[Bad]]:
    import numpy as np
    import pandas as pd

    rows: list[dict[str, Any]] = []
    keep = np.ones(len(messages), dtype=bool)
    bad: list[Bad] = []
    for i, msg in enumerate(messages):
        value = msg.value()
        try:
            rows.append(decode(value))
        except Exception as exc:  # noqa: BLE001 - a poison message is quarantined, never blocks
            keep[i] = False
            bad.append({"partition": int(parts[i]), "offset": int(offs[i]), "value": value,
                        "error": f"{type(exc).__name__}: {exc}"})  # fmt: skip
    frame = pd.DataFrame.from_records(rows) if rows else pd.DataFrame()
    frame["_kafka_partition"] = pd.Series(parts[keep], dtype="int32")
    frame["_kafka_offset"] = pd.Series(offs[keep], dtype="int64")
    return frame, bad
