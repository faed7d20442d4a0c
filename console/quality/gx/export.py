"""Native checks written as a GX 1.x suite (what ``opsconsole suggest --format gx`` prints).

Only checks with a GX counterpart are exported; any other is refused by name. ``schema``
becomes ``expect_table_columns_to_match_set`` plus one ``expect_column_values_to_be_in_type_list``
per typed column, with the numpy/pandas type names that make up the dtype family.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from console.errors import GXSuiteError
from console.quality.check import Check

_FAMILY_TYPES = {
    "int": ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
            "Int8Dtype", "Int16Dtype", "Int32Dtype", "Int64Dtype"],
    "float": ["float16", "float32", "float64", "Float32Dtype", "Float64Dtype"],
    "bool": ["bool", "BooleanDtype"],
    "string": ["str", "StringDtype"],
    "datetime": ["datetime64", "DatetimeTZDtype"],
    "timedelta": ["timedelta64"],
    "category": ["CategoricalDtype"],
    "object": ["object"],
}  # fmt: skip
_FAMILY_TYPES["integer"] = _FAMILY_TYPES["int"]
_FAMILY_TYPES["number"] = _FAMILY_TYPES["numeric"] = _FAMILY_TYPES["int"] + _FAMILY_TYPES["float"]
_FAMILY_TYPES["boolean"] = _FAMILY_TYPES["bool"]
_FAMILY_TYPES["str"] = _FAMILY_TYPES["string"]
_STATS = {"mean": "mean", "std": "stdev", "min": "min", "max": "max", "median": "median", "sum": "sum"}


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


def _expectation(kind: str, **kwargs: Any) -> dict[str, Any]:
    return {"type": kind, "kwargs": {k: _plain(v) for k, v in kwargs.items() if v is not None}, "meta": {}}


def _mostly(check: Check) -> dict[str, Any]:
    return {} if check.mostly in (None, 1.0) else {"mostly": check.mostly}


def _one(check: Check, frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    p, cols, k = check.params, check.columns, check.kind
    if k == "not_null":
        return [_expectation("expect_column_values_to_not_be_null", column=cols[0], **_mostly(check))]
    if k == "unique" and len(cols) == 1:
        return [_expectation("expect_column_values_to_be_unique", column=cols[0], **_mostly(check))]
    if k == "unique":
        return [
            _expectation("expect_compound_columns_to_be_unique", column_list=list(cols), **_mostly(check))
        ]
    if k == "between":
        return [_expectation(
            "expect_column_values_to_be_between", column=cols[0], min_value=p["min"], max_value=p["max"],
            strict_min=p["strict_min"] or None, strict_max=p["strict_max"] or None, **_mostly(check),
        )]  # fmt: skip
    if k in ("isin", "not_in") and not isinstance(p["values"], str):
        kind = "expect_column_values_to_be_in_set" if k == "isin" else "expect_column_values_to_not_be_in_set"
        return [
            _expectation(kind, column=cols[0], value_set=[_plain(v) for v in p["values"]], **_mostly(check))
        ]
    if k == "regex" and not p["flags"]:
        return [
            _expectation(
                "expect_column_values_to_match_regex", column=cols[0], regex=p["pattern"], **_mostly(check)
            )
        ]
    if k == "str_length":
        return [_expectation(
            "expect_column_value_lengths_to_be_between", column=cols[0], min_value=p["min"], max_value=p["max"],
            **_mostly(check),
        )]  # fmt: skip
    if k == "row_count" and check.anomaly is None:
        return [_expectation("expect_table_row_count_to_be_between", min_value=p["min"], max_value=p["max"])]
    if k == "distinct_count":
        return [_expectation(
            "expect_column_unique_value_count_to_be_between", column=cols[0], min_value=p["min"], max_value=p["max"]
        )]  # fmt: skip
    if k == "stat" and p["stat"] in _STATS and check.anomaly is None:
        return [_expectation(
            f"expect_column_{_STATS[p['stat']]}_to_be_between", column=cols[0], min_value=p["min"],
            max_value=p["max"], strict_min=p["strict_min"] or None, strict_max=p["strict_max"] or None,
        )]  # fmt: skip
    if k == "schema":
        return _schema(check, frame)
    raise GXSuiteError(f"check {check.display_name!r} has no Great Expectations counterpart to export")


def _schema(check: Check, frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    spec: dict[str, Any] = check.params["columns"]
    strict = check.params["strict"]
    out = [_expectation("expect_table_columns_to_match_set", column_set=list(spec), exact_match=strict)]
    for column, dtype in spec.items():
        if dtype is None:
            continue
        if frame is not None and column in frame.columns:
            out.append(_of_type(column, frame[column].dtype))
        elif str(dtype) in _FAMILY_TYPES:
            names = _FAMILY_TYPES[str(dtype)]
            out.append(
                _expectation("expect_column_values_to_be_in_type_list", column=column, type_list=names)
            )
        else:
            out.append(_of_type(column, pd.api.types.pandas_dtype(dtype)))
    return out


def _of_type(column: str, dtype: Any) -> dict[str, Any]:
    """GX's ``of_type`` compares the dtype's scalar type: ``int64``, ``str``, ``Timestamp``..."""
    return _expectation("expect_column_values_to_be_of_type", column=column, type_=dtype.type.__name__)


def suite_from_checks(
    checks: Iterable[Check], name: str, frame: pd.DataFrame | None = None
) -> dict[str, Any]:
    """A GX 1.x expectation suite (as a JSON-ready dict) doing what ``checks`` do; ``frame``
    (the reference the checks were suggested from) pins ``schema`` dtype families to its dtypes."""
    expectations = []
    for check in checks:
        for e in _one(check, frame):
            if check.severity == "warn":
                e["severity"] = "warning"
            expectations.append(e)
    return {"name": name, "expectations": expectations, "meta": {"generated_by": "ops-console"}}
