"""What ``drift()`` returns: thresholds, one ``ColumnDrift`` per column, the ``DriftReport``.

Field names are a contract (ARCHITECTURE.md, Monitor): scripts read them from ``to_dict()``;
add fields, never rename.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

from console.errors import UsageError

Kind = Literal["numeric", "categorical"]
Verdict = Literal["ok", "warn", "alert", "insufficient"]


@dataclass(frozen=True)
class Thresholds:
    """Decision thresholds; the defaults are the usual ones, override any of them.

    - ``psi_warn`` 0.1 / ``psi_alert`` 0.25: Lewis / Siddiqi's "some" and "major" shift.
    - ``p_value`` 0.05: KS or chi-square p-value below this alerts, but only when both
      samples have at most ``test_max_rows`` (1,000) rows.
    - ``min_rows`` 30: fewer non-null rows on either side gives verdict ``insufficient``.
    - ``share`` 0.5: the report is ``drifted`` when at least this share of the tested
      columns is in alert.
    """

    psi_warn: float = 0.1
    psi_alert: float = 0.25
    p_value: float = 0.05
    test_max_rows: int = 1000
    min_rows: int = 30
    share: float = 0.5

    @classmethod
    def coerce(cls, value: Thresholds | Mapping[str, Any] | None) -> Thresholds:
        """A Thresholds from itself, None (the defaults) or a dict of the ones to change."""
        if value is None:
            return cls()
        if isinstance(value, Thresholds):
            return value
        if isinstance(value, Mapping):
            known = {f.name for f in fields(cls)}
            unknown = sorted(str(k) for k in value if k not in known)
            if unknown:
                raise UsageError(
                    f"unknown drift threshold(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
                )
            return cls(**value)
        raise UsageError(f"thresholds must be a Thresholds or a dict, not {type(value).__name__}")

    def __post_init__(self) -> None:
        for name in ("psi_warn", "psi_alert", "p_value", "share"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
                raise UsageError(f"threshold {name} must be a finite number >= 0, not {value!r}")
        if self.psi_warn > self.psi_alert:
            raise UsageError(f"psi_warn ({self.psi_warn}) must not exceed psi_alert ({self.psi_alert})")
        if self.p_value > 1 or self.share > 1:
            raise UsageError("thresholds p_value and share must be between 0 and 1")
        for name in ("test_max_rows", "min_rows"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise UsageError(f"threshold {name} must be an integer >= 1, not {value!r}")


@dataclass(frozen=True, kw_only=True)
class ColumnDrift:
    """Drift of one column: its statistics (None where not applicable) and a verdict."""

    column: str
    kind: Kind
    verdict: Verdict
    drifted: bool
    n_ref: int
    n_cur: int
    ref_null_rate: float | None
    cur_null_rate: float | None
    message: str
    psi: float | None = None
    ks_stat: float | None = None
    ks_pvalue: float | None = None
    wasserstein: float | None = None
    chi2_stat: float | None = None
    chi2_pvalue: float | None = None
    js_distance: float | None = None
    # shares per bin or category, for a chart: {"labels": [...], "ref": [...], "cur": [...]}
    distribution: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: every NaN or infinity becomes None."""
        return {key: _json_value(value) for key, value in asdict(self).items()}


@dataclass(frozen=True)
class DriftReport:
    """Per-column drift plus the overall verdict.

    Aggregates (``share_drifted``, ``max_psi``, ``drifted``) count only the *tested*
    columns, those whose verdict is not ``insufficient``. ``skipped`` names columns left
    out of the default selection and why (dtypes drift is not computed for, e.g. datetimes).
    """

    columns: dict[str, ColumnDrift]
    thresholds: Thresholds = field(default_factory=Thresholds)
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def tested_columns(self) -> list[str]:
        return [name for name, col in self.columns.items() if col.verdict != "insufficient"]

    @property
    def drifted_columns(self) -> list[str]:
        return [name for name, col in self.columns.items() if col.drifted]

    @property
    def share_drifted(self) -> float:
        tested = len(self.tested_columns)
        return len(self.drifted_columns) / tested if tested else 0.0

    @property
    def drifted(self) -> bool:
        return bool(self.tested_columns) and self.share_drifted >= self.thresholds.share

    @property
    def max_psi(self) -> float | None:
        """The largest PSI over the tested columns: what a rule ``psi > 0.2`` compares."""
        values = [col.psi for col in self.columns.values() if col.psi is not None]
        return max(values) if values else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable summary and columns (NaN and infinities as None)."""
        return {
            "drifted": self.drifted,
            "share_drifted": self.share_drifted,
            "drifted_columns": self.drifted_columns,
            "max_psi": _json_value(self.max_psi),
            "thresholds": asdict(self.thresholds),
            "columns": {name: col.to_dict() for name, col in self.columns.items()},
            "skipped": dict(self.skipped),
        }


def _json_value(value: Any) -> Any:
    """Plain Python numbers for JSON (numpy scalars unwrapped), NaN and infinities as None."""
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return value
