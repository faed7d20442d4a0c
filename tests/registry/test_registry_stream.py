"""The verified stream: bytes are released only after their chunk's sha256 matched."""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import pytest

from console.errors import IntegrityError
from console.registry.verified_stream import ChunkHasher, VerifiedStream, chunk_digests

CHUNK = 16


def _stream(tmp_path: Path, data: bytes, on_disk: bytes | None = None) -> VerifiedStream:
    path = tmp_path / "artifact"
    path.write_bytes(data if on_disk is None else on_disk)
    return VerifiedStream(path, len(data), chunk_digests(data, CHUNK), "model 'm' v1", chunk=CHUNK)


def test_reads_cross_chunks_and_match_the_file(tmp_path: Path) -> None:
    data = bytes(range(256)) * 3
    s = _stream(tmp_path, data)
    assert s.peek(4) == data[:4] and s.tell() == 0
    assert s.read(5) == data[:5]
    assert s.read(40) == data[5:45]  # spans three chunks
    buf = bytearray(10)
    assert s.readinto(buf) == 10 and bytes(buf) == data[45:55]
    assert s.seek(100) == 100
    assert s.read() == data[100:]
    assert s.read(3) == b""
    s.finish()


def test_readline_across_chunks(tmp_path: Path) -> None:
    data = b"first line that is long\nsecond\n\nlast without newline"
    s = _stream(tmp_path, data)
    assert [s.readline() for _ in range(5)] == [
        b"first line that is long\n",
        b"second\n",
        b"\n",
        b"last without newline",
        b"",
    ]
    s.finish()


def test_a_protocol_0_pickle_loads_through_it(tmp_path: Path) -> None:
    value = {"weights": list(range(50)), "name": "m" * 40}
    s = _stream(tmp_path, pickle.dumps(value, protocol=0))
    assert pickle.load(s) == value
    s.finish()


def test_going_back_is_refused(tmp_path: Path) -> None:
    data = bytes(200)
    s = _stream(tmp_path, data)
    s.read(60)
    assert s.seek(50) == 50  # still inside the chunk held
    with pytest.raises(io.UnsupportedOperation):
        s.seek(0)
    s.close()


def test_bytes_before_a_tampered_chunk_are_served_then_the_read_stops(tmp_path: Path) -> None:
    data = bytes(range(64))
    bad = bytearray(data)
    bad[40] ^= 0xFF
    s = _stream(tmp_path, data, bytes(bad))
    assert s.read(32) == data[:32]  # chunks 0 and 1 are intact
    with pytest.raises(IntegrityError, match=r"model 'm' v1: .*byte 32 \(tampered\)"):
        s.read(10)


def test_short_and_long_files(tmp_path: Path) -> None:
    data = bytes(range(50))
    short = _stream(tmp_path, data, data[:-1])
    with pytest.raises(IntegrityError, match="shorter"):
        short.read()
    long = _stream(tmp_path, data, data + b"!")
    assert long.read() == data
    with pytest.raises(IntegrityError, match="longer"):
        long.finish()


def test_digests_that_do_not_fit_the_size_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "a"
    path.write_bytes(b"x" * 40)
    with pytest.raises(IntegrityError, match="do not match"):
        VerifiedStream(path, 40, ["00" * 32], "model 'm' v1", chunk=CHUNK)


def test_chunk_hasher_matches_chunk_digests() -> None:
    data = bytes(range(256)) * 5
    hasher = ChunkHasher(CHUNK)
    for start in range(0, len(data), 7):  # writes that straddle chunk edges
        hasher.update(memoryview(data[start : start + 7]))
    assert hasher.finish() == chunk_digests(data, CHUNK)
