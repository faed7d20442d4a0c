"""Monitors: evaluated on their period by the service, failures reported, period kept across restarts."""

from __future__ import annotations

from trigger_helpers import T0, write

from console.triggers.monitors import MonitorLike

MONITORS = """
class Probe:
    opsconsole_kind = "monitor"

    def __init__(self, name, every_s):
        self.name = name
        self.every_s = every_s

    def evaluate(self, engine):
        with open(engine.project_root / f"{self.name}.evals", "a") as fh:
            fh.write("x\\n")


class Failing(Probe):
    def evaluate(self, engine):
        raise RuntimeError("no reference data yet")


class Gated(Probe):
    def due(self, now):
        return int(now) % 2 == 0


probe = Probe("probe", 60)
failing = Failing("failing", 60)
gated = Gated("gated", 1)
"""


def evals(project, name: str) -> int:
    path = project.root / f"{name}.evals"
    return len(path.read_text().splitlines()) if path.exists() else 0


def test_monitors_run_on_their_period_and_a_failure_is_one_line(
    utc_project, make_service, make_engine
) -> None:
    write(utc_project, "monitors.py", MONITORS)
    svc = make_service()
    svc.tick(T0)
    assert len(svc.catalog.monitors) == 3
    assert all(isinstance(m, MonitorLike) for m in svc.catalog.monitors)
    svc.monitors.join(5)
    assert evals(utc_project, "probe") == 1 and evals(utc_project, "gated") == 1  # T0 is even
    failures = [d for d in svc.decisions if d.source == "monitor" and "failed" in d.message]
    assert [d.message for d in failures] == ["failing failed: RuntimeError: no reference data yet"]
    svc.tick(T0 + 30)
    svc.tick(T0 + 31)  # odd: gated says not due
    svc.monitors.join(5)
    assert evals(utc_project, "probe") == 1 and evals(utc_project, "gated") == 2
    svc.tick(T0 + 61)
    svc.monitors.join(5)
    assert evals(utc_project, "probe") == 2
    svc.stop()
    restarted = make_service(make_engine())
    restarted.tick(T0 + 62)  # evaluated at T0+61: not due again before T0+121
    restarted.monitors.join(5)
    assert evals(utc_project, "probe") == 2
    restarted.tick(T0 + 121)
    restarted.monitors.join(5)
    assert evals(utc_project, "probe") == 3
