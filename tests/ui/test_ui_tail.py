"""The tail worker on its own: one message per tick, nothing when idle, logs from an offset."""

from __future__ import annotations

from typing import Any

from console.ui.tail import StoreBatch, StoreTail, read_log_tail


def test_one_batched_message_per_tick_and_none_when_idle(session_factory: Any) -> None:
    session = session_factory()
    posted: list[Any] = []
    tail = StoreTail(session.store, posted.append, catalog=session.engine.catalog.load_all())
    assert tail.tick() is None and posted == []
    first = session.engine.run("quick").run_id
    second = session.engine.run("flaky").run_id
    batch = tail.tick()
    assert isinstance(batch, StoreBatch) and posted == [batch]
    assert batch.n_events > 4 and set(batch.runs) == {first, second}
    assert batch.runs[second]["status"] == "failed" and batch.active == {}
    assert tail.tick() is None and len(posted) == 1


def test_the_watched_task_log_streams_from_the_shown_offset(session_factory: Any) -> None:
    session = session_factory()
    run_id = session.engine.run("quick", {"n": 4}).run_id
    path = session.store.log_path(run_id, "total")
    lines, offset = read_log_tail(path, 2)
    assert [ln.split(" ", 1)[1] for ln in lines] == ["line 2", "line 3"]
    posted: list[Any] = []
    tail = StoreTail(session.store, posted.append)
    tail.watch_task(run_id, "total", offset)
    assert tail.tick() is not None and posted[0].log is None  # the run's tasks, no new lines
    with open(path, "a") as fh:
        fh.write("later 1\nlater 2\nhalf a li")
    batch = tail.tick()
    assert batch is not None and batch.log == (run_id, "total", ["later 1", "later 2"])
    with open(path, "a") as fh:
        fh.write("ne\n")
    assert tail.tick().log == (run_id, "total", ["half a line"])  # type: ignore[union-attr]


def test_log_lines_reach_the_console_in_local_time(tmp_path: Any, monkeypatch: Any) -> None:
    """Files hold ISO stamps with the writer's offset; the console shows the reader's HH:MM:SS."""
    import time

    from console.store import log_stamps

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    log_stamps._memo.clear()
    try:
        path = tmp_path / "t.log"
        path.write_text("2026-01-15T22:04:05+00:00 written in UTC [bold]\n2026-01-15T17:04:06-05:00 in New York\n")
        lines, _offset = read_log_tail(path, 10)
        assert lines == ["17:04:05 written in UTC [bold]", "17:04:06 in New York"]
        posted: list[Any] = []
        tail = StoreTail(_FakeStore(path), posted.append, start_seq=0)  # type: ignore[arg-type]
        tail.watch_task(1, "t", 0)
        assert tail._read_log(1, "t") == (1, "t", lines)
    finally:
        monkeypatch.undo()
        time.tzset()
        log_stamps._memo.clear()


class _FakeStore:
    def __init__(self, path: Any) -> None:
        self.path = path

    def log_path(self, run_id: int, task: str) -> Any:
        return self.path


def test_an_edit_between_the_catalog_read_and_the_tail_start_is_reloaded(
    session_factory: Any, ui_project: Any
) -> None:
    """The baseline is taken before the catalog reads the files, so that edit is not the start."""
    import os
    import time

    from console.ui.tail import pipeline_file_mtimes

    session = session_factory()
    catalog = session.engine.catalog
    baseline = pipeline_file_mtimes(catalog.dir)
    catalog.load_all()
    path = ui_project.write("quick.py", "from console import Pipeline\np = Pipeline('quick'\n")
    os.utime(path, (time.time() + 5, time.time() + 5))  # a later mtime, whatever the clock's grain
    tail = StoreTail(session.store, lambda _m: None, catalog=catalog, file_baseline=baseline, reload_every=0)
    changed = tail._scan_files(first=True)
    assert [p.name for p in changed] == ["quick.py"]
    # without a baseline, the first scan is only the starting point
    fresh = StoreTail(session.store, lambda _m: None, catalog=catalog)
    assert fresh._scan_files(first=True) == []


def test_an_idle_tail_sees_another_process_commit_long_before_its_interval(session_factory: Any) -> None:
    import subprocess
    import sys
    import threading
    import time

    session = session_factory()
    posted: list[tuple[float, Any]] = []
    arrived = threading.Event()

    def post(message: Any) -> None:
        posted.append((time.time(), message))
        arrived.set()

    tail = StoreTail(session.store, post, interval=6.0)  # ticks at 6 s, 12 s: the test is done by then
    worker = threading.Thread(target=tail.run, daemon=True)
    started = time.monotonic()
    worker.start()
    try:
        time.sleep(2.2)  # idle past a third of the interval (a burst's shortest step)
        assert posted == []
        code = (
            "import sys; from console.engine.engine import Engine; from console.project import load_project;"
            "e = Engine(load_project(sys.argv[1])); e.run('quick'); e.close()"
        )
        env = {**_env(), "OPSCONSOLE_HOME": str(session.store.home)}
        subprocess.run([sys.executable, "-c", code, str(session.project.root)], check=True, env=env)
        assert arrived.wait(5.0)
        seen_at, batch = posted[0]
        assert time.monotonic() - started < 6.0  # before the interval's own tick
        first_commit = session.store.db.query_one("SELECT min(at) FROM events")[0]
        assert isinstance(batch, StoreBatch) and batch.runs and seen_at - first_commit < 1.0
    finally:
        tail.stop()
        worker.join(5)


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != "OPSCONSOLE_HOME"}
