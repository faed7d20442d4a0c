"""The log search engine: line numbers, context, limits, and the forked-process path."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.errors import UsageError
from console.store.log_search import PARALLEL_MIN_FILES, compile_pattern, search_logs


def write_logs(root: Path, runs: int) -> None:
    for run in range(1, runs + 1):
        folder = root / str(run)
        folder.mkdir(parents=True)
        (folder / "a.log").write_text(f"start {run}\nok\nERROR disk full on run {run}\nok\nend")
        (folder / "b.log").write_text("ERROR first line\n" + "noise\n" * 3)


def test_line_numbers_context_and_order(tmp_path: Path) -> None:
    write_logs(tmp_path, 2)
    hits = list(search_logs(tmp_path, compile_pattern("^ERROR"), context=1))
    assert [(h.run_id, h.task, h.line_no) for h in hits] == [(2, "a", 3), (2, "b", 1), (1, "a", 3), (1, "b", 1)]
    assert hits[0].before == ["ok"] and hits[0].after == ["ok"] and hits[0].line == "ERROR disk full on run 2"
    assert hits[1].before == [] and hits[1].after == ["noise"]
    end = list(search_logs(tmp_path, compile_pattern("end$"), context=2))
    assert [h.line_no for h in end] == [5, 5] and end[0].after == [] and end[0].before == ["ERROR disk full on run 2", "ok"]
    assert len(list(search_logs(tmp_path, compile_pattern("ERROR"), limit=3))) == 3
    assert [h.task for h in search_logs(tmp_path, compile_pattern("ERROR"), task="b")] == ["b", "b"]
    assert list(search_logs(tmp_path, compile_pattern("error"), run_ids=[1])) == []
    assert len(list(search_logs(tmp_path, compile_pattern("error", ignore_case=True), run_ids=[1]))) == 2


def test_forked_workers_find_the_same_lines_in_the_same_order(tmp_path: Path) -> None:
    write_logs(tmp_path, PARALLEL_MIN_FILES)
    pattern = compile_pattern(r"disk full on run \d+")
    serial = [m.to_json() for m in search_logs(tmp_path, pattern)]
    forked = [m.to_json() for m in search_logs(tmp_path, pattern, workers=2)]
    assert forked == serial and len(serial) == PARALLEL_MIN_FILES


def test_a_bad_pattern_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="bad --search pattern"):
        compile_pattern("[a-")
