"""Property test of the run state machine on random DAGs with random failures and cancels.

No run ends in a non-terminal state; every task of a finished run is terminal; a task ran
only after all its upstream succeeded; downstream of a failure is skipped. A cancel lands
after a drawn number of the run's events (not after a wall-clock delay), so a failing
example replays the same interleaving.
"""

from __future__ import annotations

from fake_clock import EventWaiter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console import Pipeline
from console.store.runs import TERMINAL_RUN_STATES, TERMINAL_TASK_STATES, get_run_row, get_tasks

BEHAVIOURS = ("ok", "fail", "flaky", "slow")


@st.composite
def dags(draw):
    n = draw(st.integers(min_value=1, max_value=7))
    edges = {
        i: sorted(draw(st.sets(st.integers(0, i - 1), max_size=min(i, 3)))) if i else [] for i in range(n)
    }
    behaviour = [draw(st.sampled_from(BEHAVIOURS)) for _ in range(n)]
    cancel_after = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=3 * n + 2)))  # events
    return n, edges, behaviour, cancel_after


def build(n, edges, behaviour, counter):
    p = Pipeline(f"prop{next(counter)}")
    for i in range(n):
        args = ", ".join([f"t{j}" for j in edges[i]] + ["ctx"])
        body = {
            "ok": "return 1",
            "fail": "raise ValueError('no')",
            "flaky": "if ctx.attempt == 1:\n        raise ConnectionError('once')\n    return 1",
            "slow": "for _ in range(50):\n        ctx.check_cancelled()\n        sum(range(2000))\n    return 1",
        }[behaviour[i]]
        ns: dict = {}
        exec(f"def t{i}({args}):\n    {body}\n", ns)
        p.task(name=f"t{i}", retries=1 if behaviour[i] == "flaky" else 0, retry_delay=0.001)(ns[f"t{i}"])
    return p


class CancelAfter:
    """A listener that cancels its run from inside the engine, at the run's ``after``-th event."""

    def __init__(self, engine, after):
        self.engine, self.after, self.seen, self.run_id = engine, after, 0, None

    def __call__(self, event):
        if self.after is None or event["run_id"] != self.run_id:
            return
        self.seen += 1
        if self.seen == self.after:
            self.engine.active[self.run_id].cancel()


def test_runs_always_end_in_terminal_states(project, make_engine) -> None:
    engine = make_engine()
    import itertools

    counter = itertools.count()
    heard = EventWaiter(engine)

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(dags())
    def check(case):
        n, edges, behaviour, cancel_after = case
        pipeline = engine.catalog.add(build(n, edges, behaviour, counter))
        cancel = CancelAfter(engine, cancel_after)
        runner = engine.prepare(pipeline.name)
        cancel.run_id = runner.run_id
        engine.subscribe(cancel)
        try:
            engine.execute(runner)
        finally:
            engine.listeners.remove(cancel)
        heard.finished(runner.run_id)
        engine.store.writer.flush()
        run = get_run_row(engine.store.db, runner.run_id)
        tasks = {t["name"]: t for t in get_tasks(engine.store.db, runner.run_id)}
        assert run["status"] in TERMINAL_RUN_STATES
        assert all(t["status"] in TERMINAL_TASK_STATES for t in tasks.values()), tasks
        for i in range(n):
            task = tasks[f"t{i}"]
            ups = [tasks[f"t{j}"] for j in edges[i]]
            if task["status"] == "succeeded":
                assert all(u["status"] == "succeeded" for u in ups)
            if any(u["status"] in ("failed", "skipped") for u in ups) and run["status"] != "cancelled":
                assert task["status"] == "skipped"
        if run["status"] == "succeeded":
            assert all(t["status"] == "succeeded" for t in tasks.values())
        if run["status"] == "failed":
            assert any(t["status"] == "failed" for t in tasks.values())

    check()
