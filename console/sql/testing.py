"""dbt tests as SQL that returns failing rows, and their results as ordinary check results.

A generic test (``unique``, ``not_null``, ``accepted_values``, ``relationships``) compiles
to dbt's own query; a singular test is a file in ``tests/``. The number of rows it returns
is compared with ``error_if`` / ``warn_if`` (default ``!= 0``) as dbt does; up to 20 of the
rows become the sample the Quality tab shows.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
import time
from collections.abc import Callable
from typing import Any

from console.errors import SqlProjectError
from console.sql.compile import compile_node, strip_sql
from console.sql.materialize import existing_kind, one_line, q
from console.sql.nodes import Node, SqlProject

SAMPLE_ROWS = 20
History = Callable[[str], list[float]]
_CONDITION = re.compile(r"^\s*(==|=|!=|<>|>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$")


def _target(project: SqlProject, node: Node) -> str:
    assert node.test is not None
    target = node.test["target"]
    if target.startswith("source:"):
        src, _, table = target[len("source:") :].partition(".")
        relation = project.sources[(src, table)].relation()
    else:
        relation = project.nodes[target].relation()
    where = node.config.get("where")
    return f"(SELECT * FROM {relation} WHERE {where}) dbt_subquery" if where else relation


def _literal(value: Any, quote: bool) -> str:
    if not quote or isinstance(value, bool | int | float):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def generic_sql(project: SqlProject, node: Node) -> str:
    """dbt's SQL for a generic test: the rows that fail it."""
    assert node.test is not None
    kind, args = node.test["type"], node.test["args"]
    model, col = _target(project, node), args["column_name"]
    if kind == "not_null":
        return f"SELECT {col} FROM {model} WHERE {col} IS NULL"
    if kind == "unique":
        return (
            f"SELECT {col} AS unique_field, count(*) AS n_records FROM {model} WHERE {col} IS NOT NULL"
            f" GROUP BY {col} HAVING count(*) > 1"
        )
    if kind == "accepted_values":
        values = ", ".join(_literal(v, bool(args.get("quote", True))) for v in args["values"])
        return (
            f"WITH all_values AS (SELECT {col} AS value_field, count(*) AS n_records FROM {model}"
            f" GROUP BY {col}) SELECT * FROM all_values WHERE value_field NOT IN ({values})"
        )
    to = str(args["to"])
    ref = re.search(r"""ref\(\s*['"]([^'"]+)['"]""", to)
    parent = project.nodes[ref[1]].relation() if ref else _source_relation(project, to)
    return (
        f"WITH child AS (SELECT {col} AS from_field FROM {model} WHERE {col} IS NOT NULL),"
        f" parent AS (SELECT {args['field']} AS to_field FROM {parent})"
        " SELECT from_field FROM child LEFT JOIN parent ON child.from_field = parent.to_field"
        " WHERE parent.to_field IS NULL"
    )


def _source_relation(project: SqlProject, to: str) -> str:
    m = re.search(r"""source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]""", to)
    assert m is not None
    return project.sources[(m[1], m[2])].relation()


def _met(condition: str, failures: int, node: Node) -> bool:
    m = _CONDITION.match(str(condition))
    if m is None:
        raise SqlProjectError(
            f"test {node.name}: bad condition {condition!r} (like '!=0' or '>10')", str(node.file)
        )
    op, bound = m[1], float(m[2])
    return {
        "==": failures == bound,
        "=": failures == bound,
        "!=": failures != bound,
        "<>": failures != bound,
        ">=": failures >= bound,
        "<=": failures <= bound,
        ">": failures > bound,
        "<": failures < bound,
    }[op]


def _blank(node: Node, kind: str, columns: list[str], severity: str, sql: str) -> dict[str, Any]:
    return {
        "check": node.name,
        "kind": kind,
        "columns": columns,
        "severity": "warn" if severity == "warn" else "error",
        "on_fail": "fail",
        "passed": True,
        "failing": 0,
        "total": 0,
        "observed": None,
        "message": "",
        "error": None,
        "quarantined": False,
        "duration_s": 0.0,
        "sample_index": [],
        "sample": None,
        "details": {"sql": sql, "model": node.attached},
    }


def _sample(cur: Any, sql: str) -> list[dict[str, Any]] | None:
    sample_cur = cur.execute(f"SELECT * FROM (\n{sql}\n) dbt_internal_test LIMIT {SAMPLE_ROWS}")
    names = [d[0] for d in sample_cur.description]
    rows = sample_cur.fetchall()
    if not rows:
        return None
    return [
        {"index": i, "row": {n: json_value(v) for n, v in zip(names, row, strict=True)}}
        for i, row in enumerate(rows)
    ]


def run_ops_check(cur: Any, project: SqlProject, node: Node, history: History | None) -> dict[str, Any]:
    """An ``ops_checks:`` entry: its SQL, judged as the pandas check family would judge it."""
    from console.sql import ops_checks as oc

    t0 = time.perf_counter()
    assert node.test is not None
    family, args = node.test["type"][len("ops:") :], node.test["args"]
    model = _target(project, node)
    severity = str(node.config.get("severity", "error"))
    try:
        if family in oc.ROW_FAMILIES:
            failing_sql, total_sql = oc.compile_row_check(family, args, model)
            result = _blank(node, family, node.test["columns"], severity, failing_sql)
            failing = int(cur.execute(f"SELECT count(*) FROM ({failing_sql}) t").fetchone()[0])
            total = int(cur.execute(total_sql).fetchone()[0])
            mostly = float(args.get("mostly", 1.0))
            passed = failing <= (1.0 - mostly) * total + 1e-9
            result.update(
                failing=failing,
                total=total,
                passed=passed,
                observed=failing / total if total else 0.0,
                message=f"{failing}/{total} failing",
                sample=_sample(cur, failing_sql) if failing else None,
            )
            result["sample_index"] = list(range(len(result["sample"] or [])))
        else:
            sql = oc.compile_aggregate(family, args, model)
            result = _blank(node, family, node.test["columns"], severity, sql)
            value = cur.execute(sql).fetchone()[0]
            observed = None if value is None else float(value)
            passed = oc.aggregate_passes(family, args, observed)
            result.update(
                observed=observed,
                passed=passed,
                failing=int(not passed),
                total=1,
                message=f"observed {observed:g}" if observed is not None else "no value (empty table?)",
            )
    except SqlProjectError as exc:
        raise SqlProjectError(exc.reason, str(node.file)) from exc
    except Exception as exc:  # noqa: BLE001 - a check that cannot run is an error result
        result = _blank(node, family, node.test["columns"], severity, "")
        result.update(passed=False, error=f"{node.file}: {one_line(exc)}", message=one_line(exc))
    oc.apply_anomaly(result, history, node.config.get("anomaly"))
    result["duration_s"] = round(time.perf_counter() - t0, 6)
    return result


def run_test(
    cur: Any, project: SqlProject, node: Node, variables: dict[str, Any], history: History | None = None
) -> dict[str, Any]:
    """Run one test; return its check result in the Quality shape (``CheckResult.to_dict``)."""
    if node.test is not None and node.test["type"].startswith("ops:"):
        return run_ops_check(cur, project, node, history)
    t0 = time.perf_counter()
    assert node.test is not None or node.raw
    sql = (
        generic_sql(project, node)
        if node.test
        else strip_sql(
            compile_node(project, node, variables, lambda s, n: existing_kind(cur, s, n) is not None)
        )
    )
    severity = str(node.config.get("severity", "error")).lower()
    columns = [node.test["args"]["column_name"]] if node.test else []
    result = _blank(node, node.test["type"] if node.test else "singular", columns, severity, sql)
    total_sql = "NULL"
    if node.test and not node.test["target"].startswith("source:"):
        model = project.nodes[node.test["target"]]
        total_sql = f"(SELECT count(*) FROM {q(model.schema)}.{q(model.identifier)})"
    try:
        # the failing rows and the model's size in one query (one parse, plan and round trip)
        row = cur.execute(
            f"SELECT (SELECT count(*) FROM (\n{sql}\n) dbt_internal_test), {total_sql}"
        ).fetchone()
        failures = int(row[0])
        if row[1] is not None:
            result["total"] = int(row[1])
        sample = _sample(cur, sql) if failures else None
    except Exception as exc:  # noqa: BLE001 - a test that cannot run is an error result, like Quality's
        if isinstance(exc, SqlProjectError):
            raise
        result.update(passed=False, error=f"{node.file}: {one_line(exc)}", message=one_line(exc))
        result["duration_s"] = round(time.perf_counter() - t0, 6)
        return result
    should_error = _met(node.config.get("error_if", "!=0"), failures, node)
    should_warn = _met(node.config.get("warn_if", "!=0"), failures, node)
    if severity == "error" and should_error:
        status = "error"
    elif should_warn:
        status, result["severity"] = "warn", "warn"
    else:
        status = "pass"
    result.update(
        passed=status == "pass",
        failing=failures,
        observed=float(failures),
        message=f"{failures} failing row{'s' if failures != 1 else ''}"
        + ("" if status == "pass" else f" ({status})"),
        sample_index=list(range(len(sample or []))),
        sample=sample,
        duration_s=round(time.perf_counter() - t0, 6),
    )
    result["details"]["status"] = status
    from console.sql.ops_checks import apply_anomaly

    apply_anomaly(result, history, node.config.get("anomaly"))
    return result


def json_value(value: Any) -> Any:
    """A DuckDB value for JSON: dates and timestamps as ISO text, decimals as numbers."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else ("inf" if value > 0 else "-inf" if value < 0 else None)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return float(value) if value.is_finite() else str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    return str(value)
