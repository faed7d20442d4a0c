"""Every command the README shows runs as written, in a fresh copy of the project.

The two set-up commands (``python3 -m venv .venv && .venv/bin/pip install ...``) are what this
test stands in for: the copy gets a ``.venv`` that is this test run's virtualenv, so
``.venv/bin/opsconsole`` and ``.venv/bin/python`` are the installed project. Then each ``sh`` block
of the README (but the set-up ones) runs line by line in bash, and each inline
```.venv/bin/...``` command in the prose too. A trailing ``# exit N`` comment gives the exit code a
line is documented to end with (else 0). Afterwards nothing the demos wrote may show up in
``git status``: landed batches and the store are ignored.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETUP = "python3 -m venv .venv"


def readme_commands(text: str) -> list[tuple[str, int]]:
    """(command line, expected exit code) for every runnable command of the README, in order."""
    commands: list[tuple[str, int]] = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        if SETUP in block:
            continue
        for line in block.splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                commands.append(_expect(line))
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    for span in re.findall(r"`(\.venv/bin/[^`]+)`", prose):
        if not re.search(r"\b[A-Z]{2,}\b|\.\.\.", span):  # NAME, RUN, FILE: templates, not commands
            commands.append(_expect(span))
    return commands


def _expect(line: str) -> tuple[str, int]:
    command, _, comment = line.partition("  #")
    found = re.search(r"\bexit (\d+)", comment)
    return command.strip(), int(found.group(1)) if found else 0


def _copy_project(dest: Path) -> None:
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split("\0")
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)


def test_the_readme_lists_the_demo_commands() -> None:
    commands = readme_commands((ROOT / "README.md").read_text())
    lines = [c for c, _ in commands]
    assert ".venv/bin/opsconsole run fraud_detection" in lines
    assert (".venv/bin/opsconsole monitor fraud --run", 1) in commands
    assert any("python pipelines/fraud_monitor.py" in c for c in lines)
    assert ".venv/bin/opsconsole --no-ui run iris_train" in lines
    assert not [c for c in lines if re.match(r"(python|opsconsole)\b", c)], "bare commands need .venv/bin/"


def test_every_readme_command_runs_as_written(tmp_path: Path) -> None:
    copy = tmp_path / "ops-console"
    _copy_project(copy)
    (copy / ".venv").symlink_to(Path(sys.prefix))
    env = {k: v for k, v in os.environ.items() if k not in ("OPSCONSOLE_HOME", "PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{copy / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["COLUMNS"] = "160"
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=copy, check=True)
    subprocess.run([*git, "add", "-A"], cwd=copy, check=True)
    for command, expected in readme_commands((copy / "README.md").read_text()):
        proc = subprocess.run(
            ["bash", "-c", command],
            cwd=copy,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            stdin=subprocess.DEVNULL,
        )
        assert proc.returncode == expected, (
            command,
            proc.returncode,
            proc.stdout[-2000:],
            proc.stderr[-2000:],
        )
        assert "Traceback" not in proc.stderr, (command, proc.stderr)
    landed = sorted(p.name for p in (copy / "assets" / "incoming" / "fraud").glob("batch_*.csv"))
    assert len(landed) == 4
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"], cwd=copy, capture_output=True, text=True
    ).stdout
    # staged before the demo: a line whose second column is not blank changed or appeared since
    changed = [line for line in status.splitlines() if line[1] != " "]
    assert changed == [], changed


def test_the_traffic_script_says_how_to_run_it_without_the_project_installed(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    proc = subprocess.run(
        [
            sys.executable,
            "-S",
            "-I",
            str(ROOT / "pipelines" / "fraud_monitor.py"),
            "--project",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 1
    assert ".venv/bin/python pipelines/fraud_monitor.py" in proc.stderr and "Traceback" not in proc.stderr
