"""The :class:`Check` object the constructors in :mod:`console.quality.checks` build.

A check is an immutable description (kind, columns, parameters, severity, on_fail, name)
plus the function that evaluates it on a frame. Evaluators return one of two outcomes:

- :class:`RowOutcome` for row-level checks: a boolean mask of failing rows (rows that are
  not considered, such as nulls for value checks, are ``False``) and the number of rows
  considered;
- :class:`AggOutcome` for aggregate checks (row_count, schema, stat...): passed or not,
  the observed statistic and a message.

Bad arguments that can be seen without data raise :class:`CheckDefinitionError` here, at
construction, so a broken pipeline file is reported when it is imported.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from console.errors import CheckDefinitionError

if TYPE_CHECKING:
    from console.quality.frameview import FrameView

SEVERITIES = ("error", "warn")
ON_FAIL = ("fail", "quarantine")


@dataclass
class RowOutcome:
    """Failing rows of a row-level check: ``mask`` is positional, ``total`` rows considered."""

    mask: np.ndarray
    total: int
    details: dict[str, Any] = field(default_factory=dict)
    columns: tuple[str, ...] | None = None  # set when only known from the data (expression)


@dataclass
class AggOutcome:
    """Verdict of an aggregate check on the whole frame."""

    passed: bool
    observed: float | None
    message: str
    failing: int | None = None
    total: int | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EvalContext:
    """What an evaluator may need beyond the frame: upstream frames for references."""

    frames: Mapping[str, Any] | None = None


Evaluator = Callable[["FrameView", "Check", EvalContext], "RowOutcome | AggOutcome"]


@dataclass(frozen=True, eq=False)
class Check:
    """One declared data-quality check. Build it with :mod:`console.quality.checks`.

    ``label`` is the default name (``between(amount)``); ``name`` overrides it. ``mostly``
    is None for aggregate checks. ``params`` holds the check's own arguments.
    """

    kind: str
    columns: tuple[str, ...]
    label: str
    evaluator: Evaluator = field(repr=False)
    params: Mapping[str, Any] = field(default_factory=dict)
    severity: str = "error"
    on_fail: str = "fail"
    name: str | None = None
    mostly: float | None = None
    anomaly: float | None = None

    @property
    def display_name(self) -> str:
        """The explicit name if one was given, else the default label."""
        return self.name or self.label

    @property
    def row_level(self) -> bool:
        """True for checks that judge each row (and so can quarantine rows)."""
        return self.mostly is not None

    def __repr__(self) -> str:
        return f"Check({self.display_name!r}, severity={self.severity!r}, on_fail={self.on_fail!r})"


def check_common(kind: str, severity: str, on_fail: str, name: str | None, *, row_level: bool) -> None:
    """Validate the keywords every check takes."""
    if severity not in SEVERITIES:
        raise CheckDefinitionError(f"{kind}: severity must be 'error' or 'warn', not {severity!r}")
    if on_fail not in ON_FAIL:
        raise CheckDefinitionError(f"{kind}: on_fail must be 'fail' or 'quarantine', not {on_fail!r}")
    if on_fail == "quarantine" and not row_level:
        raise CheckDefinitionError(
            f"{kind}: on_fail='quarantine' needs a row-level check; {kind} judges the whole frame"
        )
    if name is not None and (not isinstance(name, str) or not name.strip()):
        raise CheckDefinitionError(f"{kind}: name must be a non-empty string, not {name!r}")


def check_mostly(kind: str, mostly: Any) -> float:
    """``mostly`` must be a number in [0, 1]."""
    if isinstance(mostly, bool) or not isinstance(mostly, int | float) or not 0.0 <= mostly <= 1.0:
        raise CheckDefinitionError(f"{kind}: mostly must be a number between 0 and 1, not {mostly!r}")
    return float(mostly)


def check_column(kind: str, column: Any) -> str:
    """A column argument must be a non-empty string."""
    if not isinstance(column, str) or not column:
        raise CheckDefinitionError(f"{kind}: column must be a non-empty string, not {column!r}")
    return column


def check_anomaly(kind: str, anomaly: Any) -> float | None:
    """``anomaly`` is None or a positive number of standard deviations."""
    if anomaly is None:
        return None
    if isinstance(anomaly, bool) or not isinstance(anomaly, int | float) or not anomaly > 0:
        raise CheckDefinitionError(f"{kind}: anomaly must be a positive number of standard deviations")
    return float(anomaly)


def check_bounds(kind: str, lo: Any, hi: Any, *, numeric: bool = False, need_one: bool = True) -> None:
    """At least one bound (when required); numbers that are not NaN; ``min <= max``."""
    if need_one and lo is None and hi is None:
        raise CheckDefinitionError(f"{kind}: give min, max or both")
    for label, bound in (("min", lo), ("max", hi)):
        if bound is None:
            continue
        if numeric and (isinstance(bound, bool) or not isinstance(bound, int | float | np.number)):
            raise CheckDefinitionError(f"{kind}: {label} must be a number, not {bound!r}")
        if isinstance(bound, float | np.floating) and math.isnan(bound):
            raise CheckDefinitionError(f"{kind}: {label} must not be NaN")
    if lo is not None and hi is not None:
        try:
            reversed_ = bool(lo > hi)
        except TypeError:
            try:  # "2024-01-01" and a Timestamp: compare as timestamps
                reversed_ = bool(pd.Timestamp(lo) > pd.Timestamp(hi))
            except TypeError:
                reversed_ = False  # naive vs tz-aware: settled per column when validating
            except ValueError:
                raise CheckDefinitionError(f"{kind}: min {lo!r} and max {hi!r} cannot be compared") from None
        if reversed_:
            raise CheckDefinitionError(f"{kind}: min ({lo!r}) is greater than max ({hi!r})")


def short(text: str, width: int = 48) -> str:
    """Shorten a label fragment (long expressions) to ``width`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def row_check(
    kind: str,
    columns: tuple[str, ...],
    label: str,
    evaluator: Evaluator,
    params: dict[str, Any],
    mostly: Any,
    severity: str,
    on_fail: str,
    name: str | None,
) -> Check:
    """Build a row-level check after validating the common keywords and ``mostly``."""
    check_common(kind, severity, on_fail, name, row_level=True)
    return Check(kind, columns, label, evaluator, params, severity, on_fail, name, check_mostly(kind, mostly))


def frame_check(
    kind: str,
    columns: tuple[str, ...],
    label: str,
    evaluator: Evaluator,
    params: dict[str, Any],
    severity: str,
    on_fail: str,
    name: str | None,
    anomaly: Any = None,
) -> Check:
    """Build a frame-level (aggregate) check; ``anomaly`` bounds it by its history."""
    check_common(kind, severity, on_fail, name, row_level=False)
    return Check(
        kind, columns, label, evaluator, params, severity, on_fail, name, None, check_anomaly(kind, anomaly)
    )


def collection(kind: str, values: Any) -> Any:
    """A set of values for isin/not_in/referential: any collection but a string."""
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise CheckDefinitionError(f"{kind}: values must be a list, set, Series or Index, not {values!r}")
    if isinstance(values, np.ndarray | pd.Series | pd.Index):
        return values
    return list(values)
