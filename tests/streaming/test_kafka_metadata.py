"""The topic's metadata: a refused connection is given up on early, a slow broker gets the whole timeout."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

pytest.importorskip("confluent_kafka")

from confluent_kafka import KafkaError, KafkaException  # noqa: E402

from console.errors import StreamingError  # noqa: E402

K = importlib.import_module("console.streaming.kafka")  # the module (the package exports a function kafka)


class Failing:
    def __init__(self, code: int) -> None:
        self.code, self.calls = code, 0

    def list_topics(self, topic: str, timeout: float) -> Any:
        self.calls += 1
        raise KafkaException(KafkaError(self.code, "Failed to get metadata"))


@pytest.fixture
def ticking(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give up on refusals after 0.05 s, on a clock that moves 0.02 s each time it is read."""
    monkeypatch.setattr(K, "REFUSED_S", 0.05)
    clock = iter(i * 0.02 for i in range(10_000))
    monkeypatch.setattr(K.time, "monotonic", lambda: next(clock))


@pytest.mark.usefixtures("ticking")
def test_a_refused_broker_is_given_up_on_before_the_timeout() -> None:
    consumer = Failing(KafkaError._TRANSPORT)
    with pytest.raises(StreamingError, match="cannot read topic 't'"):
        K.partitions(consumer, K.kafka("t", brokers="127.0.0.1:1"), timeout=100.0)
    assert consumer.calls <= 5  # ~REFUSED_S of tries, not the 100 s timeout's


@pytest.mark.usefixtures("ticking")
def test_a_slow_broker_gets_the_whole_timeout() -> None:
    consumer = Failing(KafkaError._TIMED_OUT)
    with pytest.raises(StreamingError, match="cannot read topic"):
        K.partitions(consumer, K.kafka("t", brokers="127.0.0.1:1"), timeout=1.0)
    assert consumer.calls >= 20  # retried until the timeout, past REFUSED_S
