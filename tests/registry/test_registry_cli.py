"""The registry from the shell: exit codes, --json shapes, one-line errors, the gate's exit 1."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

TOY = """
from console import Pipeline
from console.registry import Better

p = Pipeline("toy", params={"good": 1}, promote_if=Better("accuracy"))

@p.task
def fit(good, ctx):
    from sklearn.datasets import load_iris
    from sklearn.dummy import DummyClassifier
    from sklearn.linear_model import LogisticRegression
    X, y = load_iris(return_X_y=True, as_frame=True)
    X.columns = ["sl", "sw", "pl", "pw"]
    model = LogisticRegression(max_iter=500) if good else DummyClassifier(strategy="most_frequent")
    model.fit(X, y)
    ctx.register_model("toy", model, metrics={"accuracy": float(model.score(X, y))}, data=X, holdout=(X, y))
"""


@pytest.fixture(scope="module")
def toy_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project whose ``toy`` model has v1 (production, through the gate) and v2 (refused)."""
    project = CliProject(tmp_path_factory.mktemp("toy") / "proj")
    (project.root / "pipelines").mkdir(parents=True)
    (project.root / "pipelines" / "toy.py").write_text(TOY)
    assert project.cli_json("run", "toy", check=0)["status"] == "succeeded"
    refused = project.cli("run", "toy", "--param", "good=0", check=1)  # the gate refused: exit 1
    assert "gate toy v2 vs champion v1: refused" in refused.stdout
    return project.root


@pytest.fixture
def toy(toy_template: Path, tmp_path: Path) -> CliProject:
    """A private copy of the template (tests change aliases and tamper with artifacts)."""
    root = tmp_path / "proj"
    shutil.copytree(toy_template, root)
    return CliProject(root)


class CliProject:
    """The real CLI in a subprocess against one project folder."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def cli(self, *args: str, check: int | None = None) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k != "OPSCONSOLE_HOME"}
        env.update({"PYTHONPATH": str(ROOT), "COLUMNS": "200"})
        proc = subprocess.run(
            [sys.executable, "-m", "console", "--project", str(self.root), *args],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            stdin=subprocess.DEVNULL,
        )
        if check is not None:
            assert proc.returncode == check, (proc.returncode, proc.stdout, proc.stderr)
        return proc

    def cli_json(self, *args: str, check: int = 0) -> Any:
        return json.loads(self.cli(*args, "--json", check=check).stdout)


def test_run_exit_codes_and_models_json(toy: CliProject) -> None:
    listing = toy.cli_json("models")
    assert [(m["name"], m["latest"], m["aliases"]) for m in listing] == [("toy", 2, {"production": 1})]
    model = toy.cli_json("models", "toy")
    assert model["name"] == "toy"
    v1, v2 = model["versions"]
    for v in (v1, v2):
        assert {"version", "aliases", "metrics", "sha256", "run_id", "created_at"} <= set(v)
    assert (v1["aliases"], v2["aliases"]) == (["production"], [])
    assert v2["gate"]["promoted"] is False and v2["gate"]["champion"] == 1
    assert v2["gate"]["challenger_score"] < v2["gate"]["champion_score"]
    text = toy.cli("models", "toy", check=0).stdout
    assert "refused" in text and "promoted" in text
    # the refused run is still recorded as succeeded
    assert toy.cli_json("show", "2")["status"] == "succeeded"


def test_promote_rollback_history(toy: CliProject) -> None:
    change = toy.cli_json("promote", "toy", "2", "--reason", "try the dummy")
    assert (change["from_version"], change["to_version"], change["changed"]) == (1, 2, True)
    assert (
        toy.cli("promote", "toy", "2", check=0).stdout.strip()
        == "toy production already at v2; nothing changed"
    )
    back = toy.cli_json("rollback", "toy")
    assert (back["from_version"], back["to_version"]) == (2, 1)
    again = toy.cli("rollback", "toy", check=2)
    assert again.stderr.count("\n") == 1 and "no previous holder" in again.stderr
    assert "Traceback" not in again.stderr
    history = toy.cli_json("history", "toy")
    assert [(h["from_version"], h["to_version"], h["action"]) for h in history] == [
        (None, 1, "gate"),
        (1, 1, "gate-refused"),
        (1, 2, "promote"),
        (2, 1, "rollback"),
    ]
    for h in history:
        assert {"at", "user", "alias", "from_version", "to_version", "reason"} <= set(h)
    assert history[2]["reason"] == "try the dummy"
    assert history[2]["command"].startswith("opsconsole") and "promote toy 2" in history[2]["command"]
    staged = toy.cli_json("promote", "toy", "2", "--alias", "staging")
    assert staged["alias"] == "staging"
    assert toy.cli_json("rollback", "toy", "--to", "2")["to_version"] == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("promote", "toy", "9"), "no version 9"),
        (("promote", "toy", "abc"), "invalid version"),
        (("promote", "../toy", "1"), "invalid model name"),
        (("promote", "toy", "1", "--alias", "a/b"), "invalid alias name"),
        (("rollback", "nope"), "no model named 'nope'"),
        (("history", "nope"), "no model named 'nope'"),
        (("models", "nope"), "no model named 'nope'"),
        (("--read-only", "promote", "toy", "1"), "read-only"),
    ],
)
def test_bad_input_exits_2_with_one_line(toy: CliProject, args: tuple[str, ...], message: str) -> None:
    proc = toy.cli(*args, check=2)
    assert message in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr


def test_predict(toy: CliProject) -> None:
    from sklearn.datasets import load_iris

    X, _ = load_iris(return_X_y=True, as_frame=True)
    X.columns = ["sl", "sw", "pl", "pw"]
    X.to_csv(toy.root / "good.csv", index=False)
    X.drop(columns=["pw"]).assign(sl="wide").to_csv(toy.root / "bad.csv", index=False)
    out = toy.root / "out" / "scored.csv"
    result = toy.cli_json("predict", "toy", str(toy.root / "good.csv"), "--version", "1", "--out", str(out))
    assert (result["name"], result["version"], result["rows"]) == ("toy", 1, 150)
    assert sum(result["predictions"].values()) == 150
    header = out.read_text().splitlines()[0].split(",")
    assert header == ["sl", "sw", "pl", "pw", "prediction", "probability"]
    bad = toy.cli("predict", "toy", str(toy.root / "bad.csv"), check=2)
    assert "missing column(s) pw" in bad.stderr and "mistyped column(s) sl" in bad.stderr
    assert bad.stderr.count("\n") == 1
    missing = toy.cli("predict", "toy", str(toy.root / "nope.csv"), check=2)
    assert "no such file" in missing.stderr
    # a tampered artifact is refused, naming the model and version
    sha = toy.cli_json("models", "toy")["versions"][0]["sha256"]
    path = toy.root / ".opsconsole" / "artifacts" / sha[:2] / sha
    data = bytearray(path.read_bytes())
    data[-5] ^= 0xFF
    path.write_bytes(bytes(data))
    tampered = toy.cli("predict", "toy", str(toy.root / "good.csv"), check=2)
    assert "model 'toy' v1" in tampered.stderr and "sha256" in tampered.stderr
    assert json.loads(toy.cli("models", "--json", check=0).stdout)[0]["latest"] == 2
