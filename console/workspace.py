"""The project and store of this process, found the way the CLI finds them (for scripts, notebooks).

``OPSCONSOLE_PROJECT`` or the nearest project upward from the working directory;
:func:`open_project` points it elsewhere. The store is opened on first use and closed at exit.
Imports only the project and the store, so the registry can use it for ``load(NAME)``.
"""

from __future__ import annotations

import atexit
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from console.project import Project
    from console.store.state import Store

_lock = threading.Lock()
_project: Project | None = None
_store: Store | None = None


def open_project(path: str | Path | None = None) -> Project:
    """Use the project at ``path`` (default: ``OPSCONSOLE_PROJECT`` or found from the cwd)."""
    global _project, _store
    from console.project import load_project

    with _lock:
        if _store is not None:
            _store.close()
            _store = None
        _project = load_project(path if path is not None else os.environ.get("OPSCONSOLE_PROJECT"))
        return _project


def project() -> Project:
    """The current project, opened on first use."""
    return _project if _project is not None else open_project()


def store() -> Store:
    """The project's store, opened on first use and closed when the interpreter exits."""
    global _store
    proj = project()
    with _lock:
        if _store is None:
            from console.store.state import Store

            _store = Store(proj.home)
            atexit.register(_close)
        return _store


def _close() -> None:
    global _store
    with _lock:
        if _store is not None:
            _store.close()
            _store = None


def forget_store() -> None:
    """Drop the cached store without closing it (its owner, e.g. an Engine, closed it)."""
    global _store
    with _lock:
        _store = None
