"""Hostile text through every CLI command and every console view: no crash, shown literally.

Hypothesis builds strings from markup-like pieces and control characters (``[/]``,
``[bold]``, ``\\x1b[31m``, ``\\r``, NUL, a backslash before a tag). Each example becomes a
project whose data values, failing check samples, exception text, ``--param`` values,
log lines, model tags, promote reasons and monitored column names (so alert evidence) all
carry it, and a module fails to import with it; then every command runs through a subprocess and the console is driven
through its tabs and a run's detail with Pilot.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from console.presentation import escape_markup, plain, printable

ROOT = Path(__file__).resolve().parents[2]
PIECES = ["[/]", "[bold]", "\x1b[31m", "\r", "\x00", "\\[bold]", "[red]x[/red]", "[link=x]", "a", "]", " "]
# a monitored column's name travels through a CSV header: no NUL or CR there
COLUMN_PIECES = ["[/]", "[bold]", "\x1b[31m", "[i]", "c"]

hostile_texts = st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).map("".join)
column_names = st.lists(st.sampled_from(COLUMN_PIECES), min_size=1, max_size=4).map(
    lambda p: "k" + "".join(p)
)

SOURCE = """
from console import Pipeline
from console.monitor import Monitor, Rule
from console.quality import checks as qc

H = {hostile!r}
COL = {column!r}
p = Pipeline("hostile", params={{"note": H}})


@p.task(checks=[qc.isin("code", ["ok"], severity="warn")])
def data():
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    a = rng.normal(size=300)
    print("log line", H)
    return pd.DataFrame({{"a": a, COL: rng.choice(["x", "y"], 300), "code": [H] * 300, "y": (a > 0).astype(int)}})


@p.task
def model(data, note, ctx):
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression().fit(data[["a"]], data["y"])
    ctx.log_metric("accuracy", 0.9)
    return ctx.register_model("m", clf, metrics={{"accuracy": 0.9}}, data=data[["a"]], tags={{"label": H}}).version


f = Pipeline("fails")


@f.task
def boom():
    raise ValueError(H)


mon = Monitor("mon", model="m", reference="hostile.data", current="incoming/*.csv", rules=[Rule("psi", ">", 0.2)],
              columns=["a", COL])
"""


def cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "OPSCONSOLE_HOME"}
    env.update({"PYTHONPATH": str(ROOT), "COLUMNS": "400", "PYTHONIOENCODING": "utf-8"})
    return subprocess.run(
        [sys.executable, "-m", "console", "--project", str(root), *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def shown(text: str) -> str:
    """How a value must appear: literally, with control characters as ``\\xNN``."""
    return printable(text)


def make_project(root: Path, hostile: str, column: str) -> None:
    import numpy as np
    import pandas as pd

    (root / "pipelines").mkdir(parents=True)
    (root / "incoming").mkdir()
    (root / "pipelines" / "hostile.py").write_text(SOURCE.format(hostile=hostile, column=column))
    (root / "pipelines" / "broken.py").write_text(f"raise RuntimeError({hostile!r})\n")
    rng = np.random.default_rng(1)
    a = rng.normal(3.0, size=300)  # shifted: the monitor's psi rule fires
    frame = pd.DataFrame({"a": a, column: ["z"] * 300, "code": ["ok"] * 300, "y": (a > 0).astype(int)})
    frame.to_csv(root / "incoming" / "batch.csv", index=False)


def check_cli(root: Path, hostile: str, column: str) -> None:
    arg_text = hostile.replace("\x00", "")  # argv cannot carry NUL
    expect = {
        ("run", "hostile", "--param", f"note={arg_text}"): (0, 1),
        ("run", "fails"): (1,),
        ("promote", "m", "1", "--reason", arg_text): (0,),
        ("monitor", "mon", "--run", "--no-action"): (0, 1),
        ("pipelines",): (0,),
        ("runs",): (0,),
        ("show", "1"): (0,),
        ("show", "2"): (0,),
        ("rerun", "2"): (1,),
        ("checks",): (0, 1),
        ("checks", "--failed"): (0, 1),
        ("checks", "--history", "isin"): (0,),
        ("models",): (0,),
        ("models", "m"): (0,),
        ("history", "m"): (0,),
        ("metrics",): (0,),
        ("metrics", "accuracy"): (0,),
        ("monitor",): (0, 1),
        ("monitor", "mon"): (0, 1),
        ("alerts",): (0,),
    }
    out: dict[tuple[str, ...], str] = {}
    for args, codes in expect.items():
        proc = cli(root, *args)
        assert proc.returncode in codes, (args, proc.returncode, proc.stdout, proc.stderr)
        for bad in ("Traceback", "internal error", "MarkupError"):
            assert bad not in proc.stderr + proc.stdout, (args, proc.stderr)
        assert "\x1b" not in proc.stdout and "\x00" not in proc.stdout, (args, proc.stdout)
        out[args] = proc.stdout
    # the text appears literally where the command shows it
    assert json.dumps({"note": arg_text}, ensure_ascii=False) in out[("show", "1")]  # a --param value
    assert shown(f"ValueError: {hostile}") in out[("show", "2")]  # a task's exception text
    assert shown(json.dumps(hostile, ensure_ascii=False)) in out[("checks", "--failed")]  # a failing sample
    assert shown(arg_text) in out[("history", "m")]  # the promote reason
    assert shown(column) in out[("alerts",)]  # alert evidence: the drifted column
    assert shown(f"RuntimeError: {hostile}") in out[("pipelines",)]  # a broken module's error


async def drive_console(root: Path, hostile: str) -> list[str]:
    """Every tab and a run's detail, reading back what each showed."""
    import argparse

    from console.session import Session
    from console.ui.app import OpsConsoleApp

    session = Session(argparse.Namespace(project=str(root), read_only=False, executor=None, scheduler=None))
    screens: list[str] = []
    try:
        app = OpsConsoleApp(session)
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.pause(1.0)
            for key in ("1", "2", "down", "3", "down", "4", "down", "1"):
                await pilot.press(key)
                await pilot.pause(0.3)
                screens.append(_screen_text(app))
            await pilot.press("enter")  # the newest run: its detail with the log and checks
            await pilot.pause(1.0)
            screens.append(_screen_text(app))
            for _ in range(3):
                await pilot.press("down")
                await pilot.pause(0.5)
                screens.append(_screen_text(app))
            await pilot.press("escape")
            await pilot.press("n")  # the new-run modal shows param defaults
            await pilot.pause(0.5)
            screens.append(_screen_text(app))
            await pilot.press("escape")
    finally:
        session.close()
    return screens


def _screen_text(app: Any) -> str:
    """The characters on the screen, line by line, as the terminal would get them."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


@settings(
    max_examples=1,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],  # one example costs ~30 s of subprocesses: no shrinking
    suppress_health_check=[HealthCheck.too_slow],
)
@given(hostile=hostile_texts, column=column_names)
@example(hostile="[/]x[bold]\x1b[31m\r\x00\\[bold] ", column="k[/][bold]\x1b[31m")
def test_hostile_text_through_every_command_and_view(hostile: str, column: str) -> None:
    with tempfile.TemporaryDirectory(prefix="opsconsole-hostile-") as tmp:
        root = Path(tmp) / "proj"
        make_project(root, hostile, column)
        check_cli(root, hostile, column)
        screens = asyncio.run(drive_console(root, hostile))
    joined = "\n".join(screens)
    for raw in ("\x1b", "\x00", "\r"):
        assert raw not in joined, repr(raw)
    flat = " ".join(hostile.split())  # where the console fits text in a line it folds whitespace
    assert printable(flat)[:20] in joined  # the failing task's error, the params line, the log
    assert "[bold]" not in hostile or "[bold]" in joined


@given(text=hostile_texts)
@settings(max_examples=200, derandomize=True)
def test_escaped_text_renders_as_itself(text: str) -> None:
    from rich.console import Console

    out = Console(width=1000, color_system=None, file=open(os.devnull, "w"), highlight=False)  # noqa: SIM115
    try:
        with out.capture() as cap:
            out.print(f"[red]{escape_markup(text)}[/]", end="")
            out.print("|", end="")
            out.print(plain(text), end="")
        assert cap.get() == f"{printable(text)}|{printable(text)}"
    finally:
        out.file.close()


@pytest.mark.parametrize("text", ["[/]", "[bold]", "\x1b[31m", "\r", "\x00"])
def test_each_piece_alone_is_shown_literally(text: str) -> None:
    assert printable(text) == text.translate({0x1B: "\\x1b", 0x0D: "\\x0d", 0x00: "\\x00"})
