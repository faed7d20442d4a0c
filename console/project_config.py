"""The checks on ``[tool.opsconsole]`` / ``opsconsole.toml`` values: types, ranges and paths, once.

TOML has types, so a value of the wrong type is an error, never coerced: ``read_only =
"false"`` is not read-only-by-accident, ``max_workers = 2.7`` is not 2. Each error is one
line naming the file, the key, what is expected and what was found.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from console.errors import ProjectError

EXECUTORS = ("thread", "process", "dask")
MAX_WORKERS_LIMIT = 1024


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:60] + "…"


def _bad(where: Path, key: str, expected: str, value: Any) -> ProjectError:
    return ProjectError(f"{where}: {key} must be {expected}, not {_shown(value)}")


def _string(cfg: dict[str, Any], where: Path, key: str, what: str = "a string") -> str | None:
    value = cfg.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or "\x00" in value:
        raise _bad(where, key, what, value)
    return value


def validated(cfg: dict[str, Any], where: Path, root: Path) -> dict[str, Any]:
    """The known settings of ``cfg`` checked and typed; raises ProjectError on the first bad one."""
    out: dict[str, Any] = {}
    workers = cfg.get("max_workers")
    if workers is None:
        out["max_workers"] = min(32, (os.cpu_count() or 1) + 4)
    elif isinstance(workers, bool) or not isinstance(workers, int):
        raise _bad(where, "max_workers", "a whole number", workers)
    elif not 1 <= workers <= MAX_WORKERS_LIMIT:
        raise _bad(where, "max_workers", f"from 1 to {MAX_WORKERS_LIMIT}", workers)
    else:
        out["max_workers"] = workers
    read_only = cfg.get("read_only", False)
    if not isinstance(read_only, bool):
        raise _bad(where, "read_only", "true or false (a TOML boolean, no quotes)", read_only)
    out["read_only"] = read_only
    executor = cfg.get("executor", "thread")
    if executor not in EXECUTORS:
        raise _bad(where, "executor", "thread, process or dask", executor)
    out["executor"] = executor
    out["name"] = _string(cfg, where, "name") or root.name
    out["scheduler"] = _string(cfg, where, "scheduler", "an address string such as 'tcp://host:8786'")
    out["timezone"] = _string(cfg, where, "timezone", "a time zone name such as 'Europe/Paris'")
    state_dir = _string(cfg, where, "state_dir", "a path (a string)")
    out["state_dir"] = root / state_dir if state_dir else None
    pipelines = _string(cfg, where, "pipelines", "a path (a string)")
    out["pipelines_dir"] = root / (pipelines or "pipelines")
    if pipelines is not None and not out["pipelines_dir"].is_dir():
        raise ProjectError(
            f"{where}: pipelines = {_shown(pipelines)}: no such directory {out['pipelines_dir']}"
        )
    return out
