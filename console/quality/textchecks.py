"""Pattern checks beyond ``regex``: ``regex_list`` (any or all of several patterns),
``not_regex`` and ``not_regex_list``.

Like ``regex`` they use search semantics (``re.search``), judge non-strings on their text
form, ignore nulls, and on a categorical column judge each category once.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from console.errors import CheckDefinitionError
from console.quality.check import Check, EvalContext, RowOutcome, check_column, row_check
from console.quality.frameview import FrameView
from console.quality.rowchecks import per_value

__all__ = ["not_regex", "not_regex_list", "regex_list"]


def _found(text: pd.Series, pattern: str) -> np.ndarray:
    hits = text.str.contains(pattern, regex=True, na=False)
    return np.asarray(hits.to_numpy(dtype=bool, na_value=False), dtype=bool)


def eval_patterns(view: FrameView, check: Check, ctx: EvalContext) -> RowOutcome:
    """Failing rows for ``regex_list``/``not_regex_list`` (``not_regex`` is a list of one)."""
    column = check.columns[0]
    patterns: tuple[str, ...] = check.params["patterns"]
    match_on: str = check.params["match_on"]
    negate: bool = check.params["negate"]

    def judge(text: pd.Series) -> np.ndarray:
        hits = [_found(text, p) for p in patterns]
        if negate:  # a value fails when any pattern is found in it
            return np.asarray(np.logical_or.reduce(hits), dtype=bool)
        combined = np.logical_and.reduce(hits) if match_on == "all" else np.logical_or.reduce(hits)
        return ~np.asarray(combined, dtype=bool)

    return RowOutcome(per_value(view, column, judge), view.non_null_count(column))


def _patterns(kind: str, patterns: Iterable[str]) -> tuple[str, ...]:
    import re

    if isinstance(patterns, str) or not isinstance(patterns, Iterable):
        raise CheckDefinitionError(f"{kind}: patterns must be a list of regular expressions")
    found = tuple(patterns)
    if not found or not all(isinstance(p, str) for p in found):
        raise CheckDefinitionError(f"{kind}: give at least one pattern, each a string")
    for p in found:
        try:
            re.compile(p)
        except re.error as exc:
            raise CheckDefinitionError(f"{kind}: pattern {p!r} is not valid: {exc}") from None
    return found


def regex_list(
    column: str,
    patterns: Iterable[str],
    match_on: str = "any",
    mostly: float = 1.0,
    *,
    severity: str = "error",
    on_fail: str = "fail",
    name: str | None = None,
) -> Check:
    """Each value matches any (``match_on="any"``) or all (``"all"``) of the patterns."""
    column = check_column("regex_list", column)
    if match_on not in ("any", "all"):
        raise CheckDefinitionError(f"regex_list: match_on must be 'any' or 'all', not {match_on!r}")
    params = {"patterns": _patterns("regex_list", patterns), "match_on": match_on, "negate": False}
    return row_check(
        "regex_list",
        (column,),
        f"regex_list({column})",
        eval_patterns,
        params,
        mostly,
        severity,
        on_fail,
        name,
    )


def not_regex(
    column: str,
    pattern: str,
    mostly: float = 1.0,
    *,
    severity: str = "error",
    on_fail: str = "fail",
    name: str | None = None,
) -> Check:
    """The pattern is found in no value."""
    column = check_column("not_regex", column)
    params = {"patterns": _patterns("not_regex", [pattern]), "match_on": "any", "negate": True}
    return row_check(
        "not_regex", (column,), f"not_regex({column})", eval_patterns, params, mostly, severity, on_fail, name
    )


def not_regex_list(
    column: str,
    patterns: Iterable[str],
    mostly: float = 1.0,
    *,
    severity: str = "error",
    on_fail: str = "fail",
    name: str | None = None,
) -> Check:
    """None of the patterns is found in any value."""
    column = check_column("not_regex_list", column)
    params = {"patterns": _patterns("not_regex_list", patterns), "match_on": "any", "negate": True}
    return row_check(
        "not_regex_list",
        (column,),
        f"not_regex_list({column})",
        eval_patterns,
        params,
        mostly,
        severity,
        on_fail,
        name,
    )
