"""Log search across runs: ``search_logs`` vs ``grep -r`` on the same files in the same run.

Writes ``--runs`` run folders with one ``--mb`` MB task log each (realistic lines: time
stamp, level, message; a rare error line every ~``--every`` lines) under a temporary state
directory, then times the search of a regex with rare matches, warm page cache, median of
``--repeat``: ``opsconsole logs --search``'s engine (console.store.log_search) against
``grep -rnE`` writing its matches to a pipe (as the CLI would). Targets: <= 1.0 s for
1,000 runs x 1 MB, and <= 1.5x grep.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

WORDS = ("rows", "batch", "loaded", "features", "partition", "written", "schema", "merge", "bytes",
         "customer", "score", "window", "cache", "retry", "commit", "offset", "shard", "model")
PATTERN = r"ERROR .*timeout after [0-9]+ms"


def make_logs(logs: Path, runs: int, mb: float, every: int, seed: int = 0) -> int:
    """Write the log files; returns how many lines match ``PATTERN``."""
    rnd = random.Random(seed)
    lines = []
    for i in range(20_000):
        words = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(4, 12)))
        lines.append(f"12:{i % 60:02d}:{(i * 7) % 60:02d} INFO task step {i}: {words} {rnd.randint(0, 10**6)}\n")
    block = "".join(lines).encode()
    target = int(mb * 1024 * 1024)
    matches = 0
    for run in range(1, runs + 1):
        folder = logs / str(run)
        folder.mkdir(parents=True)
        start = rnd.randrange(0, len(block) // 2)
        body = bytearray()
        while len(body) < target:
            chunk = block[start : start + 64 * 1024]
            start = (start + 64 * 1024) % (len(block) - 64 * 1024)
            body += chunk[: chunk.rfind(b"\n") + 1]
            if rnd.randrange(every // 400 or 1) == 0:
                body += f"12:00:00 ERROR task step: db connect timeout after {rnd.randint(100, 9000)}ms\n".encode()
                matches += 1
        (folder / "extract.log").write_bytes(bytes(body))
    return matches


def time_it(fn: object, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench logs")
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--mb", type=float, default=1.0)
    ap.add_argument("--every", type=int, default=20_000, help="about one matching line per this many lines")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)

    from console.store.log_search import compile_pattern, search_logs

    tmp = Path(tempfile.mkdtemp(prefix="bench-logs-"))
    try:
        logs = tmp / "logs"
        t0 = time.perf_counter()
        expected = make_logs(logs, args.runs, args.mb, args.every)
        total = sum(p.stat().st_size for p in logs.rglob("*.log"))
        print(f"{args.runs} runs x {args.mb:g} MB = {total / 2**20:,.0f} MiB of logs written in "
              f"{time.perf_counter() - t0:.1f}s; {expected} matching lines; pattern {PATTERN!r}")
        pattern = compile_pattern(PATTERN)
        grep = shutil.which("grep")
        # warm the page cache for both
        subprocess.run([grep or "cat", "-rcE", "x", str(logs)], capture_output=True, check=False)

        def ours() -> int:
            return sum(1 for _ in search_logs(logs, pattern, workers=workers))

        def ours_serial() -> int:
            return sum(1 for _ in search_logs(logs, pattern))

        def theirs() -> int:
            assert grep is not None
            out = subprocess.run([grep, "-rnE", PATTERN, str(logs)], capture_output=True, check=False)
            return out.stdout.count(b"\n")

        import os

        from console.headless.search_commands import search_workers

        workers = max(2, min(4, os.cpu_count() or 1))
        print(f"the CLI would use {search_workers()} process(es) now (idle cores by load average "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()})")
        serial_s, _ = time_it(ours_serial, args.repeat)
        print(f"search_logs, 1 process  : {serial_s * 1000:8.1f} ms  {total / 2**20 / serial_s:,.0f} MiB/s")
        ours_s, ours_n = time_it(ours, args.repeat)
        print(f"search_logs, {workers} processes: {ours_s * 1000:8.1f} ms  {ours_n} matches  "
              f"{total / 2**20 / ours_s:,.0f} MiB/s  (target <= 1000 ms)")
        best = min(serial_s, ours_s)
        if grep is None:
            print("grep not found: no peer figure")
            return 0
        grep_s, grep_n = time_it(theirs, args.repeat)
        print(f"grep -rnE               : {grep_s * 1000:8.1f} ms  {grep_n} matches  {total / 2**20 / grep_s:,.0f} MiB/s")
        print(f"ratio to grep           : 1 process {serial_s / grep_s:.2f}x, {workers} processes "
              f"{ours_s / grep_s:.2f}x  (target <= 1.5x; best {best / grep_s:.2f}x)")
        if ours_n != grep_n:
            print(f"WARNING: match counts differ ({ours_n} vs {grep_n})")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
