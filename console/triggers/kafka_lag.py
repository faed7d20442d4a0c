"""Lag-triggered runs: pipelines whose ``watch=`` is ``kafka_lag(...)`` run when enough is waiting.

The service calls :meth:`KafkaLagTriggers.step` every tick. Asking the broker for offsets can
take a while (or time out when it is down), so each check runs on its own short-lived thread
and the step only reads the last answer: a slow broker never holds up schedules or files.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from console.engine.pipeline import Pipeline

Decide = Callable[..., None]


class KafkaLagTriggers:
    """One lag check per watching pipeline every ``every_s``; a run when lag >= ``min_messages``."""

    def __init__(self, warehouse: Path, *, decide: Decide, launch: Callable[..., Any],
                 free: Callable[[str, int], int]) -> None:
        self.warehouse = warehouse
        self.decide, self.launch, self.free = decide, launch, free
        self.last_check: dict[str, float] = {}
        self.results: dict[str, int | str] = {}
        self._inflight: dict[str, threading.Thread] = {}
        self._lock = threading.Lock()

    @staticmethod
    def watching(pipelines: dict[str, Pipeline]) -> dict[str, Any]:
        return {n: p.watch for n, p in pipelines.items() if hasattr(p.watch, "min_messages")}

    def step(self, pipelines: dict[str, Pipeline], now: float) -> None:
        watching = self.watching(pipelines)
        for name, trigger in watching.items():
            with self._lock:
                answer = self.results.pop(name, None)
            if isinstance(answer, str):
                self.decide("kafka", f"{name}: lag check failed: {answer}", name)
            elif (
                answer is not None
                and answer >= trigger.min_messages
                and self.free(name, pipelines[name].max_concurrent) > 0
            ):
                runner = self.launch(name, {}, "kafka")
                self.decide("kafka", f"{name}: {trigger.source.topic} lag {answer:,} >= "
                            f"{trigger.min_messages:,}; run {runner.run_id}", name, runner.run_id)
            busy = name in self._inflight and self._inflight[name].is_alive()
            if not busy and now - self.last_check.get(name, float("-inf")) >= trigger.every_s:
                self.last_check[name] = now
                thread = threading.Thread(target=self._check, args=(name, trigger), daemon=True,
                                          name=f"kafka-lag-{name}")
                self._inflight[name] = thread
                thread.start()

    def _check(self, name: str, trigger: Any) -> None:
        from console.streaming.lag import partition_lag

        try:
            lag: int | str = sum(p["lag"] for p in partition_lag(trigger.source, self.warehouse, timeout=5.0))
        except Exception as exc:  # noqa: BLE001 - reported as a decision; the next check tries again
            lag = str(exc)
        with self._lock:
            self.results[name] = lag

    def wait(self, timeout: float = 10.0) -> None:
        """Wait for checks in flight (tests and shutdown)."""
        for thread in list(self._inflight.values()):
            thread.join(timeout)
