"""`opsconsole serve`: the same console in a browser, through textual-serve."""

from __future__ import annotations

import argparse
from typing import Any

from console.errors import UsageError


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "serve",
        parents=[common],
        help="serve the console to a browser (textual-serve); localhost only unless --host",
        description="Serve the console in a browser. Bound to anything but loopback it requires "
        "the token printed at start (--token to choose one). --read-only hides and refuses actions.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--token", default=None, help="require this token (default: generated off loopback)")
    p.add_argument("--public-url", dest="public_url", default=None, help="URL browsers use, behind a proxy")
    p.set_defaults(func=cmd_serve)


def cmd_serve(args: argparse.Namespace, session: Any) -> int:
    from console.headless.web import ServeOptions, build_server, resolve_token

    if not 0 < args.port < 65536:
        raise UsageError(f"--port {args.port}: not a port number")
    options = ServeOptions(
        project_root=session.project.root,
        host=args.host,
        port=args.port,
        token=args.token,
        read_only=session.read_only,
        public_url=args.public_url,
    )
    token = resolve_token(options.host, options.token)
    server = build_server(options, token)
    try:
        server.serve()
    except OSError as exc:
        raise UsageError(f"serve: cannot listen on {args.host}:{args.port} ({exc.strerror or exc})") from None
    return 0
