"""Names checked whole (fullmatch): pipeline, task and param names at discovery; model names in the registry."""

from __future__ import annotations

from typing import Any

import pytest

from console.engine.discovery import Catalog
from console.errors import InvalidNameError
from console.registry.names import check_name

TEMPLATE = """
from console import Pipeline
p = Pipeline({name!r}, params={params!r})

@p.task(name={task!r})
def a():
    return 1
"""


@pytest.mark.parametrize(
    ("name", "task", "params", "why"),
    [
        ("iris\n", "a", {}, "invalid pipeline name"),
        ("x" * 200, "a", {}, "invalid pipeline name"),
        ("ok", "../../x", {}, "invalid task name"),
        ("ok", "a/b", {}, "invalid task name"),
        ("ok", "t\n", {}, "invalid task name"),
        ("ok", "a", {"ctx": 9}, "'ctx' is reserved"),
        ("ok", "a", {"bad name": 1}, "invalid param name"),
    ],
)
def test_a_bad_name_makes_its_module_broken_at_discovery(
    project: Any, name: str, task: str, params: dict[str, Any], why: str
) -> None:
    project.write("bad.py", TEMPLATE.format(name=name, task=task, params=params))
    project.write("good.py", TEMPLATE.format(name="good", task="a", params={"n": 1}))
    catalog = Catalog(project.root / "pipelines").load_all()
    assert list(catalog.pipelines) == ["good"]
    (broken,) = catalog.broken
    assert why in broken.error and broken.line in (3, 5), broken  # the Pipeline(...) or the task
    assert len(broken.error) < 200  # a 200-character name is not echoed whole


def test_a_path_like_task_name_never_reaches_the_logs_folder(project: Any) -> None:
    project.write("bad.py", TEMPLATE.format(name="escape", task="../../x", params={}))
    proc = project.cli("run", "escape")
    assert proc.returncode == 2, proc.stderr
    assert not (project.root / "x.log").exists() and not (project.root.parent / "x.log").exists()
    listed = project.cli_json("pipelines")
    assert [(p["name"], p["status"]) for p in listed] == [("bad", "broken")]  # the module, by its file
    assert "invalid task name '../../x'" in listed[0]["error"]


@pytest.mark.parametrize("name", ["iris\n", "iris\r", "iris ", " iris", "a/b", "..", "a" * 65, "ir\x00is"])
def test_model_names_are_matched_whole(name: str) -> None:
    with pytest.raises(InvalidNameError):
        check_name(name)


def test_good_model_names_pass() -> None:
    assert check_name("iris") == "iris" and check_name("fraud-v2.1_x") == "fraud-v2.1_x"
