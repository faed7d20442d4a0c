"""What ``validate`` returns: one :class:`CheckResult` per check, gathered in a :class:`Report`.

``to_dict`` gives JSON-ready data: NaN, NaT, None and pd.NA become None; numpy scalars
become Python numbers; timestamps, dates and times become ISO 8601 text; timedeltas
become seconds; infinities become ``"inf"``/``"-inf"`` (strict JSON has none).
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


def _is_null(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    return isinstance(value, np.datetime64 | np.timedelta64) and np.isnat(value)


def json_safe(value: Any) -> Any:
    """One value (recursively for containers) in a JSON-serialisable form."""
    if _is_null(value):
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        f = float(value)
        return f if math.isfinite(f) else ("inf" if f > 0 else "-inf")
    if isinstance(value, str):
        return value
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).isoformat()
    if isinstance(value, pd.Timedelta | dt.timedelta | np.timedelta64):
        return pd.Timedelta(value).total_seconds()
    if isinstance(value, decimal.Decimal):
        return float(value) if value.is_finite() else str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, Mapping):
        return {str(json_safe(k)): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset | np.ndarray | pd.Index | pd.Series):
        return [json_safe(v) for v in value]
    return str(value)


def records(frame: pd.DataFrame | None) -> list[dict[str, Any]] | None:
    """Sample rows as ``[{"index": label, "row": {column: value}}]`` in JSON-safe form."""
    if frame is None:
        return None
    columns = [str(c) for c in frame.columns]
    out = []
    # A handful of sample rows, never a whole column: iterating here is fine.
    for label, row in zip(frame.index, frame.itertuples(index=False, name=None), strict=True):
        out.append(
            {"index": json_safe(label), "row": {c: json_safe(v) for c, v in zip(columns, row, strict=True)}}
        )
    return out


@dataclass(eq=False)
class CheckResult:
    """The outcome of one check on one frame.

    Row-level checks fill ``failing`` (rows that failed), ``total`` (rows considered: the
    non-null ones for value checks), ``sample_index``/``sample`` (up to 20 failing rows)
    and ``failing_mask`` (positional, for quarantine); ``observed`` is the failing fraction.
    Aggregate checks (row_count, schema, distinct_count, freshness, stat) set ``observed``
    to their statistic and count assertions: ``failing`` is 0 or 1 (schema: bad columns).
    ``error`` is set when the check could not run (unknown column...); it then fails.
    A failed ``on_fail="quarantine"`` check has ``quarantined=True`` and does not fail the
    report: its rows are set aside by :meth:`Report.split_quarantine`.
    """

    check: str
    kind: str
    columns: tuple[str, ...]
    severity: str
    on_fail: str
    passed: bool
    failing: int = 0
    total: int = 0
    sample_index: list[Any] = field(default_factory=list)
    sample: pd.DataFrame | None = field(default=None, repr=False)
    observed: float | None = None
    error: str | None = None
    duration_s: float = 0.0
    message: str = ""
    quarantined: bool = False
    details: dict[str, Any] = field(default_factory=dict)
    failing_mask: np.ndarray | None = field(default=None, repr=False)

    @property
    def counts_as_failure(self) -> bool:
        """True when this result fails its task: an error-severity check that failed
        (a quarantined check set its rows aside instead, unless it could not run)."""
        if self.passed or self.severity != "error":
            return False
        return not self.quarantined or self.error is not None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (``failing_mask`` left out; sample rows as records)."""
        return {
            "check": self.check,
            "kind": self.kind,
            "columns": list(self.columns),
            "severity": self.severity,
            "on_fail": self.on_fail,
            "passed": self.passed,
            "failing": self.failing,
            "total": self.total,
            "observed": json_safe(self.observed),
            "message": self.message,
            "error": self.error,
            "quarantined": self.quarantined,
            "duration_s": round(self.duration_s, 6),
            "sample_index": json_safe(self.sample_index),
            "sample": records(self.sample),
            "details": json_safe(self.details),
        }


@dataclass(eq=False)
class Report:
    """All results of one ``validate`` call. ``passed`` is False when an error-severity
    check failed; warnings and quarantined rows do not fail it."""

    results: list[CheckResult]
    rows: int = 0

    @property
    def passed(self) -> bool:
        """No error-severity check failed (quarantine checks set rows aside instead)."""
        return not any(r.counts_as_failure for r in self.results)

    @property
    def errors(self) -> list[CheckResult]:
        """Failed results that fail the report."""
        return [r for r in self.results if r.counts_as_failure]

    @property
    def warnings(self) -> list[CheckResult]:
        """Failed warn-severity results (recorded, not fatal)."""
        return [r for r in self.results if not r.passed and r.severity == "warn" and not r.quarantined]

    @property
    def quarantined(self) -> list[CheckResult]:
        """Results whose failing rows are set aside."""
        return [r for r in self.results if r.quarantined]

    def quarantine_mask(self) -> np.ndarray:
        """Positional mask of rows failing any quarantine check."""
        mask = np.zeros(self.rows, dtype=bool)
        for r in self.quarantined:
            if r.failing_mask is not None:
                mask |= r.failing_mask
        return mask

    def split_quarantine(self, df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        """``(kept, quarantined)``: ``df`` without and with the rows of quarantine checks.

        ``df`` must be the frame that was validated (same rows, same order).
        """
        if len(df) != self.rows:
            raise ValueError(f"split_quarantine: the report is for {self.rows} rows, the frame has {len(df)}")
        mask = self.quarantine_mask()
        if not mask.any():
            return df, df.iloc[0:0]
        return df[~mask], df[mask]

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable summary and results."""
        return {
            "passed": self.passed,
            "rows": self.rows,
            "summary": {
                "checks": len(self.results),
                "failed": sum(not r.passed for r in self.results),
                "errors": len(self.errors),
                "warnings": len(self.warnings),
                "quarantined_rows": int(np.count_nonzero(self.quarantine_mask())),
            },
            "results": [r.to_dict() for r in self.results],
        }

    def __str__(self) -> str:
        lines = [f"{'PASSED' if self.passed else 'FAILED'}: {len(self.results)} checks on {self.rows:,} rows"]
        for r in self.results:
            mark = "ok" if r.passed else ("quarantined" if r.quarantined else r.severity)
            lines.append(f"  [{mark}] {r.check}: {r.error or r.message}")
        return "\n".join(lines)
