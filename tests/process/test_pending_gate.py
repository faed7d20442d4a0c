"""A kill between registering a version and its gate: shown pending, decided on rerun."""

from __future__ import annotations

TOY = """
import os
from pathlib import Path
from console import Pipeline

def always(challenger, champion):
    if (Path(__file__).parent / "kill").exists():
        os._exit(9)          # the process dies after the version is stored, before the verdict
    return True, "always"

p = Pipeline("toy", promote_if=always)

@p.task
def train(ctx):
    ctx.register_model("toy", {"w": ctx.run_id}, metrics={"accuracy": 0.9})
"""


def test_a_gate_killed_midway_is_pending_then_decided_on_rerun(project) -> None:
    project.write("toy.py", TOY)
    project.cli("run", "toy", check=0)  # v1: no champion yet, promoted
    (project.root / "pipelines" / "kill").write_text("")
    killed = project.cli("run", "toy")
    assert killed.returncode == 9
    versions = {v["version"]: v for v in project.cli_json("models", "toy")["versions"]}
    assert versions[2]["gate"] is None and versions[2]["gate_pending"] is True
    assert versions[1]["gate_pending"] is False
    assert "pending" in project.cli("models", "toy", check=0).stdout
    (project.root / "pipelines" / "kill").unlink()
    project.cli("rerun", "2", check=0)
    versions = {v["version"]: v for v in project.cli_json("models", "toy")["versions"]}
    assert versions[2]["gate_pending"] is False
    assert versions[2]["gate"]["promoted"] is True and "always" in versions[2]["gate"]["reason"]
    assert versions[3]["gate"] is not None  # the rerun's own version had its gate too
