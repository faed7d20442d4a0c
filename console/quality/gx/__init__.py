"""Great Expectations suites as ops-console checks.

    from console.quality.gx import load_suite
    checks = load_suite("suites/orders.json")      # or a dict already loaded
    validate(df, checks)

Every expectation type GX's own test definitions exercise on pandas is mapped to a native
check (:mod:`console.quality.checks`) with GX's semantics: ``mostly`` over non-null values,
nulls ignored by value checks, ``strict_min``/``strict_max``, ``ignore_row_if``,
``parse_strings_as_datetimes`` (0.x), and ``row_condition`` with the pandas parser. An
unknown expectation type or argument is refused with a :class:`GXSuiteError` naming the
expectation; nothing is skipped silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from console.errors import CheckDefinitionError, GXSuiteError
from console.quality.check import Check
from console.quality.gx import column_types, frame_types
from console.quality.gx.arguments import Args
from console.quality.gx.conditions import filtered
from console.quality.gx.export import suite_from_checks
from console.quality.gx.suite_file import Expectation, Suite, read

__all__ = ["SUPPORTED", "GXSuiteError", "load_suite", "read_suite", "suite_from_checks"]

BUILDERS = {**column_types.TYPES, **frame_types.TYPES}
SUPPORTED = tuple(sorted(BUILDERS))
_COLUMN_KEYS = ("column", "column_A", "column_B")


def _label(e: Expectation) -> str:
    cols = [str(e.kwargs[k]) for k in _COLUMN_KEYS if isinstance(e.kwargs.get(k), str)]
    listed = e.kwargs.get("column_list") or e.kwargs.get("column_set")
    if (
        not cols
        and isinstance(listed, list)
        and e.type.startswith(("expect_compound", "expect_multicolumn", "expect_select"))
    ):
        cols = [str(c) for c in listed]
    return f"{e.type}({', '.join(cols)})"


def build(e: Expectation) -> Check:
    """The native check for one expectation (refusing unknown types and arguments)."""
    builder = BUILDERS.get(e.type)
    if builder is None:
        if "like_pattern" in e.type:
            raise GXSuiteError(f"{e.where}: a SQL LIKE expectation (GX runs it on SQL only); use a regex one")
        raise GXSuiteError(f"{e.where}: unknown expectation type; ops-console runs {len(BUILDERS)} GX types")
    a = Args(e)
    try:
        check = builder(a, {"severity": e.severity, "name": _label(e)})
        condition, parser = a.get("row_condition"), a.get("condition_parser")
        check = filtered(check, condition, parser, (), e.where)
    except GXSuiteError:
        raise
    except CheckDefinitionError as exc:
        raise GXSuiteError(f"{e.where}: {exc.message}") from None
    except (TypeError, ValueError, KeyError) as exc:
        raise GXSuiteError(f"{e.where}: bad arguments: {exc}") from None
    unknown = a.leftover()
    if unknown:
        raise GXSuiteError(f"{e.where}: unknown argument {', '.join(map(repr, unknown))}")
    return check


def read_suite(source: str | Path | Mapping[str, Any]) -> Suite:
    """The suite's name and expectations, without building checks."""
    return read(source)


def load_suite(source: str | Path | Mapping[str, Any]) -> list[Check]:
    """Read a GX suite (a JSON file path or a dict, GX 1.x or 0.x) as a list of checks."""
    return [build(e) for e in read(source).expectations]
