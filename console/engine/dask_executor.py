"""Tasks on a Dask distributed cluster, through ``Client.get_executor()``.

``executor = "dask"`` with ``scheduler = "tcp://host:8786"`` in the project config (or
``--executor dask --scheduler ...``) connects to an existing cluster; without a scheduler
address a ``LocalCluster`` of worker processes is started. The runner stays the single
writer of the store: workers receive the pipeline's source and send back results, log
lines, metrics and models (see ``remote.py``). Needs the ``ops-console[dask]`` extra.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import Executor
from typing import Any

from console.errors import UsageError


class DaskExecutor(Executor):
    """A ``concurrent.futures`` executor over a Dask client that also owns the client."""

    def __init__(self, client: Any, cluster: Any = None) -> None:
        self.client = client
        self.cluster = cluster
        self._inner = client.get_executor(pure=False)

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        return self._inner.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        try:
            self._inner.shutdown(wait=wait)
        finally:
            self.client.close()
            if self.cluster is not None:
                self.cluster.close()


def dask_executor(scheduler: str | None, workers: int | None = None) -> DaskExecutor:
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise UsageError("executor 'dask' needs Dask distributed: pip install 'ops-console[dask]'") from exc
    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as exc:
            raise UsageError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
        return DaskExecutor(client)
    import dask

    # a task that kills its worker fails at once; the engine's own retries decide what next
    dask.config.set({"distributed.scheduler.allowed-failures": 0})
    cluster = LocalCluster(
        n_workers=workers or min(2, os.cpu_count() or 1),
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.CRITICAL,
    )  # task failures are ours to report
    return DaskExecutor(Client(cluster), cluster)
