"""Task results, content-addressed: small ones inline in the database, large ones as files.

An fsynced file per result would cap the engine near 3,000 tasks/s, so results up to
``INLINE_MAX`` bytes ride in the batching writer's transactions instead.
"""

from __future__ import annotations

import hashlib
import pickle
import time
from typing import Any

from console.errors import ResultStoreError
from console.store.state import Store

INLINE_MAX = 64 * 1024
INSERT_SQL = "INSERT OR IGNORE INTO results (key, size, inline, at) VALUES (?, ?, ?, ?)"
_NONE_BLOB = pickle.dumps(None, protocol=5)
_NONE_KEY = hashlib.sha256(_NONE_BLOB).hexdigest()


def encode(value: Any) -> tuple[str, bytes]:
    """Pickle ``value`` and name it by the sha256 of the bytes."""
    if value is None:
        return _NONE_KEY, _NONE_BLOB
    try:
        blob = pickle.dumps(value, protocol=5)
    except Exception as exc:  # noqa: BLE001 - any pickling failure means "cannot be stored"
        raise ResultStoreError(
            f"the task returned a {type(value).__name__} that cannot be stored ({exc})"
        ) from exc
    return hashlib.sha256(blob).hexdigest(), blob


def save(store: Store, value: Any) -> str:
    """Persist ``value`` and return its key. Large blobs are written (fsynced) right away."""
    key, blob = encode(value)
    if key == _NONE_KEY and store.saw_none_result:
        return key
    store.saw_none_result = key == _NONE_KEY or store.saw_none_result
    if len(blob) <= INLINE_MAX:
        store.writer.many(INSERT_SQL, [(key, len(blob), blob, time.time())])
    else:
        store.artifacts.put_bytes(blob)
        store.writer.many(INSERT_SQL, [(key, len(blob), None, time.time())])
    return key


def load(store: Store, key: str) -> Any:
    """The value stored under ``key``, verified against its hash."""
    row = store.db.query_one("SELECT inline FROM results WHERE key=?", (key,))
    if row is not None and row["inline"] is not None:
        blob = bytes(row["inline"])
        if hashlib.sha256(blob).hexdigest() != key:
            raise ResultStoreError(f"result {key[:12]} failed its sha256 check")
    else:
        blob = store.artifacts.read_verified(key)
    return pickle.loads(blob)  # noqa: S301 - our own content-addressed, hash-verified bytes


def exists(store: Store, key: str) -> bool:
    row = store.db.query_one("SELECT inline IS NOT NULL AS inl FROM results WHERE key=?", (key,))
    if row is None:
        return False
    return bool(row["inl"]) or store.artifacts.exists(key)
