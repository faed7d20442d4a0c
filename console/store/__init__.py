"""SQLite state, the batching writer and the content-addressed artifact store.

Imports only the standard library, so the headless CLI starts fast.
"""

from console.store.artifacts import ArtifactStore
from console.store.db import Database
from console.store.state import Store
from console.store.writer import Writer

__all__ = ["ArtifactStore", "Database", "Store", "Writer"]
