"""Kafka test helpers: create a topic and produce to it (the broker fixture is in conftest.py)."""

from __future__ import annotations

from typing import Any


def create_topic(brokers: str, topic: str, partitions: int = 3) -> None:
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({"bootstrap.servers": brokers})
    for future in admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)]).values():
        future.result(15)


def produce(brokers: str, topic: str, values: list[bytes], *, one_per_batch: bool = False) -> None:
    """Produce ``values`` keyed by index. Tansu reports a partition's log end as its last record
    batch's base offset + 1, so tests that read lag send one record per batch."""
    from confluent_kafka import Producer

    config = {"bootstrap.servers": brokers, "linger.ms": 0 if one_per_batch else 5}
    if one_per_batch:
        config["batch.num.messages"] = 1
    producer = Producer(config)
    for i, value in enumerate(values):
        while True:
            try:
                producer.produce(topic, value, key=str(i).encode())
                break
            except BufferError:
                producer.poll(0.05)
        if i % 5000 == 0:
            producer.poll(0)
    assert producer.flush(30) == 0


def rows(project: Any, query: str) -> list[tuple[Any, ...]]:
    """``query`` on the project's warehouse, read-only."""
    import duckdb

    con = duckdb.connect(str(project.root / ".opsconsole" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def drain_exactly_once(project: Any, total: int, attempts: int) -> None:
    """After the kills: run ``stream`` until three runs in a row land nothing new (Tansu pauses
    ~1 s), then every message is in ``events`` exactly once, the offsets say so, and no run a
    kill left behind still says running."""

    def landed() -> int:
        warehouse = project.root / ".opsconsole" / "warehouse.duckdb"
        if not warehouse.exists() or not rows(project, "FROM information_schema.tables WHERE table_name = 'events'"):
            return 0  # killed before the first batch committed
        return int(rows(project, "SELECT count(*) FROM events")[0][0])

    empty = 0
    for _ in range(attempts):
        before = landed()
        if before >= total:
            break
        project.cli("run", "stream", check=0)
        empty = empty + 1 if landed() == before else 0
        if empty == 3:
            break
    count, distinct, keys = rows(project, "SELECT count(*), count(DISTINCT n), "
                                          "count(DISTINCT (_kafka_partition, _kafka_offset)) FROM events")[0]  # fmt: skip
    assert (count, distinct, keys) == (total, total, total)
    assert rows(project, "SELECT sum(next_offset) FROM kafka_offsets")[0][0] == total
    assert not project.cli_json("runs", "--status", "running")


def kill_runs(project: Any, times: int, *, seed: int, attempts: int, group: bool = False) -> None:
    """Start ``opsconsole run stream`` again and again and kill -9 it at a random moment until it
    was killed ``times`` times while still going (start-up is 0.5-3 s and a batch ends at the log
    end: kills land before, during and after writes). ``group``: the driver and its pool's
    workers at once."""
    import os
    import random
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {**{k: v for k, v in os.environ.items() if k != "OPSCONSOLE_HOME"}, "PYTHONPATH": str(root)}
    cmd = [sys.executable, "-m", "console", "--project", str(project.root), "run", "stream"]
    rng = random.Random(seed)
    kills = 0
    for _ in range(attempts):
        if kills == times:
            break
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                stdin=subprocess.DEVNULL, start_new_session=group)  # fmt: skip
        time.sleep(rng.uniform(0.5, 4.0))
        if proc.poll() is None:
            if group:
                os.killpg(proc.pid, signal.SIGKILL)
            else:
                proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(30)
    assert kills == times, f"only {kills} runs were still going when killed"
