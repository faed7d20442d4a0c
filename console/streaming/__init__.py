"""Streaming sources: Kafka micro-batches into the warehouse, exactly once (``kafka.py``)."""

from console.streaming.kafka import KafkaSource, kafka
from console.streaming.lag import KafkaLag, kafka_lag

__all__ = ["KafkaLag", "KafkaSource", "kafka", "kafka_lag"]
