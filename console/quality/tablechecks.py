"""Checks on the frame's shape: ``column_count``, ``columns_match`` and ``column_exists``.

They judge the column names only, so they run in constant time whatever the rows.
(``row_count(min=n, max=n)`` is the row count check.)
"""

from __future__ import annotations

from collections.abc import Iterable

from console.errors import CheckDefinitionError
from console.quality.aggchecks import expected, fmt, within
from console.quality.check import AggOutcome, Check, EvalContext, check_bounds, check_column, frame_check
from console.quality.frameview import ColumnError, FrameView

__all__ = ["column_count", "column_exists", "columns_match", "same_row_count"]


def eval_column_count(view: FrameView, check: Check, ctx: EvalContext) -> AggOutcome:
    """Number of columns within bounds."""
    n = view.df.shape[1]
    lo, hi = check.params["min"], check.params["max"]
    return AggOutcome(within(n, lo, hi), float(n), f"{fmt(n)} columns (expected {expected(lo, hi)})")


def eval_columns_match(view: FrameView, check: Check, ctx: EvalContext) -> AggOutcome:
    """Columns equal to the list (in order), or to the set, or (not exact) include the set."""
    actual = [str(c) for c in view.df.columns]
    wanted: list[str] = check.params["columns"]
    extra = [c for c in actual if c not in wanted]
    missing = [c for c in wanted if c not in actual]
    if check.params["ordered"]:
        ok = actual == wanted
        moved = [
            f"{i}: {a!r} not {w!r}" for i, (a, w) in enumerate(zip(actual, wanted, strict=False)) if a != w
        ]
        message = (
            "columns as listed"
            if ok
            else "; ".join(filter(None, [", ".join(moved[:5]), _diff(extra, missing)]))
        )
    else:
        ok = not missing and (not extra or not check.params["exact"])
        message = _diff(extra if check.params["exact"] else [], missing) or "columns as expected"
    details = {"extra": extra, "missing": missing, "columns": actual}
    return AggOutcome(ok, None, message, failing=int(not ok), details=details)


def _diff(extra: list[str], missing: list[str]) -> str:
    parts = []
    if missing:
        parts.append("missing " + ", ".join(missing))
    if extra:
        parts.append("unexpected " + ", ".join(extra))
    return "; ".join(parts)


def eval_column_exists(view: FrameView, check: Check, ctx: EvalContext) -> AggOutcome:
    """The column is present (at the given 0-based position, if one is given)."""
    column, index = check.columns[0], check.params["index"]
    actual = [str(c) for c in view.df.columns]
    if column not in actual:
        return AggOutcome(False, None, f"no column {column!r}")
    if index is not None and (index >= len(actual) or actual[index] != column):
        return AggOutcome(False, None, f"{column!r} is at position {actual.index(column)}, not {index}")
    return AggOutcome(True, None, f"{column!r} present at position {actual.index(column)}")


def eval_same_row_count(view: FrameView, check: Check, ctx: EvalContext) -> AggOutcome:
    """As many rows as the other frame (an upstream task's, from ``validate(..., frames=)``)."""
    other = check.params["other"]
    frames = ctx.frames or {}
    if other not in frames or not hasattr(frames[other], "__len__"):
        known = ", ".join(sorted(map(str, frames))) or "none given"
        raise ColumnError(f"same_row_count: no frame {other!r} (frames: {known})")
    theirs = len(frames[other])
    ok = view.n == theirs
    return AggOutcome(ok, float(view.n), f"{fmt(view.n)} rows, {other!r} has {fmt(theirs)}")


def column_count(
    min: int | None = None, max: int | None = None, *, severity: str = "error", name: str | None = None
) -> Check:
    """Number of columns within [min, max]."""
    check_bounds("column_count", min, max, numeric=True)
    params = {"min": min, "max": max}
    return frame_check(
        "column_count", (), "column_count()", eval_column_count, params, severity, "fail", name
    )


def columns_match(
    columns: Iterable[str],
    ordered: bool = False,
    exact: bool = True,
    *,
    severity: str = "error",
    name: str | None = None,
) -> Check:
    """The frame's columns are ``columns``: in that order with ``ordered``; as a set otherwise,
    where ``exact=False`` allows other columns too."""
    if isinstance(columns, str) or not isinstance(columns, Iterable):
        raise CheckDefinitionError("columns_match: columns must be a list of names")
    listed = [check_column("columns_match", c) for c in columns]
    params = {"columns": listed, "ordered": bool(ordered), "exact": bool(exact)}
    return frame_check(
        "columns_match", tuple(listed), "columns_match()", eval_columns_match, params, severity, "fail", name
    )


def column_exists(
    column: str, index: int | None = None, *, severity: str = "error", name: str | None = None
) -> Check:
    """The column is present, at 0-based position ``index`` if given."""
    column = check_column("column_exists", column)
    if index is not None and (isinstance(index, bool) or not isinstance(index, int) or index < 0):
        raise CheckDefinitionError(f"column_exists: index must be a position >= 0, not {index!r}")
    return frame_check(
        "column_exists",
        (column,),
        f"column_exists({column})",
        eval_column_exists,
        {"index": index},
        severity,
        "fail",
        name,
    )


def same_row_count(other: str, *, severity: str = "error", name: str | None = None) -> Check:
    """As many rows as the frame of ``other`` (an upstream task, or a key of ``validate(frames=)``)."""
    other = check_column("same_row_count", other)
    return frame_check(
        "same_row_count",
        (),
        f"same_row_count({other})",
        eval_same_row_count,
        {"other": other},
        severity,
        "fail",
        name,
    )
