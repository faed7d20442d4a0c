"""``monitor``, ``alerts`` and ``metrics`` from the shell: exit codes, --json shapes, errors."""

from __future__ import annotations

from typing import Any

from monitor_project import batch, write_project


def test_monitor_cli_from_no_model_to_alert_and_retrain(project: Any) -> None:
    write_project(project.root)
    listed = project.cli_json("monitor")
    assert [(m["name"], m["model"], m["every_s"], m["last_eval"]) for m in listed] == [
        ("m", "m", 3600.0, None)
    ]

    skipped = project.cli("monitor", "m", "--run", check=2)
    assert "could not evaluate: model 'm' has no registered version yet" in skipped.stderr
    assert "Traceback" not in skipped.stderr

    project.cli("run", "train", check=0)
    batch(project.root, "b1.csv")
    quiet = project.cli_json("monitor", "m", "--run", check=0)
    assert quiet["status"] == "ok" and quiet["alerts"] == [] and quiet["version"] == 1
    assert [r["fired"] for r in quiet["rules"]] == [False, False]

    batch(project.root, "b2.csv", shift=2.0, flip=True)
    fired = project.cli_json("monitor", "m", "--run", check=1)
    assert fired["status"] == "alert"
    assert {a["rule"] for a in fired["alerts"]} == {"psi > 0.2", "accuracy < 0.8"}
    (action,) = fired["actions"]
    assert (action["pipeline"], action["trigger"], action["status"]) == ("train", "alert", "succeeded")
    assert action["gate"][0]["challenger"] == 2 and action["gate"][0]["champion"] == 1

    shown = project.cli_json("monitor", "m", check=1)  # the latest evaluation is in alert
    assert shown["last_eval"]["status"] == "alert"
    psi = next(m for m in shown["metrics"] if m["name"] == "psi")
    assert psi["fired"] and psi["rules"][0]["threshold"] == 0.2
    assert psi["trend"]["direction"] == "up" and psi["trend"]["previous"] < 0.2
    assert shown["drift"][0]["column"] == "a" and shown["drift"][0]["verdict"] == "alert"
    assert [h["status"] for h in shown["history"]] == ["skipped", "ok", "alert"]

    alerts = project.cli_json("alerts")
    assert len(alerts) == 2
    first = alerts[-1]
    assert {
        "id",
        "at",
        "monitor",
        "rule",
        "metric",
        "value",
        "threshold",
        "evidence",
        "action",
        "action_run_id",
    } <= set(first)
    assert first["action"] == "retrain:train" and first["action_run_id"] == action["run_id"]
    assert first["action_status"] == "succeeded" and "drift" in first["evidence"]

    text = project.cli("alerts", check=0).stdout
    assert "psi > 0.2" in text and "retrain:train" in text and "1/2 columns drifted: a" in text

    assert project.cli_json("alerts", "--ack") == {"acknowledged": 2}
    assert project.cli_json("alerts") == []
    assert len(project.cli_json("alerts", "--all")) == 2

    latest = project.cli_json("metrics")
    origins = {(m["name"], m["monitor"] or m["pipeline"]) for m in latest}
    assert {("accuracy", "train"), ("accuracy", "m"), ("psi", "m")} <= origins
    assert not any("." in m["name"] for m in latest)
    psi_series = project.cli_json("metrics", "psi", "--monitor", "m")
    assert [p["version"] for p in psi_series["points"]] == [1, 1]
    assert all(p["model"] == "m" and p["source"] == "monitor" for p in psi_series["points"])
    per_version = project.cli_json("metrics", "accuracy", "--model", "m", "--by-version")
    assert [(v["version"], v["n"]) for v in per_version["versions"]] == [(1, 2)]  # two evaluations of v1


def test_monitor_cli_errors_are_one_line_exit_2(project: Any) -> None:
    write_project(project.root)
    unknown = project.cli("monitor", "nope", check=2)
    assert unknown.stderr.strip() == "opsconsole: error: unknown monitor: 'nope' (known: m)"
    assert "needs a monitor NAME" in project.cli("monitor", "--run", check=2).stderr
    assert "unknown metric: 'nope'" in project.cli("metrics", "nope", check=2).stderr
    assert "needs a metric NAME and --model" in project.cli("metrics", "--by-version", check=2).stderr
    assert "unknown alert: 99" in project.cli("alerts", "--ack", "99", check=2).stderr
    refused = project.cli("monitor", "m", "--run", "--read-only", check=2)
    assert "read-only" in refused.stderr
