"""Vectorised data-quality checks over pandas frames.

    from console.quality import checks as qc, validate

    report = validate(df, [qc.not_null("id"), qc.unique("id"), qc.between("amount", min=0)])
    report.passed, report.results[0].failing, report.to_dict()

``validate`` works on its own, without the engine; the engine runs a task's ``checks=``
through it and stores each :class:`CheckResult`.
"""

from __future__ import annotations

import importlib
from typing import Any

# Loaded on first use, so importing a light submodule (``console.quality.history``) from
# the CLI does not pull in pandas.
_LAZY = {
    "checks": "console.quality.checks",
    "Check": "console.quality.check",
    "read_csv": "console.quality.csvio",
    "CheckResult": "console.quality.results",
    "Report": "console.quality.results",
    "suggest": "console.quality.suggest",
    "validate": "console.quality.validate",
}

__all__ = ["Check", "CheckResult", "Report", "checks", "read_csv", "suggest", "validate"]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'console.quality' has no attribute {name!r}")
    module = importlib.import_module(_LAZY[name])
    value = module if name == "checks" else getattr(module, name)
    globals()[name] = value
    return value
