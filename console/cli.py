"""The ``opsconsole`` command line. Imports nothing heavy before a command needs it.

Each area registers its subcommands from its own module under ``console.headless``
(``COMMAND_MODULES``); a command is a function ``(args, session) -> exit code``.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from console.errors import OpsConsoleError
from console.presentation import printable

if TYPE_CHECKING:
    from console.session import Session

COMMAND_MODULES = (
    "console.headless.run_commands",
    "console.headless.quality_commands",
    "console.headless.registry_commands",
    "console.headless.monitor_commands",
    "console.headless.alert_commands",
    "console.headless.service_commands",
    "console.headless.store_commands",
    "console.headless.serve_commands",
    "console.headless.interop_commands",
    "console.headless.stream_commands",
    "console.headless.ops_commands",
    "console.headless.sql_commands",
    "console.headless.recover_commands",
)
# ``models VERB ...`` is the subcommand ``models-VERB`` (``models NAME`` keeps listing one model)
MODEL_VERBS = ("export", "import")
_VALUED = ("--project", "--executor", "--scheduler")
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with one line (not the whole usage) on a bad command line."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"opsconsole: error: {message} (see {self.prog} --help)\n")
        sys.exit(EXIT_USAGE)


def common_options() -> argparse.ArgumentParser:
    """Options accepted before or after the subcommand."""
    parent = argparse.ArgumentParser(add_help=False)
    sup = argparse.SUPPRESS
    parent.add_argument("--project", metavar="DIR", default=sup, help="project root (default: found upward)")
    parent.add_argument("--json", action="store_true", default=sup, help="print JSON")
    parent.add_argument(
        "--no-ui", dest="no_ui", action="store_true", default=sup, help="headless: no console, plain output"
    )
    parent.add_argument("--debug", action="store_true", default=sup, help="show tracebacks")
    parent.add_argument(
        "--executor",
        choices=("thread", "process", "dask"),
        default=sup,
        help="where tasks run (default: the project's config, else threads)",
    )
    parent.add_argument(
        "--scheduler",
        metavar="ADDR",
        default=sup,
        help="Dask scheduler address, e.g. tcp://host:8786 (with --executor dask)",
    )
    parent.add_argument(
        "--read-only", dest="read_only", action="store_true", default=sup, help="look, don't act"
    )
    return parent


def build_parser() -> argparse.ArgumentParser:
    common = common_options()
    parser = _Parser(
        prog="opsconsole",
        parents=[common],
        description="A terminal operations console for data and ML pipelines. "
        "With no command: opens the console (or, with --no-ui, runs the headless service).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub, common)
    return parser


def _version() -> str:
    from console import __version__

    return __version__


def nest_verbs(argv: Sequence[str]) -> list[str]:
    """``models export X`` -> ``models-export X``: verbs of a command that also takes a NAME."""
    out = list(argv)
    for i in range(len(out) - 1):
        if out[i] == "models" and out[i + 1] in MODEL_VERBS and (i == 0 or out[i - 1] not in _VALUED):
            return [*out[:i], f"models-{out[i + 1]}", *out[i + 2 :]]
    return out


def _tolerate_narrow_encodings() -> None:
    """A stdout that cannot encode ✓ or a user's text (``PYTHONIOENCODING=latin-1``) gets ``\\u2713``, not an error."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding not in ("utf8", "utf16", "utf32") and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    """The command: ``opsconsole ...`` (``argv`` None: the process's own arguments, and it ends next)."""
    code = _main(argv)
    if argv is None:
        # The process exits next: its objects are left to the OS, not swept by the collector's
        # last pass (~25 ms after a 20,000-task run). The store is closed by then; atexit runs.
        gc.freeze()
    return code


def _main(argv: Sequence[str] | None) -> int:
    _tolerate_narrow_encodings()
    parser = build_parser()
    args = parser.parse_args(nest_verbs(sys.argv[1:] if argv is None else argv))
    for flag in ("project", "json", "no_ui", "debug", "read_only", "executor", "scheduler"):
        if not hasattr(args, flag):
            setattr(args, flag, None if flag in ("project", "executor", "scheduler") else False)
    if not args.no_ui and not sys.stdout.isatty() and not _in_browser():
        args.no_ui = True
    from console.session import Session

    session = Session(args)
    try:
        if args.command is None:
            if args.no_ui or args.json:
                from console.headless.service_commands import cmd_service

                return cmd_service(args, session)
            return _open_console(args, session)
        return int(args.func(args, session))
    except OpsConsoleError as exc:
        if args.debug:
            import traceback

            traceback.print_exc()
        sys.stderr.write(f"opsconsole: error: {printable(exc)}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("opsconsole: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - last resort: one line unless --debug
        if args.debug:
            raise
        sys.stderr.write(
            f"opsconsole: internal error: {type(exc).__name__}: {printable(exc)} (rerun with --debug)\n"
        )
        return EXIT_FAILED
    finally:
        session.close()


def _in_browser() -> bool:
    """Started by `opsconsole serve` (textual-serve's web driver), not a terminal but a console."""
    return os.environ.get("TEXTUAL_DRIVER", "").startswith("textual.drivers.web_driver")


def _open_console(args: argparse.Namespace, session: Session) -> int:
    from console.ui.launch import run_console

    return run_console(args, session)


if __name__ == "__main__":
    raise SystemExit(main())
