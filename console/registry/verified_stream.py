"""A file object that hands ``pickle`` only bytes whose sha256 has already been checked.

Hashing a 50 MB model before unpickling it costs about half as much as the unpickling, so
for big artifacts the check runs ahead of the reader instead of before it: a background
thread reads the file chunk by chunk into a small ring of reused buffers and compares each
chunk's sha256 with the digest recorded at registration; ``read`` blocks until the bytes it
returns lie in a verified chunk, and a buffer is refilled only after the reader has moved
past it. The unpickler therefore never sees an unverified byte; the hashing (which releases
the GIL) overlaps the unpickling on another core, and the reused buffers stay in cache. A
mismatch, a short file or a longer one stops the reader with :class:`IntegrityError`. The
stream only goes forward (plus seeks inside the chunks it still holds): anything else is
``io.UnsupportedOperation`` and the caller falls back to hashing the whole file first.
"""

from __future__ import annotations

import hashlib
import io
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
    """Read-only, forward view of ``path`` whose bytes are released chunk by verified chunk."""

    SLOTS = 4

    def __init__(self, path: Path, size: int, digests: list[str], what: str, chunk: int = CHUNK) -> None:
        super().__init__()
        if len(digests) != (size + chunk - 1) // chunk:
            raise IntegrityError(f"{what}: the recorded chunk digests do not match the artifact size")
        self._size = size
        self._chunk = chunk
        self._what = what
        self._slots = [bytearray(chunk) for _ in range(min(self.SLOTS, max(len(digests), 1)))]
        self._pos = 0
        self._verified = 0  # chunks [0, _verified) are checked and in their slots
        self._holding = 0  # the oldest chunk the reader may still need; older slots are free
        self._error: IntegrityError | None = None
        self._stop = False
        self._cond = threading.Condition()
        self._fh = open(path, "rb", buffering=0)  # noqa: SIM115 - closed by the thread
        self._thread = threading.Thread(target=self._verify, args=(digests,), daemon=True)
        self._thread.start()

    # -- the verifying thread ---------------------------------------------------------
    def _verify(self, digests: list[str]) -> None:
        n_slots = len(self._slots)
        try:
            with self._fh as fh:
                for i, digest in enumerate(digests):
                    with self._cond:
                        while i - self._holding >= n_slots and not self._stop:
                            self._cond.wait()
                        if self._stop:
                            return
                    length = min(self._chunk, self._size - i * self._chunk)
                    part = memoryview(self._slots[i % n_slots])[:length]
                    got = 0
                    while got < length:
                        n = fh.readinto(part[got:])
                        if not n:
                            raise IntegrityError(
                                f"{self._what}: artifact is shorter than recorded (truncated); refused to load"
                            )
                        got += n
                    if hashlib.sha256(part).hexdigest() != digest:
                        raise IntegrityError(
                            f"{self._what}: artifact failed its sha256 check at byte {i * self._chunk:,} "
                            "(tampered); refused to load"
                        )
                    with self._cond:
                        self._verified = i + 1
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

    def _slot(self, index: int) -> memoryview:
        """The verified bytes of chunk ``index`` (waiting for them); frees older chunks."""
        if index < self._holding:
            raise io.UnsupportedOperation("the verified stream does not go back")
        with self._cond:
            if index > self._holding:
                self._holding = index
                self._cond.notify_all()
            while self._verified <= index and self._error is None:
                self._cond.wait()
            if self._verified <= index and self._error is not None:
                raise self._error
        length = min(self._chunk, self._size - index * self._chunk)
        return memoryview(self._slots[index % len(self._slots)])[:length]

    def finish(self) -> None:
        """Let the thread verify the rest of the file (trailing bytes included) and wait."""
        with self._cond:
            self._holding = len(self._slots) + (self._size // self._chunk) + 1
            self._cond.notify_all()
        self._thread.join()
        if self._error is not None:
            raise self._error

    def close(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        super().close()

    # -- the file interface pickle/joblib use -------------------------------------------
    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        target = max(0, base + offset)
        if target // self._chunk < self._holding:
            raise io.UnsupportedOperation("the verified stream does not go back")
        self._pos = target
        return self._pos

    def read(self, size: int | None = -1) -> bytes:
        end = self._size if size is None or size < 0 else min(self._size, self._pos + size)
        if end <= self._pos:
            return b""
        first = self._pos // self._chunk
        if (end - 1) // self._chunk == first:  # the common case: inside one chunk
            off = self._pos - first * self._chunk
            out = self._slot(first)[off : off + end - self._pos].tobytes()
            self._pos = end
            return out
        parts = bytearray()
        while self._pos < end:
            index = self._pos // self._chunk
            off = self._pos - index * self._chunk
            take = min(end - self._pos, self._chunk - off)
            parts += self._slot(index)[off : off + take]
            self._pos += take
        return bytes(parts)

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        memoryview(buffer).cast("B")[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        limit = self._size if size is None or size < 0 else min(self._size, self._pos + size)
        line = bytearray()
        while self._pos < limit:
            index = self._pos // self._chunk
            off = self._pos - index * self._chunk
            view = self._slot(index)[off : off + limit - self._pos]
            cut = bytes(view).find(b"\n")
            take = len(view) if cut < 0 else cut + 1
            line += view[:take]
            self._pos += take
            if cut >= 0:
                break
        return bytes(line)

    def peek(self, size: int = 0) -> bytes:
        """Up to ``size`` bytes from the current chunk, without moving."""
        if self._pos >= self._size:
            return b""
        index = self._pos // self._chunk
        off = self._pos - index * self._chunk
        return self._slot(index)[off : off + max(size, 1)].tobytes()
