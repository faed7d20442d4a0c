"""Two files declaring the same pipeline name: the console starts and lists the second as broken."""

from __future__ import annotations

from typing import Any

from ui_helpers import make_session, run, wait_for

from console.ui.app import OpsConsoleApp
from console.ui.widgets.pipeline_list import PipelineList

SAME = """
from console import Pipeline

p = Pipeline("twice")

@p.task
def a():
    return 1
"""


def test_a_duplicate_pipeline_name_is_listed_broken_not_a_crash(project: Any) -> None:
    project.write("a_first.py", SAME)
    project.write("b_second.py", SAME)
    project.write("other.py", SAME.replace('"twice"', '"other"'))
    session = make_session(project.root)

    async def scenario() -> None:
        app = OpsConsoleApp(session, tail_interval=0.05)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: app.pipelines, what="pipelines listed")
            listed = app.query_one(PipelineList)
            rows = [(info.name, info.status) for info in listed.infos.values()]
            assert sorted(rows) == [("other", "ok"), ("twice", "broken"), ("twice", "ok")]
            assert listed.row_count == 3
            broken = next(i for i in listed.infos.values() if i.status == "broken")
            assert "already defined" in (broken.error or "") and "a_first.py" in (broken.error or "")
            assert listed.ok_names() == ["other", "twice"]
            listed.focus()
            for _ in range(3):  # walking over every row keeps the names right
                await pilot.press("down")
                assert listed.selected_name() in ("other", "twice")
            # the list refreshes (hot reload) without a DuplicateKey either
            app.show_pipelines(list(app.pipelines))
            await pilot.pause(0.1)
            assert listed.row_count == 3

    try:
        run(scenario())
    finally:
        session.close()
