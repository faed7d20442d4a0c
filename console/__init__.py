"""ops-console: a terminal operations console for data and ML pipelines."""

from console.engine.context import Context
from console.engine.pipeline import Pipeline

__all__ = ["Context", "Pipeline", "__version__"]
__version__ = "0.1.0"
