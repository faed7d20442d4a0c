"""Checks that values parse: ``date_parseable`` (dateutil), ``date_format`` (strptime),
``json_parseable`` and ``json_schema``.

Parsing is per value by nature; the values are factorised first so each distinct value is
parsed once and the verdicts are mapped back to the rows through the codes (a column of
10M timestamps drawn from a few thousand distinct strings costs a few thousand parses).
Nulls are ignored. Like Great Expectations, the date parsers refuse non-string values (a
column already read as datetimes has nothing left to parse) with an error result.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from console.errors import CheckDefinitionError
from console.quality.check import Check, EvalContext, RowOutcome, check_column, row_check
from console.quality.frameview import ColumnError, FrameView

__all__ = ["date_format", "date_parseable", "json_parseable", "json_schema"]


def per_distinct(view: FrameView, column: str, judge: Callable[[Any], bool]) -> RowOutcome:
    """Failing rows where ``judge(value)`` is False, judging each distinct non-null value once."""
    s = view.series(column)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    ok = np.fromiter((judge(v) for v in uniques), dtype=bool, count=len(uniques))
    mask = ~np.take(np.append(ok, True), codes)
    return RowOutcome(mask, view.non_null_count(column))


def _strings_only(kind: str, column: str) -> Callable[[Any], None]:
    def need(value: Any) -> None:
        if not isinstance(value, str):
            raise ColumnError(
                f"{kind}: column {column!r} holds a {type(value).__name__} ({value!r}); it needs strings"
            )

    return need


def eval_date_parseable(view: FrameView, check: Check, ctx: EvalContext) -> RowOutcome:
    """Values dateutil cannot read as a date or time."""
    from dateutil import parser

    need = _strings_only("date_parseable", check.columns[0])

    def judge(value: Any) -> bool:
        need(value)
        try:
            parser.parse(value)
        except (ValueError, OverflowError):
            return False
        return True

    return per_distinct(view, check.columns[0], judge)


def eval_date_format(view: FrameView, check: Check, ctx: EvalContext) -> RowOutcome:
    """Values ``datetime.strptime`` cannot read with the format."""
    fmt = check.params["format"]
    need = _strings_only("date_format", check.columns[0])

    def judge(value: Any) -> bool:
        need(value)
        try:
            dt.datetime.strptime(value, fmt)
        except ValueError:
            return False
        return True

    return per_distinct(view, check.columns[0], judge)


def _json(value: Any) -> bool:
    try:
        json.loads(value)
    except Exception:  # anything json cannot read, whatever the reason, is not JSON
        return False
    return True


def eval_json_parseable(view: FrameView, check: Check, ctx: EvalContext) -> RowOutcome:
    """Values that are not JSON text."""
    return per_distinct(view, check.columns[0], _json)


def eval_json_schema(view: FrameView, check: Check, ctx: EvalContext) -> RowOutcome:
    """Values that are not JSON text matching the schema."""
    import jsonschema

    validator = jsonschema.validators.validator_for(check.params["schema"])(check.params["schema"])

    def judge(value: Any) -> bool:
        try:
            document = json.loads(value)
        except (TypeError, ValueError) as exc:
            raise ColumnError(f"json_schema: {value!r} is not JSON text ({exc})") from None
        return bool(validator.is_valid(document))

    return per_distinct(view, check.columns[0], judge)


def _value_check(
    kind: str, column: str, evaluator: Any, params: dict[str, Any], label: str, **common: Any
) -> Check:
    column = check_column(kind, column)
    return row_check(
        kind,
        (column,),
        label.format(column=column),
        evaluator,
        params,
        common["mostly"],
        common["severity"],
        common["on_fail"],
        common["name"],
    )


def date_parseable(
    column: str,
    mostly: float = 1.0,
    *,
    severity: str = "error",
    on_fail: str = "fail",
    name: str | None = None,
) -> Check:
    """Text values dateutil can read as a date or time (``2024-01-05``, ``5 Jan 2024 10:00``)."""
    return _value_check(
        "date_parseable",
        column,
        eval_date_parseable,
        {},
        "date_parseable({column})",
        mostly=mostly,
        severity=severity,
        on_fail=on_fail,
        name=name,
    )


def date_format(
    column: str,
    format: str,
    mostly: float = 1.0,
    *,
    severity: str = "error",
    on_fail: str = "fail",
    name: str | None = None,
) -> Check:
    """Text values in the ``strptime`` format (``"%Y-%m-%d %H:%M"``)."""
    if not isinstance(format, str) or not format:
        raise CheckDefinitionError(f"date_format: format must be a strftime string, not {format!r}")
    try:  # a format that cannot round-trip a date is a definition error, not a data one
        dt.datetime.strptime(dt.datetime(2001, 2, 3, 4, 5, 6).strftime(format), format)
    except ValueError as exc:
        raise CheckDefinitionError(f"date_format: cannot use format {format!r}: {exc}") from None
    return _value_check(
        "date_format",
        column,
        eval_date_format,
        {"format": format},
        "date_format({column})",
        mostly=mostly,
        severity=severity,
        on_fail=on_fail,
        name=name,
    )


def json_parseable(
    column: str,
    mostly: float = 1.0,
    *,
    severity: str = "error",
    on_fail: str = "fail",
    name: str | None = None,
) -> Check:
    """Values are JSON text."""
    return _value_check(
        "json_parseable",
        column,
        eval_json_parseable,
        {},
        "json_parseable({column})",
        mostly=mostly,
        severity=severity,
        on_fail=on_fail,
        name=name,
    )


def json_schema(
    column: str,
    schema: Mapping[str, Any],
    mostly: float = 1.0,
    *,
    severity: str = "error",
    on_fail: str = "fail",
    name: str | None = None,
) -> Check:
    """Values are JSON text whose document matches the JSON Schema."""
    import jsonschema

    if not isinstance(schema, Mapping):
        raise CheckDefinitionError(f"json_schema: schema must be a JSON Schema object, not {schema!r}")
    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise CheckDefinitionError(f"json_schema: invalid schema: {exc.message}") from None
    return _value_check(
        "json_schema",
        column,
        eval_json_schema,
        {"schema": dict(schema)},
        "json_schema({column})",
        mostly=mostly,
        severity=severity,
        on_fail=on_fail,
        name=name,
    )
