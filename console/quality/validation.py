"""``validate(df, checks)``: run checks on a frame and gather a :class:`Report`.

Nothing about the data escapes as an exception: a missing column, a type that does not
fit, a broken expression all become a failed result with ``error`` set, so one bad check
never hides the others. Only a programming error (something in ``checks`` that is not a
check) raises :class:`CheckDefinitionError`.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from console.errors import CheckDefinitionError
from console.quality.aggchecks import fmt
from console.quality.check import AggOutcome, Check, EvalContext, RowOutcome
from console.quality.frameview import ColumnError, FrameView
from console.quality.results import CheckResult, Report, json_safe

SAMPLE_ROWS = 20
MIN_HISTORY = 3
History = Callable[[str], Sequence[float]] | Mapping[str, Sequence[float]]


def first_positions(mask: np.ndarray, k: int = SAMPLE_ROWS) -> np.ndarray:
    """Positions of the first ``k`` True values, scanning in chunks rather than the whole mask."""
    found: list[np.ndarray] = []
    need = k
    chunk = 1 << 16
    for start in range(0, mask.size, chunk):
        hits = np.flatnonzero(mask[start : start + chunk])[:need]
        if hits.size:
            found.append(hits + start)
            need -= hits.size
            if need == 0:
                break
    return np.concatenate(found) if found else np.zeros(0, dtype=np.intp)


def assign_names(checks: Sequence[Check]) -> list[str]:
    """Each check's name, made unique within the call with ``#2``, ``#3``... suffixes."""
    used: set[str] = set()
    names = []
    for check in checks:
        base = name = check.display_name
        i = 2
        while name in used:
            name, i = f"{base}#{i}", i + 1
        used.add(name)
        names.append(name)
    return names


def mostly_ok(failing: int, total: int, mostly: float) -> bool:
    """At least ``mostly`` of the considered rows pass (vacuously true with none)."""
    return total == 0 or (total - failing) / total >= mostly - 1e-12


def _row_result(view: FrameView, check: Check, outcome: RowOutcome, base: dict[str, Any]) -> CheckResult:
    mask = outcome.mask
    failing = int(np.count_nonzero(mask))
    total = outcome.total
    mostly = check.mostly if check.mostly is not None else 1.0
    positions = first_positions(mask) if failing else np.zeros(0, dtype=np.intp)
    sample = view.df.iloc[positions]
    if failing:
        share = f" ({failing / total:.2%})" if total else ""
        message = f"{failing:,} of {total:,} rows fail{share}"
        if mostly < 1.0:
            message += f"; mostly={mostly:g} allows {math.floor(total * (1 - mostly) + 1e-9):,}"
    else:
        message = f"all {total:,} rows pass"
    details = dict(outcome.details)
    if outcome.columns is not None:
        base["columns"] = outcome.columns
    return CheckResult(
        **base,
        passed=mostly_ok(failing, total, mostly),
        failing=failing,
        total=total,
        sample_index=[json_safe(label) for label in sample.index],
        sample=sample,
        observed=failing / total if total else None,
        message=message,
        quarantined=check.on_fail == "quarantine" and failing > 0,
        details=details,
        failing_mask=mask,
    )


def _agg_result(outcome: AggOutcome, base: dict[str, Any]) -> CheckResult:
    return CheckResult(
        **base,
        passed=outcome.passed,
        failing=outcome.failing if outcome.failing is not None else int(not outcome.passed),
        total=outcome.total if outcome.total is not None else 1,
        observed=outcome.observed,
        message=outcome.message,
        details=dict(outcome.details),
    )


def _past_values(history: History | None, name: str) -> list[float]:
    if history is None:
        return []
    raw = history.get(name) if isinstance(history, Mapping) else history(name)
    values = []
    for v in raw or ():
        if v is not None and math.isfinite(float(v)):
            values.append(float(v))
    return values


def apply_anomaly(result: CheckResult, history: History | None, k: float) -> None:
    """Fail ``result`` when its observed value is more than ``k`` sd from its history's mean."""
    if result.observed is None:
        return
    past = _past_values(history, result.check)
    if len(past) < MIN_HISTORY:
        result.details["anomaly"] = f"not enough history (n={len(past)} < {MIN_HISTORY})"
        return
    mean, std = statistics.fmean(past), statistics.stdev(past)
    deviation = abs(result.observed - mean)
    z = deviation / std if std > 0 else (0.0 if deviation <= 1e-12 * max(1.0, abs(mean)) else math.inf)
    result.details["anomaly"] = {"mean": mean, "std": std, "z": z, "k": k, "n": len(past)}
    if z > k:
        result.passed = False
        result.failing = max(result.failing, 1)
        result.message += (
            f"; anomaly: {z:.1f} sd from the mean {fmt(mean)} of the last {len(past)} runs (k={k:g})"
        )


def _run(view: FrameView, check: Check, name: str, ctx: EvalContext, history: History | None) -> CheckResult:
    started = time.perf_counter()
    base: dict[str, Any] = {
        "check": name,
        "kind": check.kind,
        "columns": check.columns,
        "severity": check.severity,
        "on_fail": check.on_fail,
    }
    try:
        outcome = check.evaluator(view, check, ctx)
        if isinstance(outcome, RowOutcome):
            result = _row_result(view, check, outcome, base)
        else:
            result = _agg_result(outcome, base)
        if check.anomaly is not None:
            apply_anomaly(result, history, check.anomaly)
    except ColumnError as exc:
        result = CheckResult(**base, passed=False, error=str(exc), message=str(exc))
    except Exception as exc:  # a check must never stop the run; report what broke instead
        text = " ".join(f"{type(exc).__name__}: {exc}".split())
        result = CheckResult(**base, passed=False, error=text, message=text)
    result.duration_s = time.perf_counter() - started
    return result


def _as_checks(checks: Check | Iterable[Check]) -> list[Check]:
    items: list[Any] = []
    given: list[Any] = [checks] if isinstance(checks, Check) else list(checks)
    for item in given:
        # a loaded suite may sit inside the list: checks=[qc.gx_suite(path), qc.not_null("id")]
        is_group = isinstance(item, list | tuple) and all(isinstance(c, Check) for c in item)
        items.extend(list(item) if is_group else [item])
    for i, item in enumerate(items):
        if not isinstance(item, Check):
            raise CheckDefinitionError(
                f"validate: checks[{i}] is a {type(item).__name__}, not a check from console.quality.checks"
            )
    return items


def validate(
    df: pd.DataFrame,
    checks: Check | Iterable[Check],
    *,
    history: History | None = None,
    frames: Mapping[str, Any] | None = None,
) -> Report:
    """Run ``checks`` on ``df`` and return a :class:`Report`.

    ``history`` gives past ``observed`` values of a check by name (newest last), as a
    callable or a mapping, for ``anomaly=`` bounds. ``frames`` maps upstream task names to
    their frames, for ``referential(column, "task.column")``.
    """
    items = _as_checks(checks)
    names = assign_names(items)
    if isinstance(df, pd.Series):
        df = df.to_frame()
    if not isinstance(df, pd.DataFrame):
        message = f"validate needs a pandas DataFrame, got {type(df).__name__}"
        return Report(
            [
                CheckResult(
                    check=n,
                    kind=c.kind,
                    columns=c.columns,
                    severity=c.severity,
                    on_fail=c.on_fail,
                    passed=False,
                    error=message,
                    message=message,
                )
                for c, n in zip(items, names, strict=True)
            ]
        )
    view = FrameView(df)
    ctx = EvalContext(frames=frames)
    results = [_run(view, check, name, ctx, history) for check, name in zip(items, names, strict=True)]
    return Report(results, rows=len(df))
