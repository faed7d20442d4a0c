"""`import console` in a script or notebook opens the project found from the working directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def script(cwd: Path, code: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("OPSCONSOLE_HOME", "OPSCONSOLE_PROJECT")}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd, capture_output=True, text=True, timeout=120, env={**env, "PYTHONPATH": str(ROOT)},
        stdin=subprocess.DEVNULL,
    )


def test_load_runs_and_run_from_a_script_in_the_project(trained: Any) -> None:
    sub = trained.root / "notebooks"
    sub.mkdir()
    proc = script(sub, """
        import json
        import console
        model = console.registry.load("iris")
        first = console.runs()
        run = console.run("train", params={"c": 0.5})
        after = console.runs(pipeline="train", status="succeeded")
        print(json.dumps({
            "model": type(model).__name__,
            "before": len(first),
            "run": [run["status"], run["params"], [t["name"] for t in run["tasks"]]],
            "after": after["id"].tolist(),
            "tz": str(after["started_at"].dt.tz),
            "v2": type(console.registry.load("iris", version=2)).__name__,
        }))
    """)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["model"] == "LogisticRegression" and out["before"] == 1
    assert out["run"] == ["succeeded", {"c": 0.5}, ["data", "model"]]
    assert out["after"] == [2, 1] and out["tz"] == "UTC" and out["v2"] == "LogisticRegression"
    assert trained.cli_json("runs")[0]["id"] == 2  # the script's run is in the store the CLI reads


def test_the_explicit_store_form_still_works(trained: Any) -> None:
    proc = script(Path("/"), f"""
        from console.registry import load
        from console.store.state import Store
        store = Store({str(trained.root / '.opsconsole')!r})
        print(type(load(store, "iris", alias="production")).__name__)
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "LogisticRegression"


def test_outside_a_project_the_error_says_where_it_looked(tmp_path: Path) -> None:
    proc = script(tmp_path, """
        import console
        try:
            console.runs()
        except console.errors.ProjectError as exc:
            print("refused:", exc)
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("refused: no ops-console project in") and "--project" in proc.stdout


def test_open_project_points_elsewhere(trained: Any, tmp_path: Path) -> None:
    proc = script(tmp_path, f"""
        import console
        console.open_project({str(trained.root)!r})
        print(len(console.runs()), console.runs()["pipeline"].iloc[0])
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["1", "train"]
