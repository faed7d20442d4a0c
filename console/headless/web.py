"""The console in a browser: textual-serve behind the guards of ``web_guard``.

textual-serve starts one console process per browser tab (``python -m console`` with the
web driver) and relays its output over a websocket. This module builds that server with
the Host/Origin/token middleware, a cap on console processes (``--max-sessions``) and an
access log that never shows the token.

textual-serve and aiohttp are the optional extra ``ops-console[serve]``.
"""

from __future__ import annotations

import secrets
import shlex
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.errors import UsageError
from console.headless.web_guard import allowed_hosts, is_loopback, make_guard, redact_access_log

if TYPE_CHECKING:
    from aiohttp import web

__all__ = ["ServeOptions", "build_server", "is_loopback", "public_url", "resolve_token", "serve_url"]


@dataclass(frozen=True)
class ServeOptions:
    project_root: Path
    host: str = "127.0.0.1"
    port: int = 8000
    token: str | None = None
    read_only: bool = False
    public_url: str | None = None
    no_token: bool = False
    allow_hosts: tuple[str, ...] = ()
    max_sessions: int = 8


def resolve_token(host: str, token: str | None, no_token: bool = False) -> str | None:
    """The token to require: the given one, none with ``--no-token`` (loopback only), else a fresh one."""
    if no_token:
        if token is not None:
            raise UsageError("--token and --no-token: choose one")
        if not is_loopback(host):
            raise UsageError(f"--no-token: only on a loopback address, not --host {host}")
        return None
    if token is not None:
        if len(token) < 16:
            raise UsageError("--token: use at least 16 characters")
        return token
    return secrets.token_urlsafe(24)


def console_command(options: ServeOptions) -> str:
    """The shell command textual-serve runs for each browser session."""
    argv = [sys.executable, "-m", "console", "--project", str(options.project_root)]
    if options.read_only:
        argv.append("--read-only")
    return shlex.join(argv)


def build_server(options: ServeOptions, token: str | None) -> Any:
    """A textual-serve Server whose aiohttp app carries the guard and the session cap."""
    try:
        from aiohttp import web
        from textual_serve.server import Server
    except ModuleNotFoundError:
        raise UsageError("serve needs textual-serve: pip install 'ops-console[serve]'") from None

    allowed = allowed_hosts(options.host, public_url(options), options.allow_hosts)

    class GuardedServer(Server):
        sessions = 0

        def initialize_logging(self) -> None:
            super().initialize_logging()
            redact_access_log()

        async def _make_app(self) -> web.Application:
            app = await super()._make_app()
            app.middlewares.append(make_guard(token, allowed, self.public_url))
            app.router.add_get("/metrics", metrics_handler(options.project_root))
            return app

        async def handle_index(self, request: web.Request) -> Any:
            # Without --public-url the page's asset and websocket URLs follow the Host the browser
            # used, so `--host 0.0.0.0` works from another machine (the guard checked the Host).
            if options.public_url:
                return await super().handle_index(request)
            configured, self.public_url = self.public_url, request_base_url(request)
            try:
                return await super().handle_index(request)  # builds its URLs before any await
            finally:
                self.public_url = configured

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            # Each websocket is a console process (~60 MB): cap them so a page cannot exhaust memory.
            if self.sessions >= options.max_sessions:
                raise web.HTTPServiceUnavailable(
                    text=f"{options.max_sessions} consoles are open (--max-sessions); close one first\n"
                )
            self.sessions += 1
            try:
                return await super().handle_websocket(request)
            finally:
                self.sessions -= 1

        async def on_startup(self, app: web.Application) -> None:
            print(f"opsconsole serve: {serve_url(options, token)}", flush=True)
            if options.read_only:
                print("opsconsole serve: read-only (actions hidden and refused)", flush=True)
            print("opsconsole serve: Ctrl-C to stop", flush=True)

    return GuardedServer(
        console_command(options),
        host=options.host,
        port=options.port,
        title="ops-console",
        public_url=public_url(options),
    )


def metrics_handler(project_root: Path) -> Callable[..., Awaitable[Any]]:
    """``GET /metrics``: the store in Prometheus' text format (behind the guard like every path)."""
    import asyncio

    from aiohttp import web

    def read() -> str:
        from console.headless.prometheus import exposition
        from console.project import load_project
        from console.store.state import Store

        store = Store(load_project(project_root).home, readonly=True, recover=False)
        try:
            return exposition(store.db)
        finally:
            store.close()

    async def handler(request: web.Request) -> web.Response:
        text = await asyncio.get_running_loop().run_in_executor(None, read)
        return web.Response(text=text, content_type="text/plain", charset="utf-8",
                            headers={"X-Content-Type-Options": "nosniff"})

    return handler


def public_url(options: ServeOptions) -> str:
    """Where browsers reach the server (the page's websocket URL is built from it)."""
    if options.public_url:
        return options.public_url.rstrip("/")
    host = options.host
    if host in ("0.0.0.0", "::", ""):
        import socket

        host = socket.getfqdn()
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{options.port}"


def request_base_url(request: web.Request) -> str:
    """``scheme://host[:port]`` as the browser addressed this server (its ``Host`` header)."""
    scheme = "https" if request.secure else "http"
    return f"{scheme}://{request.host}"


def serve_url(options: ServeOptions, token: str | None) -> str:
    return f"{public_url(options)}/" + (f"?token={token}" if token else "")
