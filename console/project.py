"""Finding the project root and reading ``[tool.opsconsole]`` / ``opsconsole.toml``."""

from __future__ import annotations

import os
import subprocess
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from console.errors import ProjectError
from console.project_config import validated

KNOWN_KEYS = {
    "pipelines",
    "max_workers",
    "executor",
    "scheduler",
    "timezone",
    "state_dir",
    "name",
    "read_only",
    "lineage",
    "import_timeout",
}


@dataclass
class Project:
    """A project root and its settings."""

    root: Path
    name: str
    pipelines_dir: Path
    max_workers: int = 8
    executor: str = "thread"
    scheduler: str | None = None
    timezone: str | None = None
    state_dir: Path | None = None
    read_only: bool = False
    import_timeout: float = 10.0  # seconds a pipeline module's top level may take
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def home(self) -> Path:
        env = os.environ.get("OPSCONSOLE_HOME")
        if env:
            return Path(env)
        return self.state_dir or self.root / ".opsconsole"

    def git_commit(self) -> str | None:
        """The project's HEAD commit when it is a git work tree (no subprocess otherwise)."""
        git_dir = self.root / ".git"
        if not git_dir.exists():
            return None
        try:
            out = subprocess.run(
                ["git", "-C", str(self.root), "rev-parse", "HEAD"],
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout.strip() or None if out.returncode == 0 else None


def is_project_dir(path: Path) -> bool:
    if (path / "opsconsole.toml").is_file() or (path / "pipelines").is_dir():
        return True
    pyproject = path / "pyproject.toml"
    if pyproject.is_file():
        try:
            return "opsconsole" in tomllib.loads(pyproject.read_text()).get("tool", {})
        except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError):
            return False
    return False


def find_root(start: Path) -> Path:
    start = start.resolve()
    for path in (start, *start.parents):
        if is_project_dir(path):
            return path
    raise ProjectError(
        f"no ops-console project in {start} or above (looked for pipelines/, opsconsole.toml, "
        "or [tool.opsconsole] in pyproject.toml); pass --project DIR"
    )


def read_config(root: Path) -> dict[str, Any]:
    for name, section in (("opsconsole.toml", None), ("pyproject.toml", ("tool", "opsconsole"))):
        path = root / name
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text())
        except tomllib.TOMLDecodeError as exc:
            raise ProjectError(f"{path}: not valid TOML ({exc})") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise ProjectError(f"{path}: cannot read ({exc})") from exc
        if section:
            for key in section:
                data = data.get(key, {}) if isinstance(data, dict) else {}
            if not data and name == "pyproject.toml":
                continue
        if not isinstance(data, dict):
            raise ProjectError(f"{path}: [tool.opsconsole] must be a table")
        return data
    return {}


def load_project(project_dir: str | Path | None = None) -> Project:
    """The project at ``project_dir`` (must exist) or found upward from the current directory."""
    if project_dir is not None:
        root = Path(project_dir).resolve()
        if not root.is_dir():
            raise ProjectError(f"{root}: no such project directory")
    else:
        root = find_root(Path.cwd())
    cfg = read_config(root)
    unknown = set(cfg) - KNOWN_KEYS
    extra = {k: cfg[k] for k in unknown}
    if "lineage" in cfg:
        extra["lineage"] = cfg["lineage"]
    settings = validated(cfg, config_file(root) or root, root)
    import_timeout = cfg.get("import_timeout", 10.0)
    if isinstance(import_timeout, bool) or not isinstance(import_timeout, int | float) or not (
        0 < import_timeout <= 3600
    ):
        raise ProjectError(f"{root}: import_timeout must be a number of seconds between 0 and 3600")
    return Project(root=root, extra=extra, import_timeout=float(import_timeout), **settings)


def config_file(root: Path) -> Path | None:
    """The file the settings come from (for error messages), or None when there is none."""
    if (root / "opsconsole.toml").is_file():
        return root / "opsconsole.toml"
    if (root / "pyproject.toml").is_file():
        return root / "pyproject.toml"
    return None
