"""`opsconsole serve`: the same console in a browser, through textual-serve."""

from __future__ import annotations

import argparse
from typing import Any

from console.errors import UsageError


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "serve",
        parents=[common],
        help="serve the console to a browser (textual-serve), behind a token",
        description="Serve the console in a browser. Every request needs the token printed at start "
        "(--token to choose one; --no-token on loopback only) and a Host on the allow-list (loopback, "
        "--host, --public-url's host, --allow-host). --read-only hides and refuses actions.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--token", default=None, help="require this token (default: generated off loopback)")
    p.add_argument("--public-url", dest="public_url", default=None, help="URL browsers use, behind a proxy")
    p.add_argument("--no-token", dest="no_token", action="store_true", help="no token (loopback only)")
    p.add_argument(
        "--allow-host",
        dest="allow_host",
        action="append",
        default=[],
        metavar="NAME",
        help="also accept requests for this host name (repeatable)",
    )
    p.add_argument(
        "--max-sessions",
        dest="max_sessions",
        type=int,
        default=8,
        help="at most this many browser consoles at once (default 8)",
    )
    p.set_defaults(func=cmd_serve)


def cmd_serve(args: argparse.Namespace, session: Any) -> int:
    from console.headless.web import ServeOptions, build_server, resolve_token

    if not 0 < args.port < 65536:
        raise UsageError(f"--port {args.port}: not a port number")
    if args.max_sessions < 1:
        raise UsageError(f"--max-sessions {args.max_sessions}: must be at least 1")
    options = ServeOptions(
        project_root=session.project.root,
        host=args.host,
        port=args.port,
        token=args.token,
        read_only=session.read_only,
        public_url=args.public_url,
        no_token=args.no_token,
        allow_hosts=tuple(args.allow_host),
        max_sessions=args.max_sessions,
    )
    token = resolve_token(options.host, options.token, options.no_token)
    server = build_server(options, token)
    try:
        server.serve()
    except OSError as exc:
        raise UsageError(f"serve: cannot listen on {args.host}:{args.port} ({exc.strerror or exc})") from None
    return 0
