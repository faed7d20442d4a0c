"""JSON batches parsed while they are still being fetched: pieces on a side thread.

A large batch is cut into pieces of whole ``consume()`` chunks as it arrives; one thread of the
batch parses each piece with DuckDB into Arrow (DuckDB releases the GIL: the fetch goes on), so
that what is left to parse when the last message is in is the last piece. The result is the one
the whole batch in one DuckDB pass would give, or nothing:

- no piece holds more rows than DuckDB samples (``PIECE`` = 20,480), so each piece's columns are
  inferred from every one of its rows: DuckDB casts a value outside its sample to the sampled
  type without a word (1.5 in a column sampled as BIGINT is read as 2, 3 in a BOOLEAN one as
  true, anything in a column sampled all-null as NULL), so a sample must never leave rows out;
- every later piece must come out with exactly the first piece's columns and types: then it was
  read as the whole batch, every row sampled, would have read those rows;
- any error or any other schema, and :meth:`Pieces.finish` returns None: the batch is decoded
  whole (``decode.py``), every row sampled.

The rows are written to the warehouse afterwards, with the offsets, in one transaction
(``offsets.write_batch``), as for any batch.
"""

from __future__ import annotations

import queue
import tempfile
import threading
from typing import TYPE_CHECKING, Any

from console.streaming.decode import SAMPLE_ROWS, WHOLE_SAMPLE, ArrowTable, ndjson_pieces, read_arrow

if TYPE_CHECKING:
    import numpy as np

PIECE = SAMPLE_ROWS  # the most rows a piece holds: DuckDB's sample sees all of them

Chunk = tuple[list[bytes | None], "np.ndarray[Any, Any]", "np.ndarray[Any, Any]"]


class Pieces:
    """The pieces of one batch and the thread that parses them (see the module's docstring)."""

    def __init__(self) -> None:
        self._chunks: list[Chunk] = []
        self._pending = 0
        self._cut = 0  # pieces handed to the thread
        self._todo: queue.SimpleQueue[tuple[str, Any, int] | None] = queue.SimpleQueue()
        self._tables: list[ArrowTable] = []
        self._schema: Any | None = None  # the first piece's columns, as DuckDB read them
        self._failed = False
        self._closing = False
        self._thread: threading.Thread | None = None
        self.ok = False  # finish() returned the whole batch from the pieces

    def add(self, values: list[bytes | None], parts: np.ndarray[Any, Any], offs: np.ndarray[Any, Any]) -> None:
        """One consume() chunk; a piece is cut when enough rows are waiting."""
        if self._failed:
            return
        if self._pending and self._pending + len(values) > PIECE:
            self._submit()  # the chunk would take the piece past what DuckDB samples
        self._chunks.append((values, parts, offs))
        self._pending += len(values)
        if self._pending >= PIECE:
            self._submit()

    def finish(self, total: int) -> ArrowTable | None:
        """The batch's rows with ``_kafka_partition`` and ``_kafka_offset`` (all ``total`` of them),
        once every piece is parsed; None when the pieces cannot stand for the batch."""
        if self._chunks and not self._failed:
            self._submit()
        self._stop()
        if self._failed or sum(t.num_rows for t in self._tables) != total or not self._tables:
            return None
        import pyarrow as pa

        self.ok = True
        return self._tables[0] if len(self._tables) == 1 else pa.concat_tables(self._tables)

    def close(self) -> None:
        """Stop the thread (what it is parsing is finished, the rest dropped) and remove the files."""
        self._closing = True
        self._stop()

    def _submit(self) -> None:
        import numpy as np

        chunks, self._chunks, self._pending = self._chunks, [], 0
        n = sum(len(c[0]) for c in chunks)
        text = ndjson_pieces([c[0] for c in chunks], n)
        if text is None:  # tombstones or multi-line values: the careful path decodes the batch
            self._failed = True
            return
        fh = tempfile.NamedTemporaryFile(suffix=".ndjson")  # noqa: SIM115 - closed by the thread
        fh.write(text)
        fh.flush()
        sample = "" if n <= SAMPLE_ROWS else WHOLE_SAMPLE  # a chunk bigger than the sample alone
        positions = (np.concatenate([c[1] for c in chunks]), np.concatenate([c[2] for c in chunks]))
        self._cut += 1
        self._todo.put((sample, (fh, positions), n))
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="kafka-pieces", daemon=True)
            self._thread.start()

    def _stop(self) -> None:
        if self._thread is not None:
            self._todo.put(None)
            self._thread.join()
            self._thread = None

    def _work(self) -> None:
        from console.streaming.decode import _cursor

        con = _cursor()
        try:
            while (item := self._todo.get()) is not None:
                sample, (fh, (parts, offs)), n = item
                try:
                    if not (self._failed or self._closing):
                        self._piece(con, fh.name, sample, parts, offs, n)
                except BaseException:  # noqa: BLE001 - any error: the batch is decoded whole
                    self._failed = True
                finally:
                    fh.close()
        finally:
            con.close()

    def _piece(self, con: Any, path: str, sample: str, parts: Any, offs: Any, n: int) -> None:
        import pyarrow as pa

        table = read_arrow(con, path, sample)
        if self._schema is None:
            self._schema = table.schema
        if table.num_rows != n or not table.schema.equals(self._schema):
            self._failed = True
            return
        table = table.append_column("_kafka_partition", pa.array(parts))
        table = table.append_column("_kafka_offset", pa.array(offs))
        self._tables.append(table)
