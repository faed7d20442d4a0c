"""The kwargs of one expectation, read with the names GX gives them.

Every read is recorded, so after a check is built :meth:`Args.leftover` names any argument
the expectation does not take: a typo in a suite file is refused, never silently ignored.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from console.errors import GXSuiteError
from console.quality.gx.suite_file import Expectation

# Accepted by every expectation; they shape GX's report, not the verdict.
REPORTING = frozenset({"result_format", "catch_exceptions", "include_config", "batch_id", "meta", "windows"})
_MISSING = object()


class Args:
    """Typed access to an expectation's kwargs that remembers what was used."""

    def __init__(self, expectation: Expectation) -> None:
        self.expectation = expectation
        self.where = expectation.where
        self._kwargs = expectation.kwargs
        self._used: set[str] = set(REPORTING)

    def has(self, key: str) -> bool:
        """The suite gives this argument (even as null)."""
        return key in self._kwargs

    def get(self, key: str, default: Any = None) -> Any:
        """The argument, or ``default`` when absent or null."""
        self._used.add(key)
        value = self._kwargs.get(key, _MISSING)
        if isinstance(value, dict) and "$PARAMETER" in value:
            raise GXSuiteError(
                f"{self.where}: {key} is a suite parameter ({value['$PARAMETER']}); give a value"
            )
        return default if value is _MISSING or value is None else value

    def need(self, key: str) -> Any:
        """A required argument."""
        value = self.get(key)
        if value is None:
            raise GXSuiteError(f"{self.where}: needs {key}")
        return value

    def flag(self, key: str, default: bool = False) -> bool:
        """A true/false argument."""
        value = self.get(key, default)
        if not isinstance(value, bool):
            raise GXSuiteError(f"{self.where}: {key} must be true or false, not {value!r}")
        return value

    def number(self, key: str, default: Any = None, *, required: bool = False) -> Any:
        """A number (or None when absent and not required)."""
        value = self.need(key) if required else self.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            raise GXSuiteError(f"{self.where}: {key} must be a number, not {value!r}")
        return value

    def bound(self, key: str, dates: bool = False) -> Any:
        """A min/max bound: a number, text, or (with ``dates``) a timestamp parsed from text."""
        value = self.get(key)
        if value is None or not dates:
            return value
        try:
            return pd.Timestamp(value)
        except (TypeError, ValueError):
            raise GXSuiteError(f"{self.where}: {key} {value!r} is not a date") from None

    def strings(self, key: str) -> list[str]:
        """A required list of strings."""
        value = self.need(key)
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise GXSuiteError(f"{self.where}: {key} must be a list of strings, not {value!r}")
        return list(value)

    def mostly(self) -> float:
        """``mostly`` (default 1)."""
        value = self.number("mostly", 1.0)
        if not 0 <= value <= 1:
            raise GXSuiteError(f"{self.where}: mostly must be between 0 and 1, not {value!r}")
        return float(value)

    def leftover(self) -> list[str]:
        """Arguments given but never read."""
        return sorted(set(self._kwargs) - self._used)
