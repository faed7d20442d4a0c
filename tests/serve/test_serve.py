"""`opsconsole serve`: the console rendered in headless Chromium; the token and origin guards."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("textual_serve")

SMALL = """
from console import Pipeline
p = Pipeline("small", description="one task")

@p.task
def a():
    return 1
"""

CHROMIUM = next((b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)

# Record what the console sends through the page's websocket, so the test can read the screen.
CAPTURE = """
(() => {
  const Native = window.WebSocket;
  window.__screen = [];
  const decoder = new TextDecoder();
  window.WebSocket = function (url, protocols) {
    const ws = new Native(url, protocols);
    ws.addEventListener("message", (event) => {
      const data = event.data;
      if (data instanceof ArrayBuffer) window.__screen.push(decoder.decode(data));
      else if (data instanceof Blob) data.arrayBuffer().then((b) => window.__screen.push(decoder.decode(b)));
      else window.__screen.push(String(data));
    });
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, Native);
})();
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[str], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(
                f"serve exited {proc.returncode}: {proc.stdout.read() if proc.stdout else ''}"
            )
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


def start_serve(project, *args: str) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    env = {**os.environ, "OPSCONSOLE_HOME": str(project.root / ".opsconsole"), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "console",
            "--project",
            str(project.root),
            "serve",
            "--port",
            str(port),
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    wait_for_port(port, proc)
    return proc, port


def stop(proc: subprocess.Popen[str]) -> str:
    proc.terminate()
    try:
        out, _ = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out or ""


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - local test server
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


@pytest.fixture
def served(project) -> Iterator[tuple[subprocess.Popen[str], int]]:
    project.write("small.py", SMALL)
    proc, port = start_serve(project, "--host", "0.0.0.0", "--token", "s3cret-token-for-tests")
    yield proc, port
    stop(proc)


def test_off_loopback_a_wrong_or_missing_token_is_refused(served) -> None:
    _, port = served
    base = f"http://127.0.0.1:{port}"
    assert get(f"{base}/")[0] == 403
    status, _, body = get(f"{base}/?token=wrong-token-wrong-token")
    assert status == 403 and "token is required" in body
    assert get(f"{base}/static/css/xterm.css")[0] == 403
    status, headers, body = get(f"{base}/?token=s3cret-token-for-tests")
    assert status == 200 and "textual-terminal" in body
    cookie = headers["Set-Cookie"].split(";")[0]
    assert "HttpOnly" in headers["Set-Cookie"] and "SameSite=Strict" in headers["Set-Cookie"]
    assert get(f"{base}/static/css/xterm.css", {"Cookie": cookie})[0] == 200
    upgrade = {
        "Cookie": cookie,
        "Origin": "http://evil.example",
        "Connection": "Upgrade",
        "Upgrade": "websocket",
    }
    status, _, body = get(f"{base}/ws", upgrade)
    assert status == 403 and "origin" in body


def test_serve_prints_a_token_url_everywhere_unless_no_token_on_loopback(project) -> None:
    project.write("small.py", SMALL)
    proc, _ = start_serve(project, "--host", "0.0.0.0")
    out = stop(proc)
    assert "?token=" in out, out
    proc, port = start_serve(project)
    out = stop(proc)
    assert f"http://127.0.0.1:{port}/?token=" in out, out
    proc, port = start_serve(project, "--no-token")
    out = stop(proc)
    assert f"http://127.0.0.1:{port}/\n" in out and "token" not in out, out


async def _cdp_render(debug_port: int, url: str, shot: Path, timeout: float) -> str:
    from aiohttp import ClientSession

    async with ClientSession() as http:
        deadline = time.monotonic() + 20
        while True:
            try:
                async with http.get(f"http://127.0.0.1:{debug_port}/json/list") as response:
                    targets = [t for t in await response.json() if t.get("type") == "page"]
                if targets:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("chromium exposed no page to DevTools")
            await asyncio.sleep(0.2)
        async with http.ws_connect(targets[0]["webSocketDebuggerUrl"], max_msg_size=0) as ws:
            ids = iter(range(1, 10_000))

            async def call(method: str, **params: object) -> dict:
                number = next(ids)
                await ws.send_json({"id": number, "method": method, "params": params})
                while True:
                    message = json.loads((await ws.receive()).data)
                    if message.get("id") == number:
                        return message.get("result", {})

            await call("Page.enable")
            await call("Page.addScriptToEvaluateOnNewDocument", source=CAPTURE)
            await call(
                "Emulation.setDeviceMetricsOverride",
                width=1280,
                height=800,
                deviceScaleFactor=1,
                mobile=False,
            )
            await call("Page.navigate", url=url)
            screen = ""
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                result = await call("Runtime.evaluate", expression="(window.__screen || []).join('')")
                screen = result.get("result", {}).get("value", "") or ""
                if "Runs" in screen and "small" in screen:
                    break
                await asyncio.sleep(0.5)
            await asyncio.sleep(1.0)  # let the terminal paint what arrived
            picture = await call("Page.captureScreenshot", format="png")
            shot.write_bytes(base64.b64decode(picture["data"]))
            return screen


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_the_console_renders_in_headless_chromium(project, tmp_path) -> None:
    project.write("small.py", SMALL)
    proc, port = start_serve(project, "--token", "s3cret-token-for-tests")
    debug_port = free_port()
    profile = tempfile.mkdtemp(prefix="opsconsole-chromium-")
    browser = subprocess.Popen(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            f"--user-data-dir={profile}",
            f"--remote-debugging-port={debug_port}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    shot = tmp_path / "serve.png"
    try:
        screen = asyncio.run(
            _cdp_render(
                debug_port, f"http://127.0.0.1:{port}/?token=s3cret-token-for-tests", shot, timeout=90
            )
        )
    finally:
        browser.terminate()
        browser.wait(timeout=15)
        shutil.rmtree(profile, ignore_errors=True)
        out = stop(proc)
    assert "Runs" in screen and "small" in screen, (screen[-2000:], out[-2000:])
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 5_000


def test_bound_to_all_addresses_the_page_points_at_the_host_the_browser_used(project) -> None:
    project.write("small.py", SMALL)
    proc, port = start_serve(
        project, "--host", "0.0.0.0", "--token", "s3cret-token-for-tests", "--allow-host", "ops-box.example.net"
    )
    try:
        _check_urls_follow_host(port)
    finally:
        stop(proc)


def _check_urls_follow_host(port: int) -> None:
    base = f"http://127.0.0.1:{port}"
    seen_as = f"ops-box.example.net:{port}"
    status, _, body = get(f"{base}/?token=s3cret-token-for-tests", {"Host": seen_as})
    assert status == 200, body
    assert f"ws://{seen_as}/ws" in body, body
    assert f"http://{seen_as}/static/" in body
    assert "localhost" not in body and "127.0.0.1" not in body
    # another name for the same server gets its own URLs (nothing cached from the first request)
    status, _, body = get(f"{base}/?token=s3cret-token-for-tests", {"Host": f"10.1.2.3:{port}"})
    assert f"ws://10.1.2.3:{port}/ws" in body
