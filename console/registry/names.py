"""Model and alias names: validated before they reach SQL, a log line or a file name.

Names never become paths (artifacts are addressed by sha256), but they are shown in
shells, logs and file names chosen by users, so they are kept to a safe alphabet.
"""

from __future__ import annotations

import re

from console.errors import InvalidNameError

NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
PRODUCTION = "production"


def check_name(name: object, kind: str = "model") -> str:
    """Return ``name`` when it is a valid model/alias name, else raise :class:`InvalidNameError`."""
    if not isinstance(name, str) or not NAME_RE.fullmatch(name) or ".." in name:
        shown = repr(name) if not isinstance(name, str) or len(name) <= 80 else repr(name[:80] + "...")
        raise InvalidNameError(
            f"invalid {kind} name {shown}: use 1-64 letters, digits, '_', '.', '-' "
            "(starting with a letter or digit, no '..', no path separators)"
        )
    return name


def check_version(version: object) -> int:
    """A version number given on the command line or through the API (a positive int)."""
    if isinstance(version, bool):
        raise InvalidNameError(f"invalid version {version!r}: expected a positive integer")
    try:
        number = int(str(version).lstrip("vV")) if isinstance(version, str) else int(version)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise InvalidNameError(f"invalid version {version!r}: expected a positive integer") from None
    if number < 1:
        raise InvalidNameError(f"invalid version {version!r}: expected a positive integer")
    return number
