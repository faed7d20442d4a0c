"""Opening the store's own files: owner-only when created, never through a symbolic link.

The state directory holds run history, logs and the sha256s the model loader trusts, so
its files are created 0600 like the artifacts. Lock files are opened with ``O_NOFOLLOW``:
whoever can plant a symlink there must not make ops-console truncate or create a file
elsewhere with its permissions.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from console.errors import StoreUnavailableError

PRIVATE_MODE = 0o600
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def open_private(path: str | os.PathLike[str], flags: int) -> int:
    """``os.open`` with mode 0600 on creation and ``O_NOFOLLOW``; a symlink is a clear error."""
    try:
        return os.open(path, flags | _NOFOLLOW | _CLOEXEC, PRIVATE_MODE)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise StoreUnavailableError(
                f"{path}: is a symbolic link; ops-console does not follow links for its own files"
            ) from None
        raise


def private_opener(path: str, flags: int) -> int:
    """An ``opener=`` for :func:`open` (task logs): see :func:`open_private`."""
    return open_private(path, flags)


def create_private(path: Path) -> None:
    """Create ``path`` empty and 0600 unless it exists (SQLite gives -wal/-shm the same mode)."""
    try:
        os.close(open_private(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        pass
