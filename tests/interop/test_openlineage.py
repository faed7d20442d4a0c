"""OpenLineage: each task's START and COMPLETE/FAIL reach a collector; lineage never fails a run."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from interop_project import TRAIN

pytest.importorskip("openlineage.client")

PIPE = '''
from console import Pipeline

p = Pipeline("etl", params={"path": "in.csv"})

@p.task
def extract(path):
    print("[bold]read[/]", path)
    return [1, 2, 3]

@p.task
def load(extract):
    return sum(extract)

@p.task
def boom(load):
    raise ValueError("no [/] such \\x1b[31m thing")
'''


class _Collector(BaseHTTPRequestHandler):
    events: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).events.append({"path": self.path, **json.loads(body)})
        self.send_response(201)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    handler = type("Handler", (_Collector,), {"events": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler.events
    server.shutdown()
    server.server_close()


def _config(project: Any, line: str) -> None:
    (project.root / "opsconsole.toml").write_text(f"name = \"lin\"\n{line}\n")


def test_http_collector_receives_start_and_end_of_every_task(project: Any, collector: Any) -> None:
    url, events = collector
    _config(project, f'lineage = {{ transport = "http", url = "{url}" }}')
    project.write("etl.py", PIPE)
    proc = project.cli("run", "etl", check=1)  # boom fails; lineage does not change the outcome
    assert "ValueError" in proc.stdout + proc.stderr
    by_job = {(e["job"]["name"], e["eventType"]) for e in events}
    assert by_job >= {("etl.extract", "START"), ("etl.extract", "COMPLETE"), ("etl.load", "START"),
                      ("etl.load", "COMPLETE"), ("etl.boom", "START"), ("etl.boom", "FAIL")}
    assert all(e["path"] == "/api/v1/lineage" for e in events)
    load = next(e for e in events if e["job"]["name"] == "etl.load" and e["eventType"] == "COMPLETE")
    assert [d["name"] for d in load["inputs"]] == ["etl.extract"]
    assert [d["name"] for d in load["outputs"]] == ["etl.load"]
    assert load["job"]["namespace"] == "opsconsole://lin"
    parent = load["run"]["facets"]["parent"]
    assert parent["job"]["name"] == "etl"
    starts = {e["run"]["runId"] for e in events if e["job"]["name"] == "etl.load"}
    assert len(starts) == 1  # START and COMPLETE of one task share its runId
    fail = next(e for e in events if e["eventType"] == "FAIL")
    assert "no [/] such" in fail["run"]["facets"]["errorMessage"]["message"]
    extract = next(e for e in events if e["job"]["name"] == "etl.extract" and e["eventType"] == "START")
    assert any(d["namespace"] == "file" and d["name"].endswith("in.csv") for d in extract["inputs"])


def test_registered_models_are_outputs(trained_with_lineage: Any) -> None:
    _project, path = trained_with_lineage
    events = [json.loads(line) for line in path.read_text().splitlines()]
    done = next(e for e in events if e["job"]["name"] == "train.model" and e["eventType"] == "COMPLETE")
    assert {"namespace": "opsconsole://lin/models", "name": "iris/v1"}.items() <= next(
        d for d in done["outputs"] if d["namespace"].endswith("/models")
    ).items()


@pytest.fixture
def trained_with_lineage(project: Any) -> tuple[Any, Path]:
    _config(project, 'lineage = { transport = "file", path = "lineage/events.jsonl" }')
    project.write("train.py", TRAIN)
    project.cli("run", "train", check=0)
    return project, project.root / "lineage" / "events.jsonl"


def test_an_unreachable_collector_never_fails_the_run(project: Any) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    _config(project, f'lineage = {{ transport = "http", url = "http://127.0.0.1:{port}" }}')
    project.write("ok.py", "from console import Pipeline\np = Pipeline('ok')\n@p.task\ndef a():\n    return 1\n")
    run = project.cli_json("run", "ok")
    assert run["status"] == "succeeded"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('lineage = "yes"', "lineage must be a table"),
        ('lineage = { transport = "kafka" }', 'must be "file" or "http"'),
        ('lineage = { transport = "http", url = "ftp://x" }', "needs url"),
        ('lineage = { transport = "file" }', "needs path"),
    ],
)
def test_a_bad_lineage_config_is_one_line_exit_2(project: Any, line: str, message: str) -> None:
    _config(project, line)
    project.write("ok.py", "from console import Pipeline\np = Pipeline('ok')\n@p.task\ndef a():\n    return 1\n")
    proc = project.cli("run", "ok", check=2)
    assert message in proc.stderr and proc.stderr.count("\n") == 1
