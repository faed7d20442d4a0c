"""The CLI's own cost: ``opsconsole --no-ui run`` of a big fan-out against the engine's own time.

Measured in the same run, interleaved, median of ``--repeat``:

- engine: ``Engine.run`` in-process on the same pipeline, discovery excluded (as ``bench engine``);
- ``pipelines``: the command's start-up plus the discovery of the same project (what any command
  pays before it runs anything);
- ``run`` three ways: events as plain lines into a pipe (what cron and CI see), ``--json``, and the
  live table on a pseudo-terminal.

What the command adds is ``run - pipelines - engine``; the target is at most 20% of the engine's
time. Each run's own recorded duration (started -> ended in the store) is shown as well.
"""

from __future__ import annotations

import argparse
import json
import os
import pty
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.engine import engine_run, fanout_source


def _command(root: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "console", "--project", str(root), *args]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "OPSCONSOLE_HOME"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    return env


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


CPU: dict[str, list[float]] = {}  # label -> CPU seconds per repeat (robust when the machine is shared)


def timed_pipe(root: Path, *args: str, label: str = "") -> tuple[float, str]:
    """Wall time of a command whose stdout is a pipe that is read to the end."""
    t0, c0 = time.perf_counter(), _children_cpu()
    proc = subprocess.run(_command(root, *args), capture_output=True, text=True, env=_env(), check=False)
    took = time.perf_counter() - t0
    CPU.setdefault(label, []).append(_children_cpu() - c0)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} exited {proc.returncode}: {proc.stderr[-500:]}")
    return took, proc.stdout


def timed_tty(root: Path, *args: str, label: str = "") -> float:
    """Wall time of a command on a pseudo-terminal (the live table), its output read as it comes."""
    master, slave = pty.openpty()
    t0, c0 = time.perf_counter(), _children_cpu()
    proc = subprocess.Popen(
        _command(root, *args), stdout=slave, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=_env()
    )
    os.close(slave)
    while True:
        try:
            if not os.read(master, 1 << 16):
                break
        except OSError:
            break
    proc.wait()
    took = time.perf_counter() - t0
    CPU.setdefault(label, []).append(_children_cpu() - c0)
    os.close(master)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} on a tty exited {proc.returncode}")
    return took


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench cli")
    parser.add_argument("--tasks", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "pipelines").mkdir()
        (root / "pipelines" / "fanout.py").write_text(fanout_source(args.tasks))
        (root / "opsconsole.toml").write_text(f"max_workers = {args.workers}\n")
        timed_pipe(root, "--no-ui", "pipelines")  # warm the bytecode cache
        engine, listing, plain, as_json, tty, recorded = [], [], [], [], [], []
        for _ in range(args.repeat):
            c0 = time.process_time()
            engine.append(engine_run(root, "fanout", args.workers)[0])
            CPU.setdefault("engine", []).append(time.process_time() - c0)
            listing.append(timed_pipe(root, "--no-ui", "pipelines", label="pipelines")[0])
            plain.append(timed_pipe(root, "--no-ui", "run", "fanout", label="plain")[0])
            took, out = timed_pipe(root, "--no-ui", "run", "fanout", "--json", label="json")
            as_json.append(took)
            recorded.append(json.loads(out)["duration_s"])
            tty.append(timed_tty(root, "run", "fanout", label="tty"))
    med = statistics.median
    e, p = med(engine), med(listing)
    print(f"{args.tasks:,}-task fan-out, {args.workers} workers, median of {args.repeat}")
    print(f"  engine (in-process, no discovery)  {e * 1000:8.0f} ms")
    print(f"  pipelines (start-up + discovery)   {p * 1000:8.0f} ms")
    print(f"  run's recorded duration (--json)   {med(recorded) * 1000:8.0f} ms")
    shown = (
        ("run, plain lines to a pipe", plain, "plain"),
        ("run --json", as_json, "json"),
        ("run, live table on a tty", tty, "tty"),
    )
    print("wall time:")
    for label, runs, _ in shown:
        w = med(runs)
        added = w - p - e
        print(
            f"  {label:<33}  {w * 1000:8.0f} ms  adds {added * 1000:6.0f} ms beyond pipelines + engine"
            f" = {added / e:6.1%} of the engine (target <= 20%)"
        )
    ce, cp = med(CPU["engine"]), med(CPU["pipelines"])
    print(f"CPU time (user + system, all threads): engine {ce * 1000:.0f} ms, pipelines {cp * 1000:.0f} ms")
    for label, _, key in shown:
        c = med(CPU[key])
        added = c - cp - ce
        print(
            f"  {label:<33}  {c * 1000:8.0f} ms  adds {added * 1000:6.0f} ms = {added / ce:6.1%} of the engine"
        )
    return 0
