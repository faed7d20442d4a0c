"""Vectorised data-quality checks over pandas frames.

    from console.quality import checks as qc, validate

    report = validate(df, [qc.not_null("id"), qc.unique("id"), qc.between("amount", min=0)])
    report.passed, report.results[0].failing, report.to_dict()

``validate`` works on its own, without the engine; the engine runs a task's ``checks=``
through it and stores each :class:`CheckResult`.

The names below are imported on first use: reading stored results (``console.quality.history``,
the console's Quality tab) must not pull pandas and numpy into a process that never checks a
frame (about 47 MB and 2 s of start-up on a busy machine).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from console.quality import checks
    from console.quality.check import Check
    from console.quality.csvio import read_csv
    from console.quality.results import CheckResult, Report
    from console.quality.suggestions import suggest
    from console.quality.validation import validate

__all__ = ["Check", "CheckResult", "Report", "checks", "read_csv", "suggest", "validate"]

_WHERE = {
    "checks": "console.quality.checks",
    "Check": "console.quality.check",
    "read_csv": "console.quality.csvio",
    "CheckResult": "console.quality.results",
    "Report": "console.quality.results",
    "suggest": "console.quality.suggestions",
    "validate": "console.quality.validation",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'console.quality' has no attribute {name!r}")
    loaded = importlib.import_module(module)
    value = loaded if name == "checks" else getattr(loaded, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
