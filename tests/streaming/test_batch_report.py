"""The ``kafka.batch`` event's figures per partition."""

from __future__ import annotations

import pandas as pd

from console.streaming.batch_report import batch_report
from console.streaming.kafka import kafka


def report(frame: pd.DataFrame) -> dict[int, int]:
    data = batch_report(kafka("t"), {0: 0, 1: 5, 2: 9}, {}, {0: 1, 1: 5, 2: 12}, {0: 1, 1: 5, 2: 11}, frame, [])
    assert data["rows"] == len(frame)
    return {p["partition"]: p["rows"] for p in data["partitions"]}


def test_rows_are_counted_per_partition() -> None:
    frame = pd.DataFrame({"_kafka_partition": pd.Series([0, 2, 2], dtype="int32"), "x": [1, 2, 3]})
    assert report(frame) == {0: 1, 1: 0, 2: 2}


def test_a_partition_column_a_transform_changed_is_still_counted() -> None:
    assert report(pd.DataFrame({"_kafka_partition": [2.0, None, 0.0]})) == {0: 1, 1: 0, 2: 1}
    assert report(pd.DataFrame({"x": [1, 2]})) == {0: 0, 1: 0, 2: 0}  # dropped: the batch's rows only
    assert report(pd.DataFrame({"_kafka_partition": pd.Series([], dtype="int32")})) == {0: 0, 1: 0, 2: 0}
