"""Large task results: one framed file of a pickle stream and its buffers, verified on load."""

from __future__ import annotations

import hashlib
import pickle

import numpy as np
import pandas as pd
import pytest

from console.errors import IntegrityError, ResultStoreError
from console.store import results
from console.store.artifact_check import check_artifacts
from console.store.state import Store


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "s")
    yield s
    s.close()


def _frame(n: int = 50_000) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    names = np.array([f"m{i}" for i in range(40)], dtype=object)
    return pd.DataFrame(
        {
            "id": np.arange(n),
            "amount": rng.normal(size=n),
            "merchant": pd.array(names[rng.integers(0, 40, n)].tolist(), dtype="str"),
            "kind": pd.Categorical(names[rng.integers(0, 5, n)]),
            "note": names[rng.integers(0, 40, n)],  # Python objects: pickled in the stream
            "ok": rng.integers(0, 2, n).astype(bool),
            "at": pd.date_range("2026-01-01", periods=n, freq="s", tz="UTC"),
        }
    )


def _file(store: Store, key: str) -> bytes:
    return store.artifacts.path(key).read_bytes()


def test_a_frame_round_trips_through_one_framed_file_named_by_its_bytes(store) -> None:
    frame = _frame()
    key = results.save(store, frame)
    store.writer.flush()
    data = _file(store, key)
    assert data.startswith(results.MAGIC)
    assert hashlib.sha256(data).hexdigest() == key
    row = store.db.query_one("SELECT size, inline FROM results WHERE key=?", (key,))
    assert row["inline"] is None and row["size"] == len(data)
    back = results.load(store, key)
    pd.testing.assert_frame_equal(back, frame)
    assert results.save(store, frame) == key  # the same bytes, the same key: stored once
    assert check_artifacts(store.db.conn(), store.artifacts.root) == (1, [])


def test_arrays_load_writable_and_aligned(store) -> None:
    array = np.arange(200_000, dtype=np.float64)
    key = results.save(store, array)
    back = results.load(store, key)
    assert back.flags.writeable and back.flags.aligned
    back[0] = -1.0  # the caller owns it
    np.testing.assert_array_equal(back[1:], array[1:])


def test_small_values_and_strided_arrays_are_one_plain_pickle(store) -> None:
    small = np.arange(10)
    key = results.save(store, small)
    store.writer.flush()
    inline = store.db.query_one("SELECT inline FROM results WHERE key=?", (key,))["inline"]
    assert bytes(inline) == pickle.dumps(small, protocol=5)
    strided = np.arange(100_000, dtype=np.int64)[::2]  # not contiguous: no out-of-band buffer
    key = results.save(store, strided)
    assert _file(store, key).startswith(b"\x80\x05")
    np.testing.assert_array_equal(results.load(store, key), strided)


def test_a_result_file_from_before_the_framed_format_still_loads(store) -> None:
    value = {"rows": list(range(30_000))}
    blob = pickle.dumps(value, protocol=5)
    key = store.artifacts.put_bytes(blob)
    store.writer.many(results.INSERT_SQL, [(key, len(blob), None, 0.0)])
    store.writer.flush()
    assert results.load(store, key) == value


@pytest.mark.parametrize("damage", ["flip", "truncate", "append"])
def test_a_damaged_result_file_is_refused(store, damage: str) -> None:
    key = results.save(store, _frame(20_000))
    path = store.artifacts.path(key)
    data = bytearray(path.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0xFF
    elif damage == "truncate":
        del data[-100:]
    else:
        data += b"\0" * 64
    path.write_bytes(bytes(data))
    with pytest.raises(IntegrityError, match="sha256"):
        results.load(store, key)


def test_a_frame_whose_lengths_disagree_is_an_error_not_a_wrong_value() -> None:
    _, parts = results.encode(np.arange(100_000))
    blob = b"".join(parts)
    with pytest.raises(ResultStoreError, match="framed"):
        results.decode(blob[:-8])
    assert (results.decode(blob) == np.arange(100_000)).all()
