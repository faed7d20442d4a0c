"""``read_csv``: pandas' reader with one-line :class:`DataError` messages naming the file.

A run that reads a broken file should say ``data/orders.csv: line 7: expected 4 fields,
saw 5`` rather than print a parser traceback. The encoding defaults to UTF-8 and there is
no silent fallback: a file in another encoding is an error that says which byte, on which
line, and how to pass ``encoding=``.
"""

from __future__ import annotations

import codecs
import csv
import os
import re
from pathlib import Path
from typing import Any

import pandas as pd

from console.errors import DataError

_ROW = re.compile(r"EOF inside string starting at row (\d+)")
_LINE = re.compile(r"line (\d+)")
_CHUNK = 1 << 20


def _where(source: Any) -> str:
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    return str(getattr(source, "name", "<stream>"))


def locate_bad_byte(path: str, encoding: str) -> tuple[int, int, int] | None:
    """(offset, line, byte) of the first byte that does not decode, reading in chunks."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0  # bytes consumed before the current chunk
    lines = 1
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(_CHUNK)
            pending = decoder.getstate()[0]
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                data = pending + chunk
                bad = exc.start
                lines += data[:bad].count(b"\n") - pending.count(b"\n")
                return offset - len(pending) + bad, lines, data[bad]
            if not chunk:
                return None
            lines += chunk.count(b"\n")
            offset += len(chunk)


def record_line(path: str, encoding: str, record: int, kwargs: dict[str, Any]) -> int | None:
    """The physical line where pandas' record number ``record`` (0 = header) starts."""
    sep = kwargs.get("sep", kwargs.get("delimiter", ","))
    if not isinstance(sep, str) or len(sep) != 1:
        return None
    with open(path, newline="", encoding=encoding, errors="replace") as fh:
        reader = csv.reader(fh, delimiter=sep, quotechar=kwargs.get("quotechar", '"'), strict=True)
        start = 1
        for i in range(record + 1):
            try:
                next(reader)
            except (csv.Error, StopIteration):
                return start
            if i < record:
                start = reader.line_num + 1
        return start


def _decode_message(where: str, source: Any, encoding: str, given: bool) -> str:
    found = None
    if isinstance(source, str | os.PathLike) and Path(source).is_file():
        found = locate_bad_byte(os.fspath(source), encoding)
    place = f" (byte 0x{found[2]:02x} at line {found[1]}, offset {found[0]})" if found else ""
    hint = "" if given else "; if the file uses another encoding, pass it: read_csv(path, encoding='latin-1')"
    return f"{where}: not valid {encoding}{place}{hint}"


def _parser_message(where: str, source: Any, encoding: str, exc: Exception, kwargs: dict[str, Any]) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    text = text.replace("Error tokenizing data. C error: ", "")
    row = _ROW.search(text)
    if row:
        line = None
        if isinstance(source, str | os.PathLike):
            line = record_line(os.fspath(source), encoding, int(row.group(1)), kwargs)
        at = f"line {line}" if line else f"record {row.group(1)}"
        return f"{where}: {at}: a quoted field is never closed (unbalanced quote)"
    if text == "unexpected end of data":
        return f"{where}: a quoted field is never closed (unbalanced quote)"
    line_match = _LINE.search(text)
    if line_match and text.startswith("Expected"):
        rest = _LINE.sub("", text).replace(" in ,", ",").strip()
        return f"{where}: line {line_match.group(1)}: {rest[0].lower()}{rest[1:]}"
    return f"{where}: cannot parse CSV: {text}"


def header_width(path: str | os.PathLike[str]) -> int:
    """How many columns the first record of a CSV file has (read alone; the rows are not parsed)."""
    where = _where(path)
    try:
        with open(path, newline="", encoding="utf-8", errors="replace") as fh:
            first = next(csv.reader(fh), [])
    except OSError as exc:
        raise DataError(f"{where}: cannot read: {exc.strerror or exc}") from None
    except csv.Error as exc:
        raise DataError(f"{where}: the header is not valid CSV ({exc})") from None
    return len(first)


def read_csv(path: str | os.PathLike[str] | Any, **kwargs: Any) -> pd.DataFrame:
    """Read a CSV file with :func:`pandas.read_csv`; unreadable input raises :class:`DataError`.

    ``encoding`` defaults to UTF-8 (no silent fallback) and ``low_memory`` to False, so
    a column's dtype does not depend on where pandas cut its chunks. Other keyword
    arguments go to pandas unchanged.
    """
    where = _where(path)
    given = "encoding" in kwargs
    encoding = kwargs.setdefault("encoding", "utf-8")
    if kwargs.get("engine") in (None, "c"):
        kwargs.setdefault("low_memory", False)
    try:
        return pd.read_csv(path, **kwargs)
    except FileNotFoundError:
        raise DataError(f"{where}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{where}: is a directory, not a CSV file") from None
    except PermissionError:
        raise DataError(f"{where}: permission denied") from None
    except pd.errors.EmptyDataError:
        raise DataError(f"{where}: empty file (no header, no rows)") from None
    except UnicodeDecodeError:
        raise DataError(_decode_message(where, path, encoding, given)) from None
    except LookupError:
        raise DataError(f"{where}: unknown encoding {encoding!r}") from None
    except (pd.errors.ParserError, csv.Error) as exc:
        raise DataError(_parser_message(where, path, encoding, exc, kwargs)) from None
    except OSError as exc:
        raise DataError(f"{where}: cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise DataError(f"{where}: {' '.join(str(exc).split())}") from None
