"""Discovery: each module imported in isolation; broken ones listed with file, line and reason."""

from __future__ import annotations

from console.engine.discovery import Catalog

GOOD = """
from console import Pipeline
p = Pipeline("good")

@p.task
def a():
    return 1
"""


def test_broken_modules_are_listed_and_the_others_keep_working(project) -> None:
    project.write("good.py", GOOD)
    project.write("syntax.py", "from console import Pipeline\n\ndef oops(:\n    pass\n")
    project.write("raises.py", "import os\n\nraise RuntimeError('no database configured')\n")
    project.write(
        "cycle.py",
        """
        from console import Pipeline
        p = Pipeline("cyc")

        @p.task
        def a(b):
            return 1

        @p.task
        def b(a):
            return 1
    """,
    )
    project.write(
        "unknown.py",
        """
        from console import Pipeline
        p = Pipeline("unknown_param")

        @p.task
        def a(nope):
            return 1
    """,
    )
    project.write("zz_dupe.py", GOOD.replace("def a", "def z"))  # sorted after good.py
    project.write("_helpers.py", "raise SystemExit('never imported: private module')\n")
    catalog = Catalog(project.root / "pipelines").load_all()

    assert set(catalog.pipelines) == {"good"}
    broken = {b.name: b for b in catalog.broken}
    assert broken["syntax"].line == 3 and "SyntaxError" in broken["syntax"].error
    assert broken["raises"].line == 3 and "no database configured" in broken["raises"].error
    assert "cycle" in broken["cyc"].error
    assert broken["unknown_param"].line == 5 and "'nope'" in broken["unknown_param"].error
    assert "already defined" in broken["good"].error
    assert broken["good"].file.endswith("zz_dupe.py")


def test_reload_picks_up_a_fix_and_a_break(project) -> None:
    path = project.write("flip.py", GOOD)
    catalog = Catalog(project.root / "pipelines").load_all()
    assert "good" in catalog.pipelines
    path.write_text("from console import Pipeline\nx = (\n")
    catalog.reload(path)
    assert "good" not in catalog.pipelines
    assert catalog.broken[0].line is not None
    path.write_text(GOOD)
    catalog.reload(path)
    assert "good" in catalog.pipelines and not catalog.broken
