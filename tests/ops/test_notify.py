"""Notifications: Apprise to a local HTTP receiver, stored deliveries, no duplicates, retries, rate limit."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


class Receiver:
    """A webhook receiver on 127.0.0.1 that keeps what it was sent."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.posts.append({"path": self.path, **json.loads(body or b"{}")})
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def configure(project: Any, rules: str) -> None:
    (project.root / "opsconsole.toml").write_text("[notify]\n" + rules)


def test_a_failed_run_notifies_once_and_the_delivery_is_stored(ops_project: Any, receiver: Receiver) -> None:
    configure(ops_project, f'"run.failed" = ["json://127.0.0.1:{receiver.port}/hook"]\n'
                           f'"task.retries_exhausted" = "$OPS_HOOK"\n')
    env = {"OPS_HOOK": f"json://127.0.0.1:{receiver.port}/env"}
    ops_project.cli("run", "flaky", check=1, env=env)
    paths = sorted(p["path"] for p in receiver.posts)
    assert paths == ["/env", "/hook"]
    hook = next(p for p in receiver.posts if p["path"] == "/hook")
    assert "run.failed" in hook["title"] and "flaky" in hook["title"]
    rows = ops_project.cli_json("notifications")
    assert sorted((r["event"], r["target"], r["status"]) for r in rows) == [
        ("run.failed", f"json://127.0.0.1:{receiver.port}/hook", "sent"),
        ("task.retries_exhausted", "$OPS_HOOK", "sent"),  # the name is stored, never the secret URL
    ]
    # another process with a notifier (a restart) sends nothing twice
    ops_project.cli("run", "other_pipe", check=0, env=env)
    assert len(receiver.posts) == 2
    assert "sent" in ops_project.cli("notifications", check=0).stdout


def test_an_unreachable_url_is_recorded_failed_retried_with_backoff_and_the_run_is_unaffected(
    ops_project: Any, make_engine: Any
) -> None:
    from console.store.notifications import list_notifications
    from console.triggers.notifier import Notifier

    port = dead_port()
    configure(ops_project, f'"run.succeeded" = ["json://127.0.0.1:{port}/hook"]\n')
    run = ops_project.cli_json("run", "other_pipe")
    assert run["status"] == "succeeded"
    engine = make_engine()
    [row] = list_notifications(engine.store.db)
    assert row["status"] == "retry" and row["attempts"] == 1 and row["error"] and row["next_at"]
    t = [0.0]
    notifier = Notifier.for_project(engine.project, engine.store, clock=lambda: t[0], max_attempts=3)
    t[0] = 10**10  # far past any backoff
    notifier.step()
    assert list_notifications(engine.store.db)[0]["attempts"] == 2
    notifier.step(t[0])  # backoff not over yet: nothing attempted
    assert list_notifications(engine.store.db)[0]["attempts"] == 2
    t[0] += 10**4
    notifier.step()
    [row] = list_notifications(engine.store.db)
    assert row["status"] == "failed" and "gave up after 3 attempts" in row["error"]


def test_rate_limit_per_rule_and_unknown_rules_named_by_the_service(ops_project: Any, make_engine: Any) -> None:
    from console.store.notifications import list_notifications
    from console.store.runs import create_run
    from console.triggers.notifier import Notifier
    from console.triggers.service import Service

    configure(ops_project, '"run.failed" = ["json://127.0.0.1:9/x"]\n"run.exploded" = ["json://x"]\n'
                           '"check.failed" = 5\nrate_limit = 2\n')
    engine = make_engine()
    svc = Service(engine)
    svc.load()
    messages = [d.message for d in svc.decisions]
    assert any("notify rule 'run.exploded' ignored: unknown event" in m for m in messages)
    assert any("notify rule 'check.failed' ignored: expected a URL" in m for m in messages)
    sent: list[str] = []
    notifier = Notifier.for_project(engine.project, engine.store, send=lambda url, title, body: sent.append(body))
    notifier.begin()
    db = engine.store.db
    for _ in range(5):
        run_id = create_run(db, "flaky", trigger="manual", params={}, tasks=[])
        db.execute(
            "INSERT INTO events (at, run_id, kind, status, data) VALUES (0, ?, 'run.finished', 'failed', ?)",
            (run_id, json.dumps({"pipeline": "flaky", "error": "[bold]x[/] \x1b[31m"})),
        )
    notifier.step()
    notifier.step()
    statuses = sorted(r["status"] for r in list_notifications(db))
    assert statuses == ["sent", "sent", "suppressed", "suppressed", "suppressed"]
    assert len(sent) == 2 and "[bold]x[/]" in sent[0]


def test_an_unset_environment_variable_or_bad_url_fails_at_once(ops_project: Any, make_engine: Any) -> None:
    from console.store.notifications import list_notifications

    configure(ops_project, '"run.succeeded" = ["$OPS_NOT_SET_ANYWHERE", "nonsense://x"]\n')
    ops_project.cli("run", "other_pipe", check=0)
    rows = {r["target"]: r for r in list_notifications(make_engine().store.db)}
    assert rows["$OPS_NOT_SET_ANYWHERE"]["status"] == "failed"
    assert "environment variable OPS_NOT_SET_ANYWHERE is not set" in rows["$OPS_NOT_SET_ANYWHERE"]["error"]
    assert rows["nonsense://x"]["status"] == "failed" and "not a valid Apprise URL" in rows["nonsense://x"]["error"]
