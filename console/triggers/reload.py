"""Hot reload: a changed ``pipelines/*.py`` is re-imported while the service runs.

- The file is re-imported alone (``Catalog.reload``) once it has been quiet for
  ``settle_s``, so an editor's save (truncate, write, rename) is one reload, not three.
- A syntax error, an import error or a bad declaration makes that file's pipelines
  broken, with file and line (``Catalog.broken``); every other pipeline keeps working,
  and fixing the file restores it on the next save.
- A run in progress finishes on the code it started with: its ``Runner`` holds the
  ``Pipeline`` object it was prepared from, with its task functions and, for process
  and Dask executors, the module source captured when it was loaded. Runs started
  after the reload use the new code.
- A deleted file's pipelines disappear; a new file's pipelines appear.
- A change to any file of a loaded dbt project reloads that project as a whole.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from console.engine.discovery import Broken, Catalog


@dataclass
class ReloadResult:
    """What one reload changed."""

    file: Path
    pipelines: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    broken: list[Broken] = field(default_factory=list)
    deleted: bool = False


class Reloader:
    """Debounces change notices for pipeline files and reloads them into a catalog."""

    def __init__(self, catalog: Catalog, *, settle_s: float = 0.2) -> None:
        self.catalog = catalog
        self.settle_s = settle_s
        self.pending: dict[Path, float] = {}

    def matches(self, path: Path) -> bool:
        """A module the catalog would import: ``pipelines/<name>.py``, not ``_private.py``."""
        name = path.name
        if path.suffix != ".py" or name.startswith(("_", ".")):
            return False
        try:
            return path.resolve().parent == self.catalog.dir.resolve()
        except OSError:
            return False

    def notice(self, path: Path, now: float) -> bool:
        project = self.sql_project_of(path)
        if project is not None:
            self.pending[project] = now
            return True
        if not self.matches(path):
            return False
        self.pending[path.resolve()] = now
        return True

    def sql_project_of(self, path: Path) -> Path | None:
        """The ``dbt_project.yml`` of the loaded dbt project ``path`` belongs to, if any."""
        try:
            resolved = path.resolve()
        except OSError:
            return None
        for key in self.catalog.modules:
            if key.name == "dbt_project.yml" and (resolved == key or key.parent in resolved.parents):
                return key
        return None

    def due(self, now: float) -> list[Path]:
        """Files that have been quiet for ``settle_s`` and differ from what is loaded."""
        out = []
        for path, at in list(self.pending.items()):
            if now - at < self.settle_s:
                continue
            del self.pending[path]
            if self._changed(path):
                out.append(path)
        return out

    def _changed(self, path: Path) -> bool:
        loaded = self.catalog.modules.get(path)
        if loaded is None or loaded.broken or not path.exists():
            return loaded is not None or path.exists()
        try:
            if path.name == "dbt_project.yml":
                from console.engine.sql_pipelines import project_digest

                return project_digest(path.parent) != loaded.sha256
            return hashlib.sha256(path.read_bytes()).hexdigest() != loaded.sha256
        except OSError:
            return True

    def reload(self, path: Path) -> ReloadResult:
        """Re-import ``path`` into the catalog and say what changed."""
        before = self.catalog.modules.get(path)
        old = {p.name for p in before.pipelines} if before else set()
        module = self.catalog.reload(path)
        if module is None:
            return ReloadResult(path, removed=sorted(old), deleted=True)
        new = [p.name for p in module.pipelines]
        return ReloadResult(path, pipelines=new, removed=sorted(old - set(new)), broken=list(module.broken))
