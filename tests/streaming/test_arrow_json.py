"""pyarrow's reading of a JSON batch is kept only where it is exactly DuckDB's (the reference)."""

from __future__ import annotations

import json
from typing import Any

import duckdb
import pytest
from confluent_kafka import Message
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.streaming import arrow_json, pieces
from console.streaming.decode import Messages, _duckdb_json, decode_rows, json_decode, ndjson

SPECIAL = ["2024-01-01", "1-2-24", "01-02-2024", "10:00", "2024-01-01 10:00:00", "2024-01-01T10:00:00Z",
           "123e4567-e89b-12d3-a456-426614174000", "infinity", "-infinity", "Epoch", " 2024-01-01", "m12",
           "A-b", "abc", "", "[bold]x[/]", "\x1b[31m", "1.5", "true", "null", "20240101"]  # fmt: skip
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.integers(2**63, 2**70),  # past BIGINT
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(SPECIAL),
    st.text(max_size=6),
)
values = st.one_of(
    scalars,
    st.lists(st.integers(0, 9), max_size=2),
    st.dictionaries(st.sampled_from("xy"), scalars, max_size=2),
)
KEYS = ["a", "b", "A", "c_d"]


@st.composite
def batches(draw: Any) -> list[bytes]:
    """Rows whose columns mostly keep one kind of value, with now and then another kind."""
    kinds = {k: draw(values) for k in KEYS}
    n = draw(st.integers(1, 40))
    rows = []
    for _ in range(n):
        keys = draw(st.lists(st.sampled_from(KEYS), unique=True, max_size=3))
        row = {k: draw(values) if draw(st.integers(0, 9)) == 0 else kinds[k] for k in keys}
        rows.append(json.dumps(row).encode())
    return rows


def parse(text: bytes) -> arrow_json.Parsed | None:
    """pyarrow's reading of NDJSON text, one row per line."""
    return arrow_json.parse(text, text.count(b"\n") + 1)


def duckdb_reads(table: Any) -> tuple[list[tuple[str, str]], list[tuple[Any, ...]]]:
    """Columns (name, DuckDB type) and rows of an Arrow table, as DuckDB holds them."""
    con = duckdb.connect()
    try:
        con.register("t", table)
        return [(r[0], r[1]) for r in con.sql("DESCRIBE t").fetchall()], con.sql("SELECT * FROM t").fetchall()
    finally:
        con.close()


def decoded(rows: list[bytes], piece: int | None) -> Any:
    """The batch through decode_rows: in pieces of ``piece`` rows, or read at once."""
    cut = pieces.Pieces() if piece is not None else None
    batch = Messages(cut)
    msgs = [Message(topic="t", partition=0, offset=i, value=v) for i, v in enumerate(rows)]
    for i in range(0, len(msgs), 3):
        batch.add(msgs[i : i + 3])
    try:
        return decode_rows(batch, json_decode, {0: 0})[0]
    finally:
        if cut is not None:
            cut.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=batches(), piece=st.sampled_from([None, 1, 4, 10]))
def test_the_rows_and_columns_are_duckdbs_own(rows: list[bytes], piece: int | None) -> None:
    reference = _duckdb_json(ndjson(list(rows)) or b"", len(rows))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pieces, "PIECE", piece or pieces.PIECE)
        got = decoded(rows, piece)
    if reference is None:  # DuckDB cannot read it whole: the careful path (message by message)
        assert not hasattr(got, "schema")
        return
    got = got.drop_columns(["_kafka_partition", "_kafka_offset"])
    assert duckdb_reads(got) == duckdb_reads(reference)


@pytest.mark.parametrize("text", [
    b'{"a": 1}\n{"a": 2.5}',  # integers meeting a fraction: DOUBLE, as DuckDB
    b'{"a": null}\n{"a": "m1"}',  # all-null so far, then a string
    b'{"a": "m1"}\n{"b": 2}',  # a late key
])  # fmt: skip
def test_pyarrow_reads_what_duckdb_reads_the_same(text: bytes) -> None:
    parsed = parse(text)
    assert parsed is not None and parsed.as_duckdb_reads


@pytest.mark.parametrize(("text", "why"), [
    (b'{"a": 1}\n{"a": true}', "a number, then a boolean: pyarrow refuses, DuckDB makes it VARCHAR"),
    (b'{"a": 18446744073709551615}', "past BIGINT: a double to pyarrow, exact to DuckDB"),
    (b'{"a": 1, "A": 2}', "names that differ in case: DuckDB renames one"),
    (b'{"a": {"x": 1}}', "an object: DuckDB may make it a MAP"),
    (b'{"a": "2024-01-01T10:00:00Z"}', "a timestamp to pyarrow, with its zone to DuckDB"),
])  # fmt: skip
def test_what_duckdb_may_read_otherwise_is_left_to_it(text: bytes, why: str) -> None:
    assert parse(text) is None, why


@pytest.mark.parametrize(("value", "kept"), [
    ("m12", True), ("Alice", True), ("", True), ("2024-01-01", False), ("1-2-24", False), ("10:00", False),
    ("infinity", False), ("123e4567-e89b-12d3-a456-426614174000", False),
])  # fmt: skip
def test_a_string_column_is_varchar_once_a_value_cannot_be_a_date_time_or_uuid(
    value: str, kept: bool
) -> None:
    text = b"\n".join(json.dumps({"s": v}).encode() for v in [value] * 99 + ["x" if kept else value])
    parsed = parse(text)
    assert (parsed is not None and parsed.as_duckdb_reads) is kept
    late = parse(text + b'\n{"s": "not a date"}')  # one value suffices, wherever it is
    assert late is not None and late.as_duckdb_reads
