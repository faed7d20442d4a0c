"""``store --check`` verifies the artifacts the database refers to, not only SQLite's pages."""

from __future__ import annotations

import json

PIPELINE = """
from console import Pipeline

p = Pipeline("train")

@p.task
def model(ctx):
    ctx.register_model("churn", {"weights": list(range(50))}, metrics={"accuracy": 0.9})
    return ctx.register_model("fraud", {"weights": list(range(80))}, metrics={"accuracy": 0.8})

@p.task
def big():
    return b"x" * 300_000  # large enough to become a file, not an inline row
"""


def _artifact(project, name: str) -> tuple[str, int]:
    versions = project.cli_json("models", name)["versions"]
    sha = versions[-1]["sha256"]
    return sha, len(versions)


def test_store_check_reports_each_tampered_or_missing_artifact_and_exits_1(project) -> None:
    project.write("train.py", PIPELINE)
    project.cli("run", "train", check=0)
    healthy = project.cli("store", "--check", check=0)
    assert ": ok" in healthy.stdout and "artifact(s) verified" in healthy.stdout
    home = project.root / ".opsconsole" / "artifacts"
    churn, _ = _artifact(project, "churn")
    fraud, _ = _artifact(project, "fraud")
    path = home / churn[:2] / churn
    data = bytearray(path.read_bytes())
    data[10] ^= 0xFF  # same size, different bytes
    path.write_bytes(bytes(data))
    (home / fraud[:2] / fraud).unlink()

    proc = project.cli("store", "--check", check=1)
    assert "2 artifact(s) do not match" in proc.stdout, proc.stdout
    assert "model churn v1" in proc.stdout and "tampered" in proc.stdout
    assert "model fraud v1" in proc.stdout and "missing" in proc.stdout
    report = json.loads(project.cli("store", "--check", "--json", check=1).stdout)
    assert report["ok"] is False
    by_owner = {b["owner"]: b for b in report["bad_artifacts"]}
    assert set(by_owner) == {"model churn v1", "model fraud v1"}
    assert by_owner["model fraud v1"]["problem"] == "missing"


def test_store_check_catches_a_truncated_result_file(project) -> None:
    import sqlite3

    project.write("train.py", PIPELINE)
    project.cli("run", "train", check=0)
    db = sqlite3.connect(project.root / ".opsconsole" / "state.db")
    (key,) = db.execute("SELECT key FROM results WHERE inline IS NULL").fetchone()
    db.close()
    path = project.root / ".opsconsole" / "artifacts" / key[:2] / key
    path.write_bytes(path.read_bytes()[:1000])
    proc = project.cli("store", "--check", check=1)
    assert "result of run 1 task big" in proc.stdout and "truncated" in proc.stdout
