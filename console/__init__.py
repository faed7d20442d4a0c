"""ops-console: a terminal operations console for data and ML pipelines."""

from console.engine.context import Context
from console.engine.pipeline import Pipeline

__all__ = ["Better", "Context", "Pipeline", "__version__", "open_project", "run", "runs", "sql"]
_SCRIPTING = ("open_project", "run", "runs", "sql")
__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    # ``from console import Better`` without importing the registry on every ``import console``
    if name == "Better":
        from console.registry.gate import Better

        return Better
    if name in _SCRIPTING:
        from console import scripting

        return getattr(scripting, name)
    if name == "registry":
        import importlib

        return importlib.import_module("console.registry")
    raise AttributeError(f"module 'console' has no attribute {name!r}")
