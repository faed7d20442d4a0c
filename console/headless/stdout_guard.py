"""``--json`` runs keep stdout for the JSON: what tasks write straight to fd 1 goes to a file.

``print`` and ``sys.stdout.buffer`` inside a task already reach the task's log (see
``console.engine.logs``), but ``os.write(1, ...)``, a C extension or a child process writes
to the file descriptor itself, which no Python-level proxy sees. During a ``--json`` run,
fd 1 points at ``<run's log folder>/_stdout.out`` and the command's own output goes to a
duplicate of the original descriptor, so a script's ``json.load`` always gets just the JSON.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

STRAY_FILE = "_stdout.out"


@contextmanager
def json_stdout(folder: Path) -> Iterator[Path]:
    """Point fd 1 at a file in ``folder`` and ``sys.stdout`` at the original stdout."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no stdout at all: nothing to protect
        yield folder / STRAY_FILE
        return
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / STRAY_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(fd, 1)
    os.close(fd)
    holder: Any = sys.stdout if hasattr(sys.stdout, "real") else sys
    attr = "real" if holder is sys.stdout else "stdout"
    previous = getattr(holder, attr)
    encoding = getattr(previous, "encoding", None) or "utf-8"
    setattr(holder, attr, open(saved, "w", encoding=encoding, errors="replace", closefd=False))  # noqa: SIM115
    try:
        yield path
    finally:
        getattr(holder, attr).flush()
        setattr(holder, attr, previous)
        os.dup2(saved, 1)
        os.close(saved)
        if path.exists() and path.stat().st_size == 0:
            path.unlink()
        elif path.exists():
            sys.stderr.write(f"opsconsole: output written straight to stdout by tasks is in {path}\n")
