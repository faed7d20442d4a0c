"""The run command's progress views: every event printed (batched), big runs drawn at a fixed cost."""

from __future__ import annotations

import io
import json
import threading

from console.headless.progress import SHOWN, LiveTable, PlainPrinter


def _event(kind: str, task: str | None, status: str, **data: object) -> dict[str, object]:
    return {
        "kind": kind,
        "run_id": 7,
        "pipeline": "p",
        "task": task,
        "status": status,
        "data": data,
        "at": 0.0,
    }


def test_plain_printer_prints_every_event_from_many_threads_in_one_flush_per_interval() -> None:
    class Counting(io.StringIO):
        flushes = 0

        def flush(self) -> None:
            Counting.flushes += 1

    out = Counting()
    printer = PlainPrinter(out, interval=60)  # nothing on the timer: stop() drains it all

    def burst(k: int) -> None:
        for i in range(500):
            printer(_event("task.finished", f"t{k}_{i}", "succeeded", duration_s=0.001))

    threads = [threading.Thread(target=burst, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    printer.stop()
    lines = out.getvalue().splitlines()
    assert len(lines) == 2000 and all(" succeeded in 1ms" in line for line in lines)
    assert Counting.flushes == 1


def test_plain_printer_names_the_zone_once_on_stderr_and_shows_control_characters(capsys) -> None:
    out = io.StringIO()  # not a tty: the zone note goes to stderr, the lines stay alone on stdout
    printer = PlainPrinter(out, interval=60)
    printer(_event("task.finished", "t\x1b[31mred\r[/]", "failed", error="boom\x00[bold]"))
    printer(_event("task.finished", "t2", "succeeded", duration_s=0.001))
    printer.stop()
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert "t\\x1b[31mred\\x0d[/] failed: boom\\x00[bold]" in lines[0]
    assert "\x1b" not in out.getvalue() and "\r" not in out.getvalue()
    assert capsys.readouterr().err.count("times in ") == 1


def test_live_table_of_a_big_run_shows_counts_and_the_latest_changes() -> None:
    from rich.console import Console

    names = [f"t{i}" for i in range(5000)]
    table = LiveTable("[bold]fan", names, live=False)  # the state machine without a Live display
    table.run_id, table.started = 7, 0.0
    for name in names[:3000]:
        table(_event("task.started", name, "running"))
        table(_event("task.finished", name, "succeeded", duration_s=0.0))
    table(_event("task.finished", "t4999", "failed", error="\x1b[31mboom[/]"))
    assert table.counts == {"queued": 1999, "running": 0, "succeeded": 3000, "failed": 1}
    assert len(table.recent) <= 8 * SHOWN
    console = Console(width=160, file=io.StringIO(), color_system=None)
    console.print(table._render())
    text = console.file.getvalue()
    assert "3001/5000 tasks" in text and "1999 queued, 3000 succeeded, 1 failed" in text
    lines = text.splitlines()
    first_row = lines[next(i for i, line in enumerate(lines) if "━" in line) + 1]
    assert "t4999" in first_row and "failed" in first_row  # the latest change on top
    assert "run 7 [bold]fan  3001" in text  # the pipeline name is text, not markup (nor escaped)
    assert text.count("\n") < SHOWN + 10


def test_json_is_one_line_when_piped(project) -> None:
    project.write(
        "p.py", "from console import Pipeline\np = Pipeline('p')\n@p.task\ndef a():\n    return 1\n"
    )
    out = project.cli("run", "p", "--json", check=0).stdout
    assert out.count("\n") == 1 and json.loads(out)["status"] == "succeeded"
    assert project.cli("show", "1", "--json").stdout.count("\n") == 1


def test_live_table_rows_line_up_and_hostile_names_stay_text() -> None:
    from rich.console import Console

    from console.headless.progress import NAME_WIDTH

    long_name = "n" * (NAME_WIDTH + 20)
    names = ["a", "[bold]x\x1b[31m\r\x00", "日本語", long_name]
    table = LiveTable("p", names, live=False)
    table.run_id, table.started, table.lines = 7, 0.0, ["m: acc = 0.9 [/]"]
    table(_event("task.finished", names[1], "failed", error="[/]boom\x1b[2J\nsecond line\tend"))
    table(_event("task.started", names[2], "running"))
    console = Console(width=120, file=io.StringIO(), color_system=None)
    console.print(table._render())
    lines = console.file.getvalue().splitlines()
    assert lines[0].startswith("run 7 p  1/4 tasks")
    assert lines[1].split() == ["task", "status", "took", "note"]
    rows = lines[3:7]
    from rich.cells import cell_len

    starts = {cell_len(row[: row.index(word)]) for row, word in zip(rows, ["queued", "failed", "running", "queued"], strict=True)}
    assert len(starts) == 1  # the status column starts at the same cell on every row (wide characters too)
    assert "\\x1b[31m\\x0d\\x00" in rows[1] and "[/]boom\\x1b[2J second line end" in rows[1]
    assert "\x1b" not in "".join(lines)  # a multi-line error stays on its row, escapes shown
    assert long_name not in rows[3] and "…" in rows[3]
    assert lines[-1].strip() == "m: acc = 0.9 [/]"


def test_live_table_title_stays_one_line_for_a_pipeline_name_with_a_newline() -> None:
    from rich.console import Console

    table = LiveTable("etl\nsecond\x1b[2J", ["a"], live=False)
    table.run_id, table.started = 7, 0.0
    console = Console(width=120, file=io.StringIO(), color_system=None)
    console.print(table._render())
    lines = console.file.getvalue().splitlines()
    assert lines[0].startswith("run 7 etl second\\x1b[2J  0/1 tasks")
    assert lines[1].split() == ["task", "status", "took", "note"]


def test_a_lines_head_and_duration_are_those_of_its_own_event() -> None:
    import time

    from console.headless.progress import format_event
    from console.presentation import fmt_duration

    def line(run_id: object, at: float, seconds: float | None) -> str | None:
        return format_event({**_event("task.finished", "t", "succeeded", duration_s=seconds), "run_id": run_id, "at": at})

    at = 1_796_000_000.25
    first, same, next_second, other_run = line(7, at, 0.0), line(7, at + 0.5, 0.0), line(7, at + 1, 0.0), line(8, at, 0.0)
    stamp = time.strftime("%H:%M:%S", time.localtime(int(at)))
    assert first == same == f"{stamp} run 7 p task t succeeded in 0ms"
    assert next_second and next_second.startswith(time.strftime("%H:%M:%S", time.localtime(int(at) + 1)))
    assert other_run and other_run.startswith(f"{stamp} run 8 p ")
    # the table of sub-second texts says what fmt_duration says, at every rounding edge
    edges = [i / 1000 + d for i in range(1000) for d in (0.0, 0.0004999, 0.0005, 0.0005001)]
    for seconds in [*edges, None, -0.001, 0.9995, 1.0, 59.9, 3600.0]:
        assert line(7, at, seconds) == f"{stamp} run 7 p task t succeeded in {fmt_duration(seconds)}", seconds
