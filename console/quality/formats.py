"""Named string formats for ``checks.format(column, name)`` and ``checks.regex(column, "format:name")``.

Each format is a regular expression anchored at both ends (``^`` and ``\\Z``, so even a
trailing newline fails), which makes search semantics a full match. They are pragmatic
rather than exhaustive, like Great Expectations' regex-based ones: ``email`` accepts what
mail systems take in practice, not every RFC 5322 oddity, and ``iso_date`` checks the
shape and the ranges of month and day, not leap years.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from console.errors import CheckDefinitionError

PREFIX = "format:"


@dataclass(frozen=True)
class Format:
    """A named format: its anchored pattern and a one-line description for the console."""

    name: str
    pattern: str
    description: str
    flags: int = 0


_FORMATS = [
    Format(
        "email",
        r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
        r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,}\Z",
        "an e-mail address such as ana@example.com",
    ),
    Format(
        "url",
        r"^(?:https?|ftp)://(?:[^\s:@/]+(?::[^\s@/]*)?@)?(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
        r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?(?:[/?#]\S*)?\Z",
        "an http(s) or ftp URL such as https://example.com/path?q=1",
    ),
    Format(
        "iso_date",
        r"^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])\Z",
        "a calendar date YYYY-MM-DD",
    ),
    Format(
        "iso_datetime",
        r"^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])[T ](?:[01]\d|2[0-3]):[0-5]\d"
        r"(?::[0-5]\d(?:\.\d{1,9})?)?(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?\Z",
        "an ISO 8601 date and time, optional seconds, fraction and offset",
    ),
    Format(
        "uuid",
        r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\Z",
        "an RFC 4122 UUID such as 123e4567-e89b-42d3-a456-426614174000",
        re.IGNORECASE,
    ),
    Format(
        "phone",
        r"^(?=(?:[^0-9]*[0-9]){7,15}[^0-9]*\Z)\+?\(?[0-9]+\)?(?:[ .-]?\(?[0-9]+\)?)*\Z",
        "a phone number: optional +, 7 to 15 digits, optional spaces, dots, dashes, brackets",
    ),
    Format(
        "e164",
        r"^\+[1-9]\d{6,14}\Z",
        "an E.164 phone number such as +14155550123",
    ),
    Format(
        "ipv4",
        r"^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\Z",
        "a dotted IPv4 address such as 192.168.0.1",
    ),
    Format(
        "postal_code_us",
        r"^\d{5}(?:-\d{4})?\Z",
        "a US ZIP code, 5 digits or ZIP+4",
    ),
    Format(
        "country_code",
        r"^[A-Z]{2}\Z",
        "an ISO 3166-1 alpha-2 shaped code (two capital letters)",
    ),
    Format(
        "currency_code",
        r"^[A-Z]{3}\Z",
        "an ISO 4217 shaped code (three capital letters)",
    ),
    Format(
        "slug",
        r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z",
        "a lower-case slug such as my-page-2",
    ),
    Format(
        "semver",
        r"^(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?\Z",
        "a semantic version such as 1.4.0-rc.1",
    ),
    Format(
        "hex_color",
        r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})\Z",
        "a CSS hex colour such as #1e90ff",
    ),
]

FORMATS: dict[str, Format] = {f.name: f for f in _FORMATS}


def get_format(name: str) -> Format:
    """The named format, or :class:`CheckDefinitionError` listing the known names."""
    try:
        return FORMATS[name]
    except (KeyError, TypeError):
        known = ", ".join(sorted(FORMATS))
        raise CheckDefinitionError(f"unknown format {name!r}; known formats: {known}") from None


def resolve(pattern: str) -> tuple[str, int, str | None]:
    """``"format:email"`` -> the email pattern; any other string is a regex as given.

    Returns (pattern, flags, format name or None); the pattern is compiled here so a bad
    regular expression is a :class:`CheckDefinitionError` when the pipeline is imported.
    """
    if not isinstance(pattern, str):
        raise CheckDefinitionError(f"regex pattern must be a string, not {type(pattern).__name__}")
    if pattern.startswith(PREFIX):
        fmt = get_format(pattern[len(PREFIX) :])
        return fmt.pattern, fmt.flags, fmt.name
    try:
        re.compile(pattern)
    except re.error as exc:
        raise CheckDefinitionError(f"invalid regular expression {pattern!r}: {exc}") from None
    return pattern, 0, None
