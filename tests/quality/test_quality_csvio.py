"""read_csv: clear one-line DataError messages naming the file (and line) for broken input."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from console.errors import DataError
from console.quality import checks as qc
from console.quality import read_csv, validate
from console.quality.csvio import locate_bad_byte


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def error_of(path: Path, **kwargs) -> str:
    with pytest.raises(DataError) as info:
        read_csv(path, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    assert str(path) in message
    return message


def test_reads_a_good_file(tmp_path: Path) -> None:
    df = read_csv(write(tmp_path, "ok.csv", b"a,b\n1,x\n2,y\n"))
    assert list(df.columns) == ["a", "b"] and len(df) == 2


def test_missing_file(tmp_path: Path) -> None:
    assert "no such file" in error_of(tmp_path / "nope.csv")


def test_directory(tmp_path: Path) -> None:
    assert "directory" in error_of(tmp_path)


@pytest.mark.parametrize("data", [b"", b"\n\n"])
def test_empty_file(tmp_path: Path, data: bytes) -> None:
    assert "empty file" in error_of(write(tmp_path, "empty.csv", data))


def test_unclosed_quote_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "quote.csv", b'a,b\n1,"multi\nline"\n3,4\n5,"broken\n6,7\n')
    assert error_of(path).endswith("line 5: a quoted field is never closed (unbalanced quote)")


def test_unclosed_quote_with_the_python_engine(tmp_path: Path) -> None:
    path = write(tmp_path, "quote.csv", b'a,b\n1,"x\n2,y\n')
    assert "never closed" in error_of(path, engine="python")


def test_too_many_fields(tmp_path: Path) -> None:
    path = write(tmp_path, "fields.csv", b"a,b\n1,2\n3,4,5\n")
    assert error_of(path).endswith("fields.csv: line 3: expected 2 fields, saw 3")


def test_wrong_encoding_is_reported_not_guessed(tmp_path: Path) -> None:
    path = write(tmp_path, "latin.csv", b"name,city\nana,Berlin\nbo,Montr\xe9al\n")
    message = error_of(path)
    assert "not valid utf-8" in message
    assert "byte 0xe9 at line 3" in message
    assert "encoding=" in message
    df = read_csv(path, encoding="latin-1")
    assert df["city"].tolist() == ["Berlin", "Montréal"]


def test_unknown_encoding(tmp_path: Path) -> None:
    path = write(tmp_path, "ok.csv", b"a\n1\n")
    assert "unknown encoding 'klingon'" in error_of(path, encoding="klingon")


def test_locate_bad_byte_across_chunks(tmp_path: Path) -> None:
    # A two-byte character split by the 1 MiB chunk boundary must not be reported as bad.
    head = b"x" * ((1 << 20) - 1) + "é".encode() + b"\n" * 3
    path = write(tmp_path, "big.csv", head + b"\xff")
    offset, line, byte = locate_bad_byte(str(path), "utf-8")
    assert (offset, line, byte) == (len(head), 4, 0xFF)
    assert locate_bad_byte(str(write(tmp_path, "fine.csv", head)), "utf-8") is None


def test_garbage_rows_become_failed_checks_not_crashes(tmp_path: Path) -> None:
    path = write(tmp_path, "orders.csv", b"id,amount\n1,10.5\n2,oops\n3,\n4,-2\n")
    df = read_csv(path)
    report = validate(df, [qc.between("amount", min=0), qc.not_null("amount"), qc.unique("id")])
    between, not_null, unique = report.results
    assert between.sample_index == [1, 3] and between.error is None
    assert not_null.sample_index == [2]
    assert unique.passed
    assert isinstance(report.to_dict(), dict)
    assert pd.api.types.is_object_dtype(df["amount"]) or pd.api.types.is_string_dtype(df["amount"])
