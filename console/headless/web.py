"""The console in a browser: textual-serve behind a token and an origin check.

textual-serve starts one console process per browser tab (``python -m console`` with the
web driver) and relays its output over a websocket. It has no access control of its own,
so this module adds two guards as aiohttp middleware:

- **Token.** Bound to anything but loopback, every request needs the token printed at
  start: ``/?token=...`` once, after which an HttpOnly, SameSite=Strict cookie carries it
  (the page's websocket and static files included). On loopback the token is optional
  (``--token`` forces one).
- **Origin.** A websocket upgrade whose ``Origin`` is not this server is refused, so a web
  page elsewhere cannot drive a console on localhost through the visitor's browser.

textual-serve and aiohttp are the optional extra ``ops-console[serve]``.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import shlex
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from console.errors import UsageError

if TYPE_CHECKING:
    from aiohttp import web

COOKIE = "opsconsole_token"


@dataclass(frozen=True)
class ServeOptions:
    project_root: Path
    host: str = "127.0.0.1"
    port: int = 8000
    token: str | None = None
    read_only: bool = False
    public_url: str | None = None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def resolve_token(host: str, token: str | None) -> str | None:
    """The token to require: the given one, a fresh one off loopback, else none."""
    if token is not None:
        if len(token) < 16:
            raise UsageError("--token: use at least 16 characters")
        return token
    return None if is_loopback(host) else secrets.token_urlsafe(24)


def console_command(options: ServeOptions) -> str:
    """The shell command textual-serve runs for each browser session."""
    argv = [sys.executable, "-m", "console", "--project", str(options.project_root)]
    if options.read_only:
        argv.append("--read-only")
    return shlex.join(argv)


def _token_ok(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def make_guard(token: str | None, public_url: str | None = None) -> Callable[..., Awaitable[Any]]:
    """aiohttp middleware: origin check on the websocket, token check on everything."""
    from aiohttp import web

    public_host = urlsplit(public_url).netloc if public_url else None

    @web.middleware
    async def guard(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        if request.path == "/ws" and origin and urlsplit(origin).netloc not in (request.host, public_host):
            raise web.HTTPForbidden(text=f"origin {origin} may not open this console\n")
        if token is None:
            return await handler(request)
        if _token_ok(request.query.get("token"), token):
            response = await handler(request)
            response.set_cookie(COOKIE, token, httponly=True, samesite="Strict")
            return response
        if _token_ok(request.cookies.get(COOKIE), token):
            return await handler(request)
        raise web.HTTPForbidden(
            text="a valid token is required: open the URL printed by `opsconsole serve`\n"
        )

    return guard


def build_server(options: ServeOptions, token: str | None) -> Any:
    """A textual-serve Server whose aiohttp app carries the guard."""
    try:
        from textual_serve.server import Server
    except ModuleNotFoundError:
        raise UsageError("serve needs textual-serve: pip install 'ops-console[serve]'") from None

    class GuardedServer(Server):
        async def _make_app(self) -> web.Application:
            app = await super()._make_app()
            app.middlewares.append(make_guard(token, self.public_url))
            app.router.add_get("/metrics", metrics_handler(options.project_root))
            return app

        async def handle_index(self, request: web.Request) -> Any:
            # Without --public-url the page's asset and websocket URLs follow the Host the browser
            # used, so `--host 0.0.0.0` works from another machine (the guard checked the request).
            if options.public_url:
                return await super().handle_index(request)
            configured, self.public_url = self.public_url, request_base_url(request)
            try:
                return await super().handle_index(request)  # builds its URLs before any await
            finally:
                self.public_url = configured

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
