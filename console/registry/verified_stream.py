"""A file object that hands ``pickle`` only bytes whose sha256 has already been checked.

Hashing a 50 MB model before unpickling it costs about as much as the unpickling, so for
big artifacts the check runs ahead of the reader instead of before it: a background thread
reads the file chunk by chunk into memory and compares each chunk's sha256 with the digest
recorded at registration; ``read`` blocks until every byte it returns lies in a verified
chunk. The unpickler therefore never sees an unverified byte, and the hashing (which
releases the GIL) overlaps the unpickling on another core. A mismatch, a short file or a
longer one stops the reader with :class:`IntegrityError`.
"""

from __future__ import annotations

import hashlib
import io
import mmap
import threading
from pathlib import Path

from console.errors import IntegrityError

CHUNK = 2 << 20  # 2 MiB: the reader waits at most one chunk's hash before starting


def chunk_digests(data: bytes | memoryview, chunk: int = CHUNK) -> list[str]:
    view = memoryview(data)
    return [hashlib.sha256(view[i : i + chunk]).hexdigest() for i in range(0, len(view), chunk)]


class ChunkHasher:
    """Whole-file sha256 plus per-chunk sha256, fed with writes of any size."""

    def __init__(self, chunk: int = CHUNK) -> None:
        self.chunk = chunk
        self.whole = hashlib.sha256()
        self.digests: list[str] = []
        self._current = hashlib.sha256()
        self._filled = 0

    def update(self, view: memoryview) -> None:
        self.whole.update(view)
        while len(view):
            take = min(len(view), self.chunk - self._filled)
            self._current.update(view[:take])
            self._filled += take
            view = view[take:]
            if self._filled == self.chunk:
                self.digests.append(self._current.hexdigest())
                self._current = hashlib.sha256()
                self._filled = 0

    def finish(self) -> list[str]:
        if self._filled:
            self.digests.append(self._current.hexdigest())
            self._current = hashlib.sha256()
            self._filled = 0
        return self.digests


class VerifiedStream(io.RawIOBase):
    """Read-only, seekable view of ``path`` whose bytes are released chunk by verified chunk."""

    def __init__(self, path: Path, size: int, digests: list[str], what: str, chunk: int = CHUNK) -> None:
        super().__init__()
        expected = (size + chunk - 1) // chunk
        if len(digests) != expected:
            raise IntegrityError(f"{what}: the recorded chunk digests do not match the artifact size")
        # anonymous memory: pages are zero-filled lazily, as the verifying thread fills them,
        # instead of 50 MB being cleared up front on the reader's thread
        self._buf = mmap.mmap(-1, max(size, 1))
        self._view = memoryview(self._buf)[:size]
        self._size = size
        self._chunk = chunk
        self._pos = 0
        self._ready = 0  # bytes [0, _ready) are verified
        self._error: IntegrityError | None = None
        self._cond = threading.Condition()
        self._what = what
        self._fh = open(path, "rb", buffering=0)  # noqa: SIM115 - closed by the thread
        self._thread = threading.Thread(target=self._verify, args=(digests,), daemon=True)
        self._thread.start()

    # -- the verifying thread ---------------------------------------------------------
    def _verify(self, digests: list[str]) -> None:
        try:
            with self._fh as fh:
                for i, digest in enumerate(digests):
                    start = i * self._chunk
                    part = self._view[start : min(self._size, start + self._chunk)]
                    got = 0
                    while got < len(part):
                        n = fh.readinto(part[got:])
                        if not n:
                            raise IntegrityError(
                                f"{self._what}: artifact is shorter than recorded (truncated); refused to load"
                            )
                        got += n
                    if hashlib.sha256(part).hexdigest() != digest:
                        raise IntegrityError(
                            f"{self._what}: artifact failed its sha256 check at byte {start:,} (tampered); "
                            "refused to load"
                        )
                    with self._cond:
                        self._ready = start + len(part)
                        self._cond.notify_all()
                if fh.read(1):
                    raise IntegrityError(
                        f"{self._what}: artifact is longer than recorded (tampered); refused"
                    )
        except IntegrityError as exc:
            self._fail(exc)
        except OSError as exc:
            self._fail(IntegrityError(f"{self._what}: artifact cannot be read ({exc.strerror or exc})"))

    def _fail(self, exc: IntegrityError) -> None:
        with self._cond:
            self._error = exc
            self._cond.notify_all()

    def _wait(self, end: int) -> None:
        if end <= self._ready:
            return
        with self._cond:
            while self._ready < end and self._error is None:
                self._cond.wait()
            if self._ready < end and self._error is not None:
                raise self._error

    def finish(self) -> None:
        """Wait for the whole file to be verified (trailing bytes included)."""
        self._thread.join()
        if self._error is not None:
            raise self._error

    # -- the file interface pickle/joblib use -------------------------------------------
    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def read(self, size: int | None = -1) -> bytes:
        end = self._size if size is None or size < 0 else min(self._size, self._pos + size)
        self._wait(end)
        out = self._view[self._pos : end].tobytes()
        self._pos = max(self._pos, end)
        return out

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        end = min(self._size, self._pos + len(buffer))
        self._wait(end)
        n = end - self._pos
        if n > 0:
            memoryview(buffer).cast("B")[:n] = self._view[self._pos : end]
            self._pos = end
        return max(n, 0)

    def readline(self, size: int | None = -1) -> bytes:
        start = scan = self._pos
        limit = self._size if size is None or size < 0 else min(self._size, start + size)
        while True:
            stop = min(limit, max(self._ready, scan + 1))
            self._wait(stop)
            found = self._buf.find(b"\n", scan, stop)
            if found >= 0:
                end = found + 1
                break
            if stop >= limit:
                end = limit
                break
            scan = stop
        self._pos = end
        return self._view[start:end].tobytes()

    def peek(self, size: int = 0) -> bytes:
        end = min(self._size, self._pos + max(size, 1))
        self._wait(end)
        return self._view[self._pos : end].tobytes()
