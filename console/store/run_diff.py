"""What changed between two runs (``opsconsole diff A B``): params, code, tasks, metrics, checks, rows.

The code diff needs both pipeline sources, stored by sha256 when a run starts; runs from
before that (or whose text is gone) say ``"diff": null`` and compare digests only. Runs of
different pipelines can be compared too: the result says so in ``same_pipeline``/``note``.
Row counts are the frames' sizes the tasks' checks saw (the only row counts a run records).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from typing import Any

from console.store.db import Database
from console.store.runs import get_run_row, get_tasks, iso
from console.store.sources import get_source


def diff_runs(db: Database, a_id: int, b_id: int) -> dict[str, Any]:
    """The ``diff --json`` object of runs ``a_id`` and ``b_id``."""
    a, b = get_run_row(db, a_id), get_run_row(db, b_id)
    same = a["pipeline"] == b["pipeline"]
    pa, pb = json.loads(a["params"] or "{}"), json.loads(b["params"] or "{}")
    params = {k: [pa.get(k), pb.get(k)] for k in sorted(set(pa) | set(pb))}
    out: dict[str, Any] = {
        "a": _brief(a),
        "b": _brief(b),
        "same_pipeline": same,
        "note": None if same else f"runs of different pipelines: {a['pipeline']} and {b['pipeline']}",
        "params": params,
        "params_changed": [k for k, (x, y) in params.items() if x != y],
        "source": _source(db, a, b),
        "tasks": _tasks(db, a_id, b_id),
        "metrics": _metrics(db, a_id, b_id),
        "checks": _checks(db, a_id, b_id),
        "rows": _rows(db, a_id, b_id),
    }
    return out


def _brief(run: Mapping[str, Any]) -> dict[str, Any]:
    took = run["ended_at"] - run["started_at"] if run["ended_at"] and run["started_at"] else None
    return {
        "id": run["id"],
        "pipeline": run["pipeline"],
        "status": run["status"],
        "started_at": iso(run["started_at"]),
        "duration_s": round(took, 6) if took is not None else None,
        "source_sha256": run["source_sha256"],
        "git_commit": run["git_commit"],
    }


def _source(db: Database, a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    sa, sb = a["source_sha256"], b["source_sha256"]
    changed = sa != sb
    text = None
    if changed:
        ta, tb = get_source(db, sa), get_source(db, sb)
        if ta is not None and tb is not None:
            text = "".join(
                difflib.unified_diff(
                    ta.splitlines(keepends=True),
                    tb.splitlines(keepends=True),
                    fromfile=f"run {a['id']} ({(sa or '')[:12]})",
                    tofile=f"run {b['id']} ({(sb or '')[:12]})",
                )
            )
    return {
        "changed": changed,
        "diff": text,
        "sha256": [sa, sb],
        "git_commit": [a["git_commit"], b["git_commit"]],
        "known": not changed or text is not None,
    }


def _tasks(db: Database, a_id: int, b_id: int) -> list[dict[str, Any]]:
    ta = {t["name"]: t for t in get_tasks(db, a_id)}
    tb = {t["name"]: t for t in get_tasks(db, b_id)}
    names = list(ta) + [n for n in tb if n not in ta]

    def side(t: Mapping[str, Any] | None) -> dict[str, Any] | None:
        if t is None:
            return None
        return {"status": t["status"], "duration_s": t["duration_s"], "attempts": t["attempts"]}

    out = []
    for n in names:
        x, y = side(ta.get(n)), side(tb.get(n))
        delta = x["duration_s"] - y["duration_s"] if x and y and x["duration_s"] is not None and y["duration_s"] is not None else None
        out.append({
            "task": n, "a": x, "b": y,
            "status_changed": (x or {}).get("status") != (y or {}).get("status"),
            "duration_delta_s": round(-delta, 6) if delta is not None else None,
        })
    return out


def _metrics(db: Database, a_id: int, b_id: int) -> dict[str, list[float | None]]:
    def last(run_id: int) -> dict[str, float]:
        rows = db.query("SELECT name, value FROM metrics WHERE run_id=? ORDER BY id", (run_id,))
        return {r["name"]: r["value"] for r in rows}

    ma, mb = last(a_id), last(b_id)
    return {k: [ma.get(k), mb.get(k)] for k in sorted(set(ma) | set(mb))}


def _check_rows(db: Database, run_id: int) -> dict[tuple[str, str], dict[str, Any]]:
    rows = db.query(
        "SELECT task, check_name, passed, failing, total, severity FROM checks WHERE run_id=? ORDER BY id", (run_id,)
    )
    return {(r["task"], r["check_name"]): dict(r) for r in rows}


def _checks(db: Database, a_id: int, b_id: int) -> list[dict[str, Any]]:
    ca, cb = _check_rows(db, a_id), _check_rows(db, b_id)
    out = []
    for key in list(ca) + [k for k in cb if k not in ca]:
        x, y = ca.get(key), cb.get(key)
        if x and y and (x["passed"], x["failing"]) == (y["passed"], y["failing"]):
            continue
        out.append({
            "task": key[0], "check": key[1],
            "a": None if x is None else {"passed": bool(x["passed"]), "failing": x["failing"], "total": x["total"]},
            "b": None if y is None else {"passed": bool(y["passed"]), "failing": y["failing"], "total": y["total"]},
        })
    return out


def _rows(db: Database, a_id: int, b_id: int) -> dict[str, list[int | None]]:
    def counts(run_id: int) -> dict[str, int]:
        rows = db.query("SELECT task, max(total) AS n FROM checks WHERE run_id=? GROUP BY task", (run_id,))
        return {r["task"]: int(r["n"]) for r in rows}

    ra, rb = counts(a_id), counts(b_id)
    return {k: [ra.get(k), rb.get(k)] for k in sorted(set(ra) | set(rb))}
