"""Safe loading: the sha256 is checked before unpickling; tampered, truncated, missing refused."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from console import registry
from console.errors import IntegrityError
from console.store.state import Store


def _artifact(store: Store, good_model: Any) -> tuple[Any, Path]:
    mv = registry.register(store, "iris", good_model)
    return mv, store.artifacts.path(mv.sha256)


def test_a_verified_model_predicts_like_the_original(store: Store, good_model: Any, iris: Any) -> None:
    X, _ = iris
    mv = registry.register(store, "iris", good_model)
    registry.promote(store, "iris", mv.version)
    loaded = registry.load(store, "iris", alias="production")
    assert (loaded.predict(X) == good_model.predict(X)).all()


def test_flipped_byte_is_refused(store: Store, good_model: Any) -> None:
    mv, path = _artifact(store, good_model)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(IntegrityError, match=r"model 'iris' v1: .*sha256") as info:
        registry.load(store, "iris", version=mv.version)
    assert info.value.exit_code == 2


def test_truncated_artifact_is_refused(store: Store, good_model: Any) -> None:
    mv, path = _artifact(store, good_model)
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(IntegrityError, match=r"model 'iris' v1: .*truncated"):
        registry.load(store, "iris", version=mv.version)


def test_missing_artifact_is_refused(store: Store, good_model: Any) -> None:
    mv, path = _artifact(store, good_model)
    path.unlink()
    with pytest.raises(IntegrityError, match=r"model 'iris' v1: .*missing"):
        registry.load(store, "iris", version=mv.version)


def test_a_pickle_swapped_in_with_the_right_size_never_runs(
    store: Store, good_model: Any, tmp_path: Path
) -> None:
    """A malicious pickle of the same length is caught by the hash, before pickle runs."""
    import pickle

    mv, path = _artifact(store, good_model)
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self) -> Any:
            return (os.system, (f"touch {marker}",))

    payload = pickle.dumps(Evil())
    size = path.stat().st_size
    path.write_bytes(payload + b"\x00" * (size - len(payload)))
    with pytest.raises(IntegrityError):
        registry.load(store, "iris", version=mv.version)
    assert not marker.exists()


def test_an_artifact_linked_outside_the_store_is_refused(
    store: Store, good_model: Any, tmp_path: Path
) -> None:
    mv, path = _artifact(store, good_model)
    outside = tmp_path / "outside.bin"
    outside.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(outside)
    with pytest.raises(IntegrityError, match="outside the artifact store"):
        registry.load(store, "iris", version=mv.version)


def test_a_key_that_is_not_a_sha256_never_becomes_a_path(store: Store, good_model: Any) -> None:
    registry.register(store, "iris", good_model)
    with store.db.transaction() as conn:
        conn.execute("UPDATE model_versions SET sha256='../../../../etc/passwd'")
    with pytest.raises(IntegrityError, match="not an artifact key"):
        registry.load(store, "iris", version=1)


def test_a_different_sklearn_version_warns(store: Store, good_model: Any) -> None:
    mv = registry.register(store, "iris", good_model)
    env = dict(mv.env, sklearn="0.0.1")
    with store.db.transaction() as conn:
        conn.execute("UPDATE model_versions SET env=?", (json.dumps(env),))
    with pytest.warns(registry.ModelEnvironmentWarning, match="scikit-learn 0.0.1"):
        model = registry.load(store, "iris", version=1)
    assert model is not None


@pytest.fixture
def big(store: Store) -> tuple[Any, Path]:
    """A 12 MB artifact: checked chunk by chunk while it is read."""
    import numpy as np

    payload = {"weights": np.arange(1_500_000, dtype=np.float64), "name": "big"}
    mv = registry.register(store, "big", payload)
    assert mv.size > 12_000_000 and len(mv.chunks or []) == 6
    return mv, store.artifacts.path(mv.sha256)


def test_a_big_artifact_streams_verified(store: Store, big: tuple[Any, Path]) -> None:
    loaded = registry.load(store, "big", version=1)
    assert loaded["name"] == "big" and float(loaded["weights"][-1]) == 1_499_999.0


@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_a_big_artifact_with_a_flipped_byte_is_refused(
    store: Store, big: tuple[Any, Path], where: str
) -> None:
    _, path = big
    data = bytearray(path.read_bytes())
    at = {"start": 10, "middle": len(data) // 2, "end": len(data) - 3}[where]
    data[at] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(IntegrityError, match=r"model 'big' v1: .*tampered"):
        registry.load(store, "big", version=1)


@pytest.mark.parametrize("change", ["truncate", "extend", "delete"])
def test_a_big_artifact_cut_grown_or_gone_is_refused(
    store: Store, big: tuple[Any, Path], change: str
) -> None:
    _, path = big
    data = path.read_bytes()
    if change == "truncate":
        path.write_bytes(data[: len(data) - 1000])
    elif change == "extend":
        path.write_bytes(data + b"\x80\x04N.")
    else:
        path.unlink()
    with pytest.raises(IntegrityError, match=r"model 'big' v1: .*(truncated|longer|missing|tampered)"):
        registry.load(store, "big", version=1)


def test_a_version_without_chunk_digests_is_hashed_whole(store: Store, big: tuple[Any, Path]) -> None:
    _, path = big
    with store.db.transaction() as conn:
        conn.execute("UPDATE model_versions SET chunks=NULL")
    assert registry.load(store, "big", version=1)["name"] == "big"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(IntegrityError, match="sha256"):
        registry.load(store, "big", version=1)


def test_a_reader_that_seeks_back_falls_back_to_hashing_first(
    store: Store, big: tuple[Any, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import joblib

    real = joblib.load
    seen: list[str] = []

    def rewinding_load(fh: Any) -> Any:
        seen.append(type(fh).__name__)
        fh.read(3 << 20)
        fh.seek(0)  # the verified stream cannot go back: the loader retries from memory
        return real(fh)

    monkeypatch.setattr(joblib, "load", rewinding_load)
    assert registry.load(store, "big", version=1)["name"] == "big"
    assert seen == ["VerifiedStream", "BytesIO"]
