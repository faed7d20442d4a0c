"""Vectorised data-quality checks over pandas frames.

    from console.quality import checks as qc, validate

    report = validate(df, [qc.not_null("id"), qc.unique("id"), qc.between("amount", min=0)])
    report.passed, report.results[0].failing, report.to_dict()

``validate`` works on its own, without the engine; the engine runs a task's ``checks=``
through it and stores each :class:`CheckResult`.
"""

from console.quality import checks
from console.quality.check import Check
from console.quality.csvio import read_csv
from console.quality.results import CheckResult, Report
from console.quality.suggest import suggest
from console.quality.validate import validate

__all__ = ["Check", "CheckResult", "Report", "checks", "read_csv", "suggest", "validate"]
