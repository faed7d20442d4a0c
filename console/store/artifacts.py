"""Content-addressed artifact files: ``artifacts/ab/<sha256>``.

A file is written to a temp file in the same directory, fsynced and renamed, so a crash
leaves it whole or absent. Keys are validated before any path is built, so no caller can
make the store open a path outside its directory.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

from console.errors import IntegrityError, StoreError

KEY_RE = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 1 << 20


class ArtifactStore:
    """Whole-or-absent files named by the sha256 of their bytes."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        if not KEY_RE.match(key):
            raise IntegrityError(f"not an artifact key: {key!r}")
        return self.root / key[:2] / key

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def put_bytes(self, data: bytes | memoryview) -> str:
        key = hashlib.sha256(data).hexdigest()
        self.put_parts(key, [data])
        return key

    def put_parts(self, key: str, parts: Sequence[bytes | memoryview]) -> None:
        """Write the file of ``key`` (the sha256 of the parts' bytes in order, which the caller
        computed) from its parts, without joining them into one buffer first."""
        target = self.path(key)
        size = sum(memoryview(p).nbytes for p in parts)
        if target.is_file() and target.stat().st_size == size:
            return

        def write(fh: BinaryIO) -> None:
            for part in parts:
                fh.write(part)

        self._write(target, write)

    def put_file(self, source: Path) -> tuple[str, int]:
        """Copy ``source`` in, hashing while reading it once; return (key, size)."""
        digest = hashlib.sha256()
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        size = 0
        try:
            with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
                while chunk := src.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
            key = digest.hexdigest()
            target = self.path(key)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
            return key, size
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def _write(self, target: Path, write: Callable[[BinaryIO], object]) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                write(fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except OSError as exc:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise StoreError(f"{target}: cannot write artifact ({exc.strerror or exc})") from exc

    def read_verified(self, key: str) -> bytes:
        """The bytes of ``key``, refusing a missing, truncated or tampered file."""
        path = self.path(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise IntegrityError(f"artifact {key[:12]} is missing ({path})") from exc
        self._check(key, path, data)
        return data

    def read_writable(self, key: str) -> bytearray:
        """:meth:`read_verified` into a mutable buffer (arrays loaded over it stay writable)."""
        path = self.path(key)
        try:
            with open(path, "rb") as fh:
                data = bytearray(os.fstat(fh.fileno()).st_size)
                del data[fh.readinto(data) :]
        except FileNotFoundError as exc:
            raise IntegrityError(f"artifact {key[:12]} is missing ({path})") from exc
        self._check(key, path, data)
        return data

    @staticmethod
    def _check(key: str, path: Path, data: bytes | bytearray) -> None:
        if hashlib.sha256(data).hexdigest() != key:
            raise IntegrityError(
                f"artifact {key[:12]} failed its sha256 check ({path}): tampered or truncated"
            )

    def verify(self, key: str) -> Path:
        """Hash the file in chunks and return its path when it matches ``key``."""
        path = self.path(key)
        digest = hashlib.sha256()
        try:
            with open(path, "rb") as fh:
                while chunk := fh.read(CHUNK):
                    digest.update(chunk)
        except FileNotFoundError as exc:
            raise IntegrityError(f"artifact {key[:12]} is missing ({path})") from exc
        if digest.hexdigest() != key:
            raise IntegrityError(
                f"artifact {key[:12]} failed its sha256 check ({path}): tampered or truncated"
            )
        return path

    def keys(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return [p.name for p in self.root.glob("??/*") if KEY_RE.match(p.name)]

    def delete(self, key: str) -> None:
        try:
            self.path(key).unlink()
        except FileNotFoundError:
            pass
