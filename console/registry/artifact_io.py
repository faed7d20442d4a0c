"""Model artifacts in the content-addressed store: written once, verified before unpickling.

``dump`` streams ``joblib.dump`` through a hashing file object into a temp file beside the
store, fsyncs and renames it to ``artifacts/ab/<sha256>``: the bytes are written once and
hashed on the way (the whole file, and each 2 MiB chunk). ``load_verified`` reads the file
once and unpickles only bytes it has checked: a small artifact is hashed whole first; a big
one is checked chunk by chunk just ahead of the unpickler (``verified_stream.py``), so
nothing unverified (and no file swapped in between a check and a load) ever reaches
``pickle``. Paths come from the key alone, never from a name.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.errors import IntegrityError, StoreError
from console.registry.verified_stream import ChunkHasher, VerifiedStream

STREAM_FROM = 8 << 20  # below this, hashing first is as fast as overlapping

if TYPE_CHECKING:
    from console.store.artifacts import ArtifactStore


class _HashingFile(io.RawIOBase):
    """A write-only file that hashes what passes through it."""

    def __init__(self, fh: Any) -> None:
        super().__init__()
        self._fh = fh
        self.hasher = ChunkHasher()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        self.hasher.update(view)
        self._fh.write(view)
        self.size += len(view)
        return len(view)


def dump(artifacts: ArtifactStore, model: Any, *, compress: int = 0) -> tuple[str, int, list[str]]:
    """Pickle ``model`` with joblib into the store; return (sha256, size, chunk sha256s)."""
    import joblib

    artifacts.root.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=artifacts.root, prefix=".model-")
    try:
        with os.fdopen(fd, "wb", buffering=1 << 20) as fh:
            sink = _HashingFile(fh)
            joblib.dump(model, sink, compress=compress)
            fh.flush()
            os.fsync(fh.fileno())
        key = sink.hasher.whole.hexdigest()
        chunks = sink.hasher.finish()
        target = artifacts.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, target)
        _fsync_dir(target.parent)
        return key, sink.size, chunks
    except OSError as exc:
        raise StoreError(
            f"{artifacts.root}: cannot write the model artifact ({exc.strerror or exc})"
        ) from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def artifact_path(artifacts: ArtifactStore, key: str, what: str) -> Path:
    """The file of ``key``, refusing anything that resolves outside the artifact store."""
    path = artifacts.path(key)  # validates the key: 64 hex digits, nothing else
    root = artifacts.root.resolve()
    try:
        resolved = path.resolve()
    except OSError as exc:
        raise IntegrityError(f"{what}: artifact {key[:12]} cannot be resolved ({exc})") from exc
    if not resolved.is_relative_to(root):
        raise IntegrityError(f"{what}: artifact {key[:12]} points outside the artifact store; refused")
    return resolved


def read_verified(artifacts: ArtifactStore, key: str, size: int | None, what: str) -> bytes:
    """The artifact's bytes after its sha256 (and size) check; ``what`` names model and version."""
    path = artifact_path(artifacts, key, what)
    try:
        with open(path, "rb", buffering=0) as fh:
            data = fh.read()
    except FileNotFoundError:
        raise IntegrityError(f"{what}: artifact {key[:12]} is missing ({path}); refused to load") from None
    except OSError as exc:
        raise IntegrityError(f"{what}: artifact {key[:12]} cannot be read ({exc.strerror or exc})") from exc
    if size is not None and len(data) != size:
        raise IntegrityError(
            f"{what}: artifact {key[:12]} is {len(data)} bytes, expected {size} (truncated or "
            "tampered); refused to load"
        )
    if hashlib.sha256(data).hexdigest() != key:
        raise IntegrityError(
            f"{what}: artifact {key[:12]} failed its sha256 check (tampered); refused to load"
        )
    return data


def load_verified(
    artifacts: ArtifactStore, key: str, size: int | None, what: str, chunks: list[str] | None = None
) -> Any:
    """Unpickle the artifact, letting ``pickle`` see only verified bytes."""
    import joblib

    if not chunks or size is None or size < STREAM_FROM:
        data = read_verified(artifacts, key, size, what)
        return joblib.load(io.BytesIO(data))
    path = artifact_path(artifacts, key, what)
    try:
        stream = VerifiedStream(path, size, chunks, what)
    except FileNotFoundError:
        raise IntegrityError(f"{what}: artifact {key[:12]} is missing ({path}); refused to load") from None
    except OSError as exc:
        raise IntegrityError(f"{what}: artifact {key[:12]} cannot be read ({exc.strerror or exc})") from exc
    try:
        model = joblib.load(stream)
    except IntegrityError:
        stream.close()
        raise
    except io.UnsupportedOperation:
        stream.close()  # a pickle that seeks back: verify the whole file first instead
        return joblib.load(io.BytesIO(read_verified(artifacts, key, size, what)))
    except Exception:
        stream.finish()  # a verification failure explains a broken unpickle: raise that first
        raise
    stream.finish()
    return model
