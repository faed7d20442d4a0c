"""``ops_checks:`` in a dbt YAML file: ops-console's check families compiled to SQL, not pandas.

    models:
      - name: orders
        ops_checks:
          - between: {column: amount, min: 0, max: 10000, mostly: 0.99}
          - regex: {column: email, pattern: "^[^@]+@[^@]+$"}
          - row_count: {min: 100, anomaly: 3}
          - stat: {column: amount, name: mean, min: 1, max: 500}

Same semantics as the pandas checks: value checks ignore nulls, ``mostly`` is the share of
non-null values that must pass; aggregate checks observe one statistic (row count, distinct
count, age in seconds, mean...) and ``anomaly=k`` bounds it by the same check's history.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

from console.errors import SqlProjectError
from console.sql.nodes import Node, SqlProject

ROW_FAMILIES = (
    "not_null",
    "unique",
    "between",
    "isin",
    "not_in",
    "regex",
    "str_length",
    "compare",
    "expression",
)
AGG_FAMILIES = ("row_count", "distinct_count", "freshness", "stat")
STATS = {
    "mean": "avg({c})",
    "std": "stddev_samp({c})",
    "min": "min({c})",
    "max": "max({c})",
    "median": "median({c})",
    "sum": "sum({c})",
}
OPS = ("<", "<=", ">", ">=", "==", "!=")
MIN_HISTORY = 3
_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")


def ops_test_nodes(project: SqlProject) -> list[Node]:
    """One test node per declared ops check, named ``{family}_{model}_{column}``."""
    out = []
    for item in project.ops_checks:
        spec, file = item["spec"], Path(item["file"])
        if not isinstance(spec, dict) or len(spec) != 1:
            raise SqlProjectError(f"an ops check is a mapping with one key, not {spec!r}", str(file))
        family, args = next(iter(spec.items()))
        args = dict(args or {})
        if family not in ROW_FAMILIES + AGG_FAMILIES:
            raise SqlProjectError(
                f"ops check {family!r} is not known ({', '.join(ROW_FAMILIES + AGG_FAMILIES)})", str(file)
            )
        cols = args.get("columns") or ([args["column"]] if "column" in args else [])
        label = "_".join(str(c) for c in cols) or (str(args.get("name", "")) if family != "stat" else "")
        if family == "stat":
            label = f"{args.get('column')}_{args.get('name')}"
        name = args.pop("check_name", None) or "_".join(p for p in ("ops", family, item["model"], label) if p)
        severity = str(args.pop("severity", "error")).lower()
        out.append(
            Node(
                "test",
                name,
                file,
                config={"severity": severity, "anomaly": args.get("anomaly")},
                refs=[item["model"]],
                attached=item["model"],
                test={"type": f"ops:{family}", "args": args, "target": item["model"], "columns": cols},
            )
        )
    return out


def _bad_condition(family: str, args: dict[str, Any], col: str) -> str:
    if family == "between":
        parts = []
        if args.get("min") is not None:
            parts.append(f"{col} {'<=' if args.get('strict_min') else '<'} {float(args['min'])!r}")
        if args.get("max") is not None:
            parts.append(f"{col} {'>=' if args.get('strict_max') else '>'} {float(args['max'])!r}")
        return " OR ".join(parts) or "false"
    if family in ("isin", "not_in"):
        values = ", ".join(_literal(v) for v in args["values"])
        return f"{col} {'NOT ' if family == 'isin' else ''}IN ({values})"
    if family == "regex":
        return f"NOT regexp_matches(CAST({col} AS VARCHAR), {_literal(args['pattern'])})"
    if family == "str_length":
        parts = []
        if args.get("min") is not None:
            parts.append(f"length({col}) < {int(args['min'])}")
        if args.get("max") is not None:
            parts.append(f"length({col}) > {int(args['max'])}")
        return " OR ".join(parts) or "false"
    raise SqlProjectError(f"ops check {family!r}: unknown")


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def compile_row_check(family: str, args: dict[str, Any], model: str) -> tuple[str, str]:
    """(SQL of the failing rows, SQL counting the rows considered) for a row-level family."""
    if family == "not_null":
        cols = args.get("columns") or [args["column"]]
        return f"SELECT * FROM {model} WHERE " + " OR ".join(
            f"{c} IS NULL" for c in cols
        ), f"SELECT count(*) FROM {model}"
    if family == "unique":
        cols = ", ".join(args.get("columns") or [args["column"]])
        return (
            f"SELECT * FROM {model} WHERE ({cols}) IN (SELECT {cols} FROM {model} GROUP BY {cols}"
            " HAVING count(*) > 1)"
        ), f"SELECT count(*) FROM {model}"
    if family == "compare":
        op = str(args["op"])
        if op not in OPS:
            raise SqlProjectError(f"compare: op must be one of {' '.join(OPS)}")
        left, right = args["left"], args["right"]
        keep = f"{left} IS NOT NULL AND {right} IS NOT NULL"
        sql_op = "=" if op == "==" else op
        return (
            f"SELECT * FROM {model} WHERE {keep} AND NOT ({left} {sql_op} {right})",
            f"SELECT count(*) FROM {model} WHERE {keep}",
        )
    if family == "expression":
        expr = args["expr"]
        return f"SELECT * FROM {model} WHERE NOT coalesce(({expr}), false)", f"SELECT count(*) FROM {model}"
    col = args["column"]
    return (
        f"SELECT * FROM {model} WHERE {col} IS NOT NULL AND ({_bad_condition(family, args, col)})",
        f"SELECT count(*) FROM {model} WHERE {col} IS NOT NULL",
    )


def compile_aggregate(family: str, args: dict[str, Any], model: str) -> str:
    """SQL observing one statistic for an aggregate family."""
    if family == "row_count":
        return f"SELECT count(*) FROM {model}"
    col = args.get("column")
    if family == "distinct_count":
        return f"SELECT count(DISTINCT {col}) FROM {model}"
    if family == "freshness":
        return f"SELECT epoch(current_timestamp::TIMESTAMP) - epoch(max({col})::DOUBLE) FROM {model}"
    name = str(args.get("name", ""))
    if name.startswith("q"):
        return f"SELECT quantile_cont({col}, {float(name[1:])!r}) FROM {model}"
    if name not in STATS:
        raise SqlProjectError(
            f"stat: name must be one of {', '.join(STATS)} or qN (like q0.95), not {name!r}"
        )
    return f"SELECT {STATS[name].format(c=col)} FROM {model}"


def max_age_seconds(value: Any) -> float:
    if isinstance(value, int | float):
        return float(value)
    m = _AGE.match(str(value))
    if m is None:
        raise SqlProjectError(f"freshness: max_age like '36h', '2d' or seconds, not {value!r}")
    return float(m[1]) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[m[2]]


def aggregate_passes(family: str, args: dict[str, Any], observed: float | None) -> bool:
    if observed is None or (isinstance(observed, float) and math.isnan(observed)):
        return False
    if family == "freshness":
        return observed <= max_age_seconds(args["max_age"])
    lo, hi = args.get("min"), args.get("max")
    if lo is not None and (observed <= lo if args.get("strict_min") else observed < lo):
        return False
    return not (hi is not None and (observed >= hi if args.get("strict_max") else observed > hi))


def apply_anomaly(result: dict[str, Any], history: Callable[[str], list[float]] | None, k: Any) -> None:
    """As the pandas checks: fail when the observed value is more than ``k`` sd from its history's mean."""
    if k is None or history is None or result["observed"] is None:
        return
    past = [v for v in history(result["check"]) if v is not None and math.isfinite(v)]
    if len(past) < MIN_HISTORY:
        result["details"]["anomaly"] = f"not enough history (n={len(past)} < {MIN_HISTORY})"
        return
    mean, std = statistics.fmean(past), statistics.stdev(past)
    deviation = abs(result["observed"] - mean)
    z = deviation / std if std > 0 else (0.0 if deviation <= 1e-12 * max(1.0, abs(mean)) else math.inf)
    result["details"]["anomaly"] = {
        "mean": mean,
        "std": std,
        "z": z if math.isfinite(z) else "inf",
        "k": k,
        "n": len(past),
    }
    if z > float(k):
        result["passed"] = False
        result["failing"] = max(result["failing"], 1)
        result["message"] += (
            f"; anomaly: {z:.1f} sd from the mean {mean:g} of the last {len(past)} runs (k={k:g})"
        )
