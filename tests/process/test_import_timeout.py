"""A pipeline file that hangs at import is listed as broken; other commands do not wait for it."""

from __future__ import annotations

import json

HANG = """
import time
time.sleep(600)
from console import Pipeline
p = Pipeline("hang")
"""

GOOD = """
from console import Pipeline
p = Pipeline("good")

@p.task
def one():
    return 1
"""


def _setup(project) -> None:
    project.write("hang.py", HANG)
    project.write("good.py", GOOD)
    (project.root / "opsconsole.toml").write_text("import_timeout = 1\n")


def test_a_hanging_module_is_broken_and_the_others_work(project) -> None:
    _setup(project)
    proc = project.cli("pipelines", "--json", timeout=60, check=0)
    rows = {r["name"]: r for r in json.loads(proc.stdout)}
    assert rows["good"]["status"] == "ok"
    assert rows["hang"]["status"] == "broken"
    assert rows["hang"]["error"].startswith("import took longer than 1 s")
    assert rows["hang"]["line"] == 3
    project.cli("run", "good", timeout=60, check=0)


def test_unknown_pipeline_answers_past_a_hanging_module(project) -> None:
    _setup(project)
    proc = project.cli("run", "nosuch", timeout=60, check=2)
    assert "unknown pipeline" in proc.stderr
    assert "good" in proc.stderr


def test_rerun_past_a_hanging_module(project) -> None:
    project.write("good.py", GOOD)
    project.cli("run", "good", timeout=60, check=0)
    _setup(project)
    project.cli("rerun", "1", timeout=60, check=0)


def test_the_default_limit_is_ten_seconds_and_the_config_is_checked(project) -> None:
    from console.engine.discovery import load_module
    from console.project import load_project

    project.write("good.py", GOOD)
    assert load_project(project.root).import_timeout == 10.0
    (project.root / "opsconsole.toml").write_text('import_timeout = "soon"\n')
    proc = project.cli("pipelines", timeout=60, check=2)
    assert "import_timeout" in proc.stderr
    slow = project.write("slow.py", "import time\ntime.sleep(5)\n")
    loaded = load_module(slow, timeout=0.2)
    assert loaded.broken[0].error.startswith("import took longer than 0.2 s")
