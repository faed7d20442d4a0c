"""The engine: pipeline API, discovery, DAG, runner, retries, timeouts, cancel, events.

Imports neither textual nor pandas nor sklearn at module level.
"""

from console.engine.context import Context
from console.engine.pipeline import Pipeline, TaskSpec

__all__ = ["Context", "Pipeline", "TaskSpec"]
