"""Access control for `opsconsole serve`: Host allow-list, Origin check, token, session cap.

textual-serve has no access control of its own. A web page elsewhere can reach a server
on 127.0.0.1 through the visitor's browser, and DNS rebinding lets it do so under its own
name (``Host: evil.example:PORT``, with a matching ``Origin``), so the server cannot trust
either header on its own. The guard therefore:

- accepts a request only when its ``Host`` is on an allow-list: loopback names
  (``localhost``, 127.0.0.0/8, ``::1``), the bound address when it is a specific one,
  the host of ``--public-url`` and names given with ``--allow-host``;
- refuses a websocket upgrade whose ``Origin`` is not the server's own (its ``Host`` or
  the public URL);
- requires the token on every request (``/?token=...`` once, then an HttpOnly,
  SameSite=Strict cookie), unless the server was started with ``--no-token``;
- keeps the token out of the access log.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import re
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from aiohttp import web

COOKIE = "opsconsole_token"
LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "127.0.0.1", "::1"})
_TOKEN_IN_URL = re.compile(r"([?&]token=)[^&\s\"]*")


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or address, IPv6 with or without brackets) is this machine only."""
    name = host.strip("[]").lower()
    if name in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def host_name(netloc: str) -> str:
    """The host part of ``host[:port]`` or ``[v6]:port``, lower-case, without brackets."""
    netloc = netloc.strip().lower()
    if netloc.startswith("["):
        return netloc[1 : netloc.find("]")] if "]" in netloc else netloc
    if netloc.count(":") == 1:
        return netloc.split(":", 1)[0]
    return netloc


def allowed_hosts(bind_host: str, public_url: str | None, extra: Iterable[str]) -> frozenset[str]:
    """Host names requests may carry: loopback, the bound address, the public URL's host, ``extra``."""
    names = set(LOOPBACK_NAMES)
    if bind_host not in ("", "0.0.0.0", "::"):
        names.add(host_name(bind_host) if bind_host.startswith("[") else bind_host.lower())
    if public_url:
        hostname = urlsplit(public_url).hostname
        if hostname:
            names.add(hostname.lower())
    names.update(name.strip().lower().strip("[]") for name in extra if name.strip())
    return frozenset(names)


def host_allowed(netloc: str, allowed: frozenset[str]) -> bool:
    """A name on the allow-list, loopback, or an IP literal: rebinding needs a DNS name, so a
    browser that sends an address typed that address (``--host 0.0.0.0`` reached by IP works)."""
    name = host_name(netloc)
    return bool(name) and (name in allowed or is_loopback(name) or _is_ip(name))


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def token_ok(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def make_guard(
    token: str | None, allowed: frozenset[str], public_url: str | None = None
) -> Callable[..., Awaitable[Any]]:
    """aiohttp middleware: Host allow-list and token on every request, Origin on the websocket."""
    from aiohttp import web

    public_netloc = urlsplit(public_url).netloc.lower() if public_url else None

    @web.middleware
    async def guard(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        host = request.headers.get("Host", "")
        if not host_allowed(host, allowed):
            # Do not echo the attacker's Host back into a page.
            raise web.HTTPMisdirectedRequest(
                text="this host name is not served here (start serve with --allow-host NAME)\n"
            )
        origin = request.headers.get("Origin")
        own = (host.lower(), public_netloc)
        if request.path == "/ws" and origin is not None and urlsplit(origin).netloc.lower() not in own:
            raise web.HTTPForbidden(text="this origin may not open a console here\n")
        if token is None:
            return await handler(request)
        if token_ok(request.query.get("token"), token):
            response = await handler(request)
            response.set_cookie(COOKIE, token, httponly=True, samesite="Strict")
            return response
        if token_ok(request.cookies.get(COOKIE), token):
            return await handler(request)
        raise web.HTTPForbidden(
            text="a valid token is required: open the URL printed by `opsconsole serve`\n"
        )

    return guard


class RedactToken(logging.Filter):
    """Replaces ``token=...`` in a log record's text with ``token=***``."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if "token=" in text:
            record.msg = _TOKEN_IN_URL.sub(r"\1***", text)
            record.args = None
        return True


def redact_access_log() -> None:
    """Keep tokens in URLs out of aiohttp's access log (and any server log)."""
    for name in ("aiohttp.access", "aiohttp.server", "textual-serve"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactToken) for f in logger.filters):
            logger.addFilter(RedactToken())
