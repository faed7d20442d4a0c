"""JSON batches parsed while they are still being fetched: pieces on a side thread.

A large batch is cut into pieces of whole ``consume()`` chunks as it arrives; one thread of the
batch parses each piece with pyarrow (``arrow_json.py``; it releases the GIL: the fetch goes on),
so that what is left to parse when the last message is in is the last piece (and any the thread
has not reached: the batch's own thread parses those beside it). The result is the
one DuckDB's reader would give the whole batch with every row sampled (the reference,
``decode.py``), or nothing:

- each piece is read by pyarrow, which never casts a value to a column it does not fit, and kept
  only with columns DuckDB would read the same way (``arrow_json.parse``);
- every later piece must come out with exactly the first piece's columns and types: then the
  whole batch read in one pass would have the same ones (a key or type a later piece adds, or a
  column null so far that a later piece fills, is :attr:`Pieces.mismatch`: the whole batch is
  read by pyarrow at once);
- every string column must be proven VARCHAR by some piece (one value that cannot be a date,
  time or UUID), else DuckDB reads the batch: it may type the column otherwise (a column one
  piece proved is not matched again by later ones);
- no double may be past 2**53 (checked once, over the joined pieces: ``arrow_json.doubles_exact``);
- any error, and :meth:`Pieces.finish` returns None.

The rows are written to the warehouse afterwards, with the offsets, in one transaction
(``offsets.write_batch``), as for any batch.
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from console.streaming import arrow_json
from console.streaming.decode import ArrowTable, ndjson_pieces

PIECE = 20_000  # rows a piece is cut at (eight consume() chunks): 7-16 ms of pyarrow on one core
HANDOFF_S = 0.0005  # the GIL's switch interval while a batch is fetched and parsed (Python's: 5 ms)
_handoff_lock = threading.Lock()
_handoff_users = 0
_handoff_before = 0.005

Chunk = list[bytes | None]  # one consume() call's values


class Pieces:
    """The pieces of one batch and the thread that parses them (see the module's docstring)."""

    def __init__(self) -> None:
        self._chunks: list[Chunk] = []
        self._pending = 0
        self._todo: queue.SimpleQueue[tuple[int, list[Chunk]] | None] = queue.SimpleQueue()
        self._submitted = 0
        self._tables: dict[int, ArrowTable] = {}  # by the piece's place in the batch
        self._lock = threading.Lock()  # the parsed pieces' columns, checked by two threads at the end
        self._schema: Any | None = None  # the first parsed piece's columns
        self._varchar: set[str] = set()  # string columns some piece proved VARCHAR
        self._failed = False
        self._closing = False
        self._thread: threading.Thread | None = None
        self.mismatch = False  # a piece's columns were not the first one's
        self.ok = False  # finish() returned the whole batch from the pieces

    def add(self, values: list[bytes | None]) -> None:
        """One consume() chunk; a piece is cut when enough rows are waiting."""
        if self._failed:
            return
        self._chunks.append(values)
        self._pending += len(values)
        if self._pending >= PIECE:
            self._submit()

    def finish(self, total: int) -> ArrowTable | None:
        """The batch's rows (all ``total`` of them, in order), once every piece is parsed; None
        when the pieces cannot stand for the batch.

        What is cheaper done once than per piece is done here, on the whole: the doubles' range
        (``arrow_json.doubles_exact``); the rows' partitions and offsets are added by the caller. The piece
        thread shares the GIL with the fetch, which holds it through each consume() call: every
        call a piece makes that lets the GIL go costs it a wait, so a piece makes few."""
        if self._chunks and not self._failed:
            self._submit()
        self._help()
        self._stop()
        tables = [self._tables[i] for i in sorted(self._tables)]
        if self._failed or not tables or sum(t.num_rows for t in tables) != total:
            return None
        if not arrow_json.string_columns(tables[0]) <= self._varchar:
            return None  # a column that may be dates or times throughout: DuckDB decides
        import pyarrow as pa

        table = tables[0] if len(tables) == 1 else pa.concat_tables(tables)
        if not arrow_json.doubles_exact(table):
            return None
        self.ok = True
        return table

    def close(self) -> None:
        """Stop the thread (what it is parsing is finished, the rest dropped)."""
        self._closing = True
        self._stop()

    def _submit(self) -> None:
        """The waiting chunks become a piece; its text is made by the thread that parses it
        (the join copies the values, ~0.3 ms per 20k with the newline count: not on the fetching thread)."""
        chunks, self._chunks, self._pending = self._chunks, [], 0
        self._todo.put((self._submitted, chunks))
        self._submitted += 1
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="kafka-pieces", daemon=True)
            self._thread.start()

    def _stop(self) -> None:
        if self._thread is not None:
            self._todo.put(None)
            self._thread.join()
            self._thread = None

    def _work(self) -> None:
        while (item := self._todo.get()) is not None:
            self._take(item)

    def _help(self) -> None:
        """The fetch is over: this thread parses the pieces still waiting, beside the worker (the
        pieces parsed during the fetch take longer than the fetch of one, so a few wait at its end)."""
        while True:
            try:
                item = self._todo.get_nowait()
            except queue.Empty:
                return
            if item is None:  # not put before _stop(); kept for the worker all the same
                self._todo.put(item)
                return
            self._take(item)

    def _take(self, item: tuple[int, list[Chunk]]) -> None:
        if self._failed or self._closing:
            return
        try:
            self._piece(*item)
        except BaseException:  # noqa: BLE001 - any error: the batch is decoded whole
            self._failed = True

    def _piece(self, index: int, chunks: list[Chunk]) -> None:
        n = sum(map(len, chunks))
        text = ndjson_pieces(chunks, n)
        if text is None:  # tombstones or multi-line values: the careful path decodes the batch
            self._failed = True
            return
        with self._lock:
            proven = frozenset(self._varchar)  # columns an earlier piece proved VARCHAR: not matched again
        parsed = arrow_json.parse(text, n, proven=proven, exact=False)
        if parsed is None:
            self._failed = True
            return
        table = parsed.table
        with self._lock:
            # every piece against the first one parsed: all equal to it is all equal to each other
            if self._schema is None:
                self._schema = table.schema
            if not table.schema.equals(self._schema):
                self._failed = self.mismatch = True
                return
            self._varchar |= parsed.varchar
        self._tables[index] = table


@contextmanager
def quick_gil_handoffs() -> Iterator[None]:
    """The interpreter hands the GIL over every ``HANDOFF_S`` while a batch is fetched and parsed.

    Each pyarrow call of the piece thread releases the GIL, and its return waits for it while the
    fetching thread turns a consume() call's messages into Python objects: at Python's 5 ms
    interval a piece that parses in 10 ms alone took 22-64 ms during the fetch, so most of a 500k
    batch was left to parse after it (~100 ms). The interval is the process's: set by the first batch that needs
    it, put back by the last one to end."""
    global _handoff_users, _handoff_before
    with _handoff_lock:
        if _handoff_users == 0:
            _handoff_before = sys.getswitchinterval()
            sys.setswitchinterval(min(HANDOFF_S, _handoff_before))
        _handoff_users += 1
    try:
        yield
    finally:
        with _handoff_lock:
            _handoff_users -= 1
            if _handoff_users == 0:
                sys.setswitchinterval(_handoff_before)
