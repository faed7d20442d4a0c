"""What a task writes lands in its log: logging below WARNING, helper threads, bytes, fd 1."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

LOGGING = """
import logging
import threading
from console import Pipeline

p = Pipeline("chatty")
quiet = logging.getLogger("quiet")
quiet.setLevel(logging.ERROR)

def helper():
    logging.getLogger("helper").info("info from a helper thread")
    print("print from a helper thread")

@p.task
def talk():
    logging.getLogger("lib").info("info line")
    logging.getLogger("lib").debug("debug line")
    logging.getLogger().warning("root warning")
    quiet.warning("quiet warning")
    t = threading.Thread(target=helper)
    t.start()
    t.join()
    return 1
"""

STRAY = """
import os
import sys
import threading
from console import Pipeline

p = Pipeline("stray")

@p.task
def noisy():
    print("plain print")
    sys.stdout.buffer.write(b"raw bytes \\xff\\xfe\\n")
    sys.stdout.buffer.flush()
    os.write(1, b"fd one \\xff\\n")
    t = threading.Thread(target=lambda: print("thread print"))
    t.start()
    t.join()
    print("bar 1\\rbar 2\\r\\nafter")
    return 1
"""


def test_logging_below_warning_lands_in_the_task_log_at_the_loggers_level(project) -> None:
    project.write("chatty.py", LOGGING)
    project.cli("run", "chatty", check=0)
    log = project.cli("logs", "1", "talk", check=0).stdout
    assert "INFO lib: info line" in log
    assert "debug line" not in log  # the default is INFO
    assert "WARNING root: root warning" in log
    assert "quiet warning" not in log  # set to ERROR by the task: respected
    assert "INFO helper: info from a helper thread" in log
    assert "print from a helper thread" in log


def test_logging_outside_tasks_is_unchanged(make_engine, project) -> None:
    project.write("chatty.py", LOGGING)
    engine = make_engine()
    engine.run("chatty")
    outside = logging.getLogger("outside.test")
    assert not outside.isEnabledFor(logging.INFO)  # root is still WARNING for everyone else
    assert logging.getLogger().level == logging.WARNING


def test_logging_in_a_process_worker_lands_in_the_task_log(project) -> None:
    project.write("chatty.py", LOGGING)
    project.cli("run", "chatty", "--executor", "process", check=0)
    log = project.cli("logs", "1", "talk", check=0).stdout
    assert "INFO lib: info line" in log
    assert "print from a helper thread" in log


def test_json_survives_bytes_fd_writes_and_thread_prints(project) -> None:
    project.write("stray.py", STRAY)
    proc = project.cli("run", "stray", "--json", check=0)
    run = json.loads(proc.stdout)  # nothing stray on stdout
    assert run["status"] == "succeeded"
    log = project.cli("logs", "1", "noisy", check=0).stdout
    assert "plain print" in log
    assert "raw bytes \ufffd\ufffd" in log
    assert "thread print" in log
    assert "fd one" not in proc.stdout


def test_carriage_returns_are_counted_like_the_reader_counts(project) -> None:
    project.write("stray.py", STRAY)
    project.cli("run", "stray", "--json", check=0)
    task = project.cli_json("show", "1")["tasks"][0]
    env = {k: v for k, v in os.environ.items() if k != "OPSCONSOLE_HOME"} | {"PYTHONPATH": str(ROOT)}
    printed = subprocess.run(
        [sys.executable, "-m", "console", "--project", str(project.root), "logs", "1", "noisy"],
        capture_output=True,
        env=env,
        timeout=60,
        check=True,
    ).stdout  # bytes: text mode would turn the \r into a line break itself
    assert printed.endswith(b"\n")
    assert b"bar 1\rbar 2" in printed
    assert task["log_lines"] == len(printed[:-1].split(b"\n"))


def test_fd_writes_of_a_json_run_are_kept_in_a_file_next_to_the_logs(project) -> None:
    project.write("stray.py", STRAY)
    proc = project.cli("run", "stray", "--json", check=0)
    stray = project.root / ".opsconsole" / "logs" / "1" / "_stdout.out"
    assert stray.read_bytes() == b"fd one \xff\n"
    assert str(stray) in proc.stderr


def test_terminal_safe_escapes_controls_and_drops_colour() -> None:
    from console.presentation import terminal_safe

    text = "[/] [bold]x\x1b[31mred\x1b[0m\rback\x00nul\x1b]0;title\x07\tend"
    assert terminal_safe(text) == "[/] [bold]xred\\rback\\0nul\\x1b]0;title\\x07\tend"
    assert terminal_safe("plain") == "plain"


LOOP = """
import time
from pathlib import Path
from console import Pipeline

p = Pipeline("loop")

@p.task
def loop():
    stop = Path(__file__).parent / "stop"
    print("no newline yet", end="")
    deadline = time.monotonic() + 30
    while not stop.exists() and time.monotonic() < deadline:   # ignores cancel
        print("tick")
        time.sleep(0.02)
    print("tock")
"""


def test_output_after_quit_stays_in_the_task_log(make_engine, project, capsys) -> None:
    """Textual puts the terminal's stdout back at exit; a task still printing must not reach it."""
    import contextlib
    import io
    import time

    project.write("loop.py", LOOP)
    screen = io.StringIO()
    with contextlib.redirect_stdout(screen):  # what a Textual app does while it runs
        engine = make_engine()
        runner = engine.start("loop")
        log = project.root / ".opsconsole" / "logs" / str(runner.run_id) / "loop.log"
        deadline = time.monotonic() + 30
        while not (log.exists() and "tick" in log.read_text()) and time.monotonic() < deadline:
            time.sleep(0.02)
    engine.close(timeout=0.5)  # quit: cancel, the task ignores it
    assert "no newline yet" in log.read_text()  # the unfinished line was flushed at close
    size = log.stat().st_size
    time.sleep(0.3)
    (project.root / "pipelines" / "stop").write_text("")
    deadline = time.monotonic() + 30
    while "tock" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert log.stat().st_size > size  # the task went on printing, into its log
    assert "tick" not in capsys.readouterr().out
    assert "tick" not in screen.getvalue()


def test_logs_on_a_terminal_escapes_control_sequences(project) -> None:
    import pty

    project.write(
        "ctl.py",
        """
from console import Pipeline
p = Pipeline("ctl")
@p.task
def ctl():
    print("a\\x1b[2Jb\\x1b[31mred\\x1b[0m\\x00[/]")
""",
    )
    project.cli("run", "ctl", check=0)
    env = {k: v for k, v in os.environ.items() if k != "OPSCONSOLE_HOME"} | {"PYTHONPATH": str(ROOT)}
    main, child = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "console", "--project", str(project.root), "--no-ui", "logs", "1", "ctl"],
            stdout=child,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=env,
            timeout=60,
        )
        os.close(child)
        child = -1
        out = b""
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.close(main)
        if child >= 0:
            os.close(child)
    assert proc.returncode == 0, proc.stderr
    assert b"\x1b" not in out
    assert b"a\\x1b[2Jbred\\0[/]" in out


def test_the_console_tail_splits_lines_where_they_are_counted(tmp_path: Path) -> None:
    from console.ui.tail import read_log_tail

    log = tmp_path / "t.log"
    log.write_bytes(b"12:00:00 bar 1\rbar 2\n12:00:00 after\n12:00:00 half")
    lines, offset = read_log_tail(log, 100)
    assert lines == ["12:00:00 bar 1\rbar 2", "12:00:00 after"]
    assert offset == len(b"12:00:00 bar 1\rbar 2\n12:00:00 after\n")
