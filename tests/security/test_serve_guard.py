"""`serve` against DNS rebinding and friends: forged Host/Origin, missing token, token in logs, session cap.

A raw aiohttp client plays the attacker's page: it connects to 127.0.0.1 but sends the
headers a browser sends after DNS rebinding (``Host: evil.example:PORT`` and a matching
``Origin``).
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("textual_serve")
from aiohttp import ClientSession, WSServerHandshakeError  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "a-token-for-the-guard-tests"
SMALL = """
from console import Pipeline
p = Pipeline("small")

@p.task
def a():
    return 1
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Served:
    def __init__(self, project: Any, *args: str) -> None:
        project.write("small.py", SMALL)
        self.port = free_port()
        env = {
            **os.environ,
            "OPSCONSOLE_HOME": str(project.root / ".opsconsole"),
            "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": str(ROOT),
        }
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "console",
                "--project",
                str(project.root),
                "serve",
                "--port",
                str(self.port),
                *args,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        assert self.proc.stdout is not None
        self.first_line = self.proc.stdout.readline()  # "opsconsole serve: URL", printed once listening
        assert "opsconsole serve: http" in self.first_line, self.first_line + self.stop()
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(300):  # on_startup prints just before the socket listens
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)

    def stop(self) -> str:
        self.proc.terminate()
        try:
            out, _ = self.proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        return out or ""


def request(url: str, headers: dict[str, str]) -> tuple[int, str]:
    async def go() -> tuple[int, str]:
        async with ClientSession() as http, http.get(url, headers=headers) as response:
            return response.status, await response.text()

    return asyncio.run(go())


def ws_status(url: str, headers: dict[str, str]) -> int:
    """101 when the upgrade is accepted (the socket is closed at once), else the refusal's status."""

    async def go() -> int:
        async with ClientSession() as http:
            try:
                async with http.ws_connect(url, headers=headers):
                    return 101
            except WSServerHandshakeError as exc:
                return exc.status

    return asyncio.run(go())


@pytest.fixture
def loopback(project: Any) -> Any:
    served = Served(project, "--token", TOKEN)
    yield served
    served.stop()


def test_a_rebound_host_is_refused_even_with_the_token(loopback: Served) -> None:
    evil = f"evil.example:{loopback.port}"
    status, body = request(f"{loopback.base}/?token={TOKEN}", {"Host": evil})
    assert status == 421 and "evil.example" not in body
    headers = {"Host": evil, "Origin": f"http://{evil}", "Cookie": f"opsconsole_token={TOKEN}"}
    assert ws_status(f"{loopback.base}/ws?token={TOKEN}", headers) == 421
    # The same request under the loopback name gets the page: the Host check is what refused it.
    assert request(f"{loopback.base}/?token={TOKEN}", {"Host": f"127.0.0.1:{loopback.port}"})[0] == 200
    assert request(f"{loopback.base}/?token={TOKEN}", {"Host": f"localhost:{loopback.port}"})[0] == 200


def test_a_foreign_origin_is_refused_on_an_allowed_host(loopback: Served) -> None:
    host = f"127.0.0.1:{loopback.port}"
    headers = {"Host": host, "Origin": "http://evil.example", "Cookie": f"opsconsole_token={TOKEN}"}
    assert ws_status(f"{loopback.base}/ws", headers) == 403


def test_loopback_requires_the_token_too(loopback: Served) -> None:
    host = {"Host": f"127.0.0.1:{loopback.port}"}
    assert request(f"{loopback.base}/", host)[0] == 403
    assert request(f"{loopback.base}/static/css/xterm.css", host)[0] == 403
    origin = {**host, "Origin": f"http://127.0.0.1:{loopback.port}"}
    assert ws_status(f"{loopback.base}/ws", origin) == 403


def test_loopback_prints_a_generated_token_and_no_token_turns_it_off(project: Any) -> None:
    served = Served(project)
    try:
        assert "/?token=" in served.first_line
        token = served.first_line.split("?token=", 1)[1].strip()
        assert len(token) >= 16
        assert request(f"{served.base}/?token={token}", {})[0] == 200
    finally:
        out = served.stop()
    # The access log records the request without the token.
    assert "GET /?token=***" in out and token not in out, out
    served = Served(project, "--no-token")
    try:
        assert "token" not in served.first_line
        assert request(f"{served.base}/", {})[0] == 200
        assert request(f"{served.base}/", {"Host": f"evil.example:{served.port}"})[0] == 421
    finally:
        served.stop()


def test_allow_host_and_public_url_names_are_accepted(project: Any) -> None:
    served = Served(
        project, "--token", TOKEN, "--allow-host", "console.lan", "--public-url", "https://ops.example.org"
    )
    try:
        for name in ("console.lan", "ops.example.org", "CONSOLE.LAN"):
            assert request(f"{served.base}/?token={TOKEN}", {"Host": f"{name}:{served.port}"})[0] == 200
        assert request(f"{served.base}/?token={TOKEN}", {"Host": "other.lan"})[0] == 421
    finally:
        served.stop()


def test_no_token_off_loopback_and_a_bad_session_cap_are_usage_errors(project: Any) -> None:
    project.write("small.py", SMALL)
    for args in (
        ["--host", "0.0.0.0", "--no-token"],
        ["--max-sessions", "0"],
        ["--no-token", "--token", TOKEN],
    ):
        proc = project.cli("serve", "--port", str(free_port()), *args, timeout=60)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        assert proc.stderr.count("\n") == 1, proc.stderr


def test_max_sessions_caps_the_consoles(project: Any) -> None:
    served = Served(project, "--token", TOKEN, "--max-sessions", "1")
    headers = {"Host": f"127.0.0.1:{served.port}", "Cookie": f"opsconsole_token={TOKEN}"}

    async def go() -> tuple[int, int]:
        async with ClientSession() as http:
            async with http.ws_connect(f"{served.base}/ws", headers=headers) as first:
                try:
                    async with http.ws_connect(f"{served.base}/ws", headers=headers):
                        second = 101
                except WSServerHandshakeError as exc:
                    second = exc.status
                await first.close()
            # Once the first console closed, a new one may open.
            for _ in range(100):
                try:
                    async with http.ws_connect(f"{served.base}/ws", headers=headers):
                        return second, 101
                except WSServerHandshakeError as exc:
                    third = exc.status
                    await asyncio.sleep(0.2)
            return second, third

    try:
        second, third = asyncio.run(go())
    finally:
        served.stop()
    assert second == 503
    assert third == 101


def test_the_guard_pieces_directly() -> None:
    from console.headless.web_guard import allowed_hosts, host_allowed, host_name

    allowed = allowed_hosts("0.0.0.0", "http://box.example:8000", ["lan-name"])
    assert host_name("[::1]:8000") == "::1" and host_name("Box.Example:80") == "box.example"
    assert host_allowed("127.0.0.2:9", allowed) and host_allowed("[::1]:9", allowed)
    assert host_allowed("box.example:8000", allowed) and host_allowed("lan-name", allowed)
    assert not host_allowed("evil.example:8000", allowed) and not host_allowed("", allowed)
    assert not host_allowed("localhost.evil.example", allowed)


def test_an_ip_literal_host_is_not_rebinding(project: Any) -> None:
    # DNS rebinding needs a name the attacker controls; a Host that is an address was typed as one
    served = Served(project, "--token", TOKEN)
    try:
        assert request(f"{served.base}/?token={TOKEN}", {"Host": f"10.1.2.3:{served.port}"})[0] == 200
        assert request(f"{served.base}/?token={TOKEN}", {"Host": f"[fe80::1]:{served.port}"})[0] == 200
        assert request(f"{served.base}/?token={TOKEN}", {"Host": f"evil.example:{served.port}"})[0] == 421
    finally:
        served.stop()
