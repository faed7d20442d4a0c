"""NDJSON parsed by pyarrow, kept only where it is provably what DuckDB's reader would give.

The warehouse's columns are the ones DuckDB's ``read_json`` gives a batch with every row sampled
(``decode.py``): the reference. That read infers the columns in one pass and reads in a second;
pyarrow's reader does both in one, and never casts a value to a column it does not fit (a
number in a boolean column, a string in a number one, an object among scalars are errors;
integers meeting fractions become doubles, nulls take the other rows' type, a late key is a new
column). Its columns are kept only where DuckDB's are the same, else :func:`parse` says None
and the batch goes to DuckDB:

- top-level BIGINT, DOUBLE, BOOLEAN, VARCHAR and all-null columns only (no objects, lists or
  timestamps: DuckDB turns objects with many or varying keys into MAPs and detects other
  date formats than pyarrow does);
- no double of magnitude 2**53 or more (an integer past BIGINT is a double to pyarrow, exact to
  DuckDB; a float that large is sent to DuckDB too, which is merely slower);
- no two keys that differ only in case (DuckDB's names ignore case: it renames the second);
- a string column is VARCHAR to DuckDB once a single value of it cannot be a DATE, TIME,
  TIMESTAMP or UUID (DuckDB gives a column such a type only when every value parses as it). Such
  values all match :data:`MAYBE_TYPED` (ISO and US dates, times and UUIDs have a digit or hex
  first and a ``-`` or ``:``; ``infinity`` and ``epoch`` are dates); one value that does not
  match proves the column VARCHAR. :attr:`Parsed.varchar` holds the columns so proven; a column
  may be proven by any piece of a batch (``pieces.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

ArrowTable = Any  # a pyarrow.Table (pyarrow ships no type information)

MAYBE_TYPED = r"(?s)^\s*[+-]?(infinity|epoch|[0-9a-f].*[-:/])"  # the same in Python's re and RE2
_MAYBE = re.compile(MAYBE_TYPED, re.IGNORECASE)
_LOOK = 64  # values of a string column looked at one by one before all of them are matched
BLOCK = 1 << 20  # pyarrow's unit of work; a message bigger than this is an error: DuckDB reads it
EXACT = 2.0**53  # doubles below this hold every integer exactly


@dataclass(frozen=True)
class Parsed:
    """One pyarrow read: the rows, and the string columns proven VARCHAR by them."""

    table: ArrowTable
    varchar: frozenset[str]

    @property
    def as_duckdb_reads(self) -> bool:
        """Every string column is proven VARCHAR by these rows alone."""
        return string_columns(self.table) <= self.varchar


def string_columns(table: ArrowTable) -> frozenset[str]:
    """The names of a table's string columns."""
    import pyarrow as pa

    return frozenset(f.name for f in table.schema if pa.types.is_string(f.type))


def parse(
    text: bytes, rows: int, *, threads: bool = False, proven: frozenset[str] = frozenset(), exact: bool = True
) -> Parsed | None:
    """The NDJSON ``text`` of ``rows`` values as pyarrow reads it; None on any error, another
    number of rows (a blank value is no row to pyarrow), or any column DuckDB could read otherwise
    (see the module's docstring).

    The pieces of a batch skip what is cheaper asked once (``pieces.py``): string columns in
    ``proven`` (proven VARCHAR by an earlier piece) are not looked at again, and with ``exact``
    false the doubles are left for :func:`doubles_exact` on the whole batch."""
    import pyarrow as pa
    import pyarrow.json as pj

    try:
        table = pj.read_json(
            pa.BufferReader(text),
            read_options=pj.ReadOptions(use_threads=threads, block_size=BLOCK),
        )
    except (pa.ArrowException, ValueError):
        return None
    if table.num_rows != rows:
        return None
    names = [f.name.lower() for f in table.schema]
    if not names or len(set(names)) != len(names):
        return None  # no columns (DuckDB's reader refuses those), or names DuckDB would change
    varchar: set[str] = set()
    for field, column in zip(table.schema, table.columns, strict=True):
        kind = field.type
        if pa.types.is_string(kind):
            if field.name in proven or not _maybe_typed(column):
                varchar.add(field.name)
        elif not (
            pa.types.is_float64(kind) or pa.types.is_int64(kind) or pa.types.is_boolean(kind) or pa.types.is_null(kind)
        ):
            return None
    if exact and not doubles_exact(table):
        return None
    return Parsed(table, frozenset(varchar))


def doubles_exact(table: ArrowTable) -> bool:
    """No double column of ``table`` holds a value so large that an integer may have been rounded."""
    import pyarrow as pa

    return all(_exact(col) for f, col in zip(table.schema, table.columns, strict=True) if pa.types.is_float64(f.type))


def _maybe_typed(column: Any) -> bool:
    """Whether every value of a string column could be a DATE, TIME, TIMESTAMP or UUID."""
    import pyarrow.compute as pc

    head = column.slice(0, _LOOK).to_pylist()
    if any(v is not None and not _MAYBE.match(v) for v in head):
        return False
    matched = pc.match_substring_regex(column, MAYBE_TYPED, ignore_case=True)
    return bool(pc.all(matched).as_py() is not False)


def _exact(column: Any) -> bool:
    """No double of the column is so large that an integer in it may have been rounded."""
    import pyarrow.compute as pc

    low, high = pc.min_max(column).values()
    if low.as_py() is None:
        return True
    return bool(low.as_py() > -EXACT and high.as_py() < EXACT)  # NaN is skipped: both read it alike
