"""A fixed demo store for snapshots: fixed ids, timestamps, logs, checks, models, metrics, alerts."""

from __future__ import annotations

import json
from typing import Any

from console.store.runs import create_run

T0 = 1_790_000_000.0  # a fixed instant; the console's clock is T0 + NOW_OFFSET
NOW_OFFSET = 600.0
BROKEN = "from console import Pipeline\n\np = Pipeline('broken_thing'\n"

RUNS: list[dict[str, Any]] = [
    {
        "pipeline": "quick",
        "status": "succeeded",
        "trigger": "manual",
        "start": 0,
        "took": 1.2,
        "tasks": {"numbers": "succeeded", "total": "succeeded"},
    },
    {
        "pipeline": "flaky",
        "status": "failed",
        "trigger": "schedule",
        "start": 60,
        "took": 4.0,
        "tasks": {"first": "succeeded", "boom": "failed"},
        "error": "task 'boom' failed: ValueError: boom",
    },
    {
        "pipeline": "quick",
        "status": "succeeded",
        "trigger": "rerun",
        "start": 120,
        "took": 0.8,
        "tasks": {"numbers": "succeeded", "total": "succeeded"},
    },
    {
        "pipeline": "slow",
        "status": "cancelled",
        "trigger": "file",
        "start": 300,
        "took": 12.5,
        "tasks": {"wait": "cancelled", "after": "cancelled"},
    },
    {
        "pipeline": "slow",
        "status": "running",
        "trigger": "manual",
        "start": 570,
        "took": None,
        "tasks": {"wait": "running", "after": "queued"},
    },
]


def fill(session: Any) -> None:
    """Write the demo runs and everything around them into ``session``'s store."""
    store = session.store
    db = store.db
    for i, spec in enumerate(RUNS, start=1):
        tasks = list(spec["tasks"])
        run_id = create_run(
            db,
            spec["pipeline"],
            trigger=spec["trigger"],
            params={"n": 3} if spec["pipeline"] == "quick" else {},
            tasks=[(name, tasks[:k]) for k, name in enumerate(tasks)],
        )
        assert run_id == i
        start = T0 + spec["start"]
        end = start + spec["took"] if spec["took"] is not None else None
        done = sum(s not in ("queued", "running") for s in spec["tasks"].values())
        db.execute(
            "UPDATE runs SET status=?, created_at=?, started_at=?, ended_at=?, n_done=?, error=? WHERE id=?",
            (spec["status"], start, start, end, done, spec.get("error"), run_id),
        )
        for k, (name, status) in enumerate(spec["tasks"].items()):
            took = None if status in ("queued", "running") else 0.25 * (k + 1)
            error = "ValueError: boom: bad input row 7" if status == "failed" else None
            db.execute(
                "UPDATE tasks SET status=?, attempts=?, started_at=?, duration_s=?, error=? WHERE run_id=? AND name=?",
                (status, 0 if status == "queued" else 1, start, took, error, run_id, name),
            )
        db.execute("UPDATE events SET at=? WHERE run_id=?", (start, run_id))
    logs = {
        (2, "boom"): [
            "08:01:00 attempt 1",
            "08:01:01 reading rows",
            "Traceback (most recent call last):",
            '  File "pipelines/flaky.py", line 12, in boom',
            "ValueError: boom: bad input row 7",
        ],
        (1, "total"): [f"08:00:01 line {i}" for i in range(3)],
    }
    for (run_id, task), lines in logs.items():
        path = store.log_path(run_id, task)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{ln}\n" for ln in lines))
    _checks(db)
    _models(db)
    _monitoring(db)


def _checks(db: Any) -> None:
    sample = [{"index": i, "row": {"id": i, "amount": -5.0 * i, "country": "XX"}} for i in (3, 8, 11)]
    rows = [
        (1, "quick", "numbers", "row_count()", "row_count", [], "error", 1, 0, 1, 3.0, None, {}),
        (2, "flaky", "first", "not_null(amount)", "not_null", ["amount"], "error", 1, 0, 500, 0.0, None, {}),
        (
            2,
            "flaky",
            "first",
            "between(amount)",
            "between",
            ["amount"],
            "error",
            0,
            3,
            500,
            0.006,
            None,
            {"sample": sample, "sample_index": [3, 8, 11]},
        ),
        (
            2,
            "flaky",
            "first",
            "isin(country)",
            "isin",
            ["country"],
            "warn",
            0,
            3,
            500,
            0.006,
            None,
            {"sample": sample, "sample_index": [3, 8, 11]},
        ),
        (3, "quick", "numbers", "row_count()", "row_count", [], "error", 1, 0, 1, 4.0, None, {}),
    ]
    for k, (
        run_id,
        pipeline,
        task,
        name,
        kind,
        cols,
        sev,
        passed,
        failing,
        total,
        obs,
        err,
        detail,
    ) in enumerate(rows):
        db.execute(
            "INSERT INTO checks (run_id, pipeline, task, check_name, kind, columns, severity, passed, failing,"
            " total, observed, error, duration_s, detail, at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                run_id,
                pipeline,
                task,
                name,
                kind,
                json.dumps(cols),
                sev,
                passed,
                failing,
                total,
                obs,
                err,
                0.001,
                json.dumps(detail),
                T0 + 60 * k,
            ),
        )


def _models(db: Any) -> None:
    for version, acc in ((1, 0.91), (2, 0.94), (3, 0.93)):
        db.execute(
            "INSERT INTO model_versions (name, version, created_at, sha256, size, data_sha256, run_id, task,"
            " metrics, params, env) VALUES ('churn', ?, ?, ?, 2048, ?, ?, 'train', ?, ?, ?)",
            (
                version,
                T0 + 100 * version,
                f"{version:02d}" * 32,
                f"d{version}" * 32,
                version,
                json.dumps({"accuracy": acc, "auc": acc + 0.03}),
                json.dumps({"C": 1.0 * version}),
                json.dumps({"python": "3.11.7", "sklearn": "1.7.0"}),
            ),
        )
    db.execute("INSERT INTO aliases (name, alias, version) VALUES ('churn', 'production', 2)")
    db.execute("INSERT INTO aliases (name, alias, version) VALUES ('churn', 'staging', 3)")
    for k, (alias, frm, to, why, cmd) in enumerate(
        (
            ("production", None, 1, "first model", "promote: cli"),
            ("production", 1, 2, "promoted in the console after the March holdout review", "gate: run 2"),
            ("staging", None, 3, "try it", "promote: cli"),
        )
    ):
        db.execute(
            "INSERT INTO alias_history (at, user, name, alias, from_version, to_version, reason, command)"
            " VALUES (?, 'ops', 'churn', ?, ?, ?, ?, ?)",
            (T0 + 150 + 60 * k, alias, frm, to, why, cmd),
        )
    db.execute(
        "INSERT INTO gate_decisions (at, name, challenger, champion, metric, challenger_score,"
        " champion_score, promoted, reason, run_id) VALUES (?, 'churn', 3, 2, 'accuracy', 0.93, 0.94, 0,"
        " 'accuracy 0.93 < champion 0.94', 3)",
        (T0 + 400,),
    )


def _monitoring(db: Any) -> None:
    for i, (acc, psi) in enumerate(((0.94, 0.02), (0.93, 0.05), (0.92, 0.09), (0.90, 0.18), (0.86, 0.31))):
        evidence = {
            "drift": {
                "columns": {
                    "amount": {
                        "kind": "numeric",
                        "psi": psi,
                        "ks_stat": psi / 2,
                        "verdict": "alert" if psi > 0.25 else "ok",
                        "distribution": {
                            "labels": ["≤10", "≤25", "≤50", "≤100", ">100"],
                            "ref": [0.2, 0.2, 0.2, 0.2, 0.2],
                            "cur": [0.2 - psi / 2, 0.2 - psi / 4, 0.2, 0.2 + psi / 4, 0.2 + psi / 2],
                        },
                    },
                    "country": {
                        "kind": "categorical",
                        "psi": 0.01,
                        "js_distance": 0.02,
                        "verdict": "ok",
                        "distribution": {
                            "labels": ["FR", "DE", "other"],
                            "ref": [0.5, 0.3, 0.2],
                            "cur": [0.48, 0.31, 0.21],
                        },
                    },
                }
            }
        }
        cur = db.execute(
            "INSERT INTO monitor_evals (monitor, at, model, version, metrics, evidence) VALUES"
            " ('churn_watch', ?, 'churn', 2, ?, ?)",
            (T0 + 60 * i, json.dumps({"accuracy": acc, "psi": psi}), json.dumps(evidence)),
        )
        for name, value in (("accuracy", acc), ("psi", psi)):
            db.execute(
                "INSERT INTO metrics (name, value, step, at, model, version, source) VALUES (?, ?, ?, ?, 'churn', 2,"
                " 'monitor')",
                (name, value, cur.lastrowid, T0 + 60 * i),
            )
    # the training pipeline's own accuracy: a series of its own, never mixed with the monitor's
    for run_id, acc in ((1, 0.97), (3, 0.98)):
        db.execute(
            "INSERT INTO metrics (name, value, at, run_id, pipeline, task, source) VALUES"
            " ('accuracy', ?, ?, ?, 'quick', 'total', 'task')",
            (acc, T0 + 30 * run_id, run_id),
        )
    db.execute(
        "INSERT INTO alerts (at, monitor, rule, metric, value, threshold, severity, action) VALUES"
        " (?, 'churn_watch', 'psi > 0.25', 'psi', 0.31, 0.25, 'alert', 'retrain')",
        (T0 + 240,),
    )
