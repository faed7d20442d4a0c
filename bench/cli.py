"""The CLI's own cost: ``opsconsole --no-ui run`` of a big fan-out against the engine's own time.

Measured in the same run, interleaved, median of ``--repeat``:

- engine: ``Engine.run`` on the same pipeline in a fresh process of its own, discovery excluded
  (``bench.engine.engine_run``; CPU: that process's user + system time over the same span). A
  fresh process, like the command's: measured inside this long-lived bench process, whose heap
  grows with every repeat, the engine took ~100 ms longer than in a new one, which made the
  command's share look smaller than it is;
- ``pipelines``: the command's start-up plus the discovery of the same project (what any command
  pays before it runs anything);
- ``run`` three ways: events as plain lines into a pipe (what cron and CI see), ``--json``, and the
  live table on a pseudo-terminal.

What the command adds is ``run - pipelines - engine``; the target is at most 20% of the engine's
time. It is shown from the medians, and paired: the median and range of each repeat's own
``run - pipelines - engine``; the range shows how far one repeat's figure is from another's
(on a noisy machine, farther than the command's whole cost).
Each run's own recorded duration (started -> ended in the store) is shown as well.

The console package's bytecode is compiled first (``compileall``, as ``bench sql`` does and as
``pip install`` does): with ``PYTHONDONTWRITEBYTECODE`` set, as on this machine, every command
would otherwise compile each module it imports from source.
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

from bench.engine import fanout_source

ROOT = Path(__file__).resolve().parents[1]
ENGINE_CHILD = """
import json, sys, time
from pathlib import Path
from console.engine.engine import Engine
from console.project import load_project
engine = Engine(load_project(Path(sys.argv[1])), max_workers=int(sys.argv[2]))
engine.pipeline("fanout")  # discovery is not part of the measured run
t0, c0 = time.perf_counter(), time.process_time()
runner = engine.run("fanout")
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
engine.close()
print(json.dumps({"wall": wall, "cpu": cpu, "status": runner.final_status}))
"""


def engine_fresh(root: Path, workers: int) -> tuple[float, float]:
    """``Engine.run`` in a new process (discovery excluded): its wall and CPU seconds."""
    proc = subprocess.run(
        [sys.executable, "-c", ENGINE_CHILD, str(root), str(workers)],
        capture_output=True, text=True, env=_env(), check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"engine run exited {proc.returncode}: {proc.stderr[-500:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    if out["status"] != "succeeded":
        raise SystemExit(f"engine run ended {out['status']}")
    return float(out["wall"]), float(out["cpu"])


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
        import compileall

        compileall.compile_dir(str(ROOT / "console"), quiet=1)
        timed_pipe(root, "--no-ui", "pipelines")  # the database, the page cache
        engine, listing, plain, as_json, tty, recorded = [], [], [], [], [], []
        for _ in range(args.repeat):
            wall, cpu = engine_fresh(root, args.workers)
            engine.append(wall)
            CPU.setdefault("engine", []).append(cpu)
            listing.append(timed_pipe(root, "--no-ui", "pipelines", label="pipelines")[0])
            plain.append(timed_pipe(root, "--no-ui", "run", "fanout", label="plain")[0])
            took, out = timed_pipe(root, "--no-ui", "run", "fanout", "--json", label="json")
            as_json.append(took)
            recorded.append(json.loads(out)["duration_s"])
            tty.append(timed_tty(root, "run", "fanout", label="tty"))
    med = statistics.median
    e, p = med(engine), med(listing)
    print(f"{args.tasks:,}-task fan-out, {args.workers} workers, median of {args.repeat}")
    print(f"  engine (own process, no discovery) {e * 1000:8.0f} ms")
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
    # paired within each repeat (the machine's slow and fast spells hit a repeat's commands alike)
    print("paired, each repeat's own run - pipelines - engine (median, range):")
    for label, runs, _ in shown:
        shares = sorted((w - li - en) / en for w, li, en in zip(runs, listing, engine, strict=True))
        print(f"  {label:<33}  {med(shares):6.1%} of the engine  ({shares[0]:.1%} .. {shares[-1]:.1%})")
    ce, cp = med(CPU["engine"]), med(CPU["pipelines"])
    print(f"CPU time (user + system, all threads): engine {ce * 1000:.0f} ms, pipelines {cp * 1000:.0f} ms")
    for label, _, key in shown:
        c = med(CPU[key])
        added = c - cp - ce
        print(
            f"  {label:<33}  {c * 1000:8.0f} ms  adds {added * 1000:6.0f} ms = {added / ce:6.1%} of the engine"
        )
    return 0
