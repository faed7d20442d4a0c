"""Searching task logs across runs (``opsconsole logs --search``, the console's search screen).

Logs are files ``logs/<run>/<task>.log``. Each file is read whole as bytes and searched
with one compiled bytes pattern, so the scan runs in the regex engine's C loop and only
matching lines become Python strings; line numbers come from counting newlines between
matches (``bytes.count`` is a memchr loop). A run filter (pipeline, since) narrows the
directories through the runs table first.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from console.errors import UsageError
from console.store.db import Database
from console.store.log_stamps import split


@dataclass
class LogMatch:
    """One matching line; ``before``/``after`` hold up to ``context`` lines around it."""

    run_id: int
    task: str
    line_no: int
    line: str
    before: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        at, text = split(self.line)
        return {"run_id": self.run_id, "task": self.task, "line_no": self.line_no, "line": self.line,
                "at": at, "text": text}  # fmt: skip


def compile_pattern(pattern: str, *, ignore_case: bool = False) -> re.Pattern[bytes]:
    try:
        return re.compile(pattern.encode(), re.MULTILINE | (re.IGNORECASE if ignore_case else 0))
    except re.error as exc:
        raise UsageError(f"bad --search pattern {pattern!r}: {exc}") from exc


def run_dirs(logs_dir: Path, db: Database | None, *, pipeline: str | None, since: float | None,
             run_ids: list[int] | None = None) -> list[tuple[int, Path]]:
    """The runs' log directories to search, newest run first."""
    if run_ids is None and (pipeline or since) and db is not None:
        where: list[str] = []
        params: list[Any] = []
        if pipeline:
            where.append("pipeline = ?")
            params.append(pipeline)
        if since:
            where.append("created_at >= ?")
            params.append(since)
        rows = db.query(f"SELECT id FROM runs WHERE {' AND '.join(where)} ORDER BY id DESC", params)
        run_ids = [int(r[0]) for r in rows]
    if run_ids is not None:
        return [(rid, logs_dir / str(rid)) for rid in sorted(run_ids, reverse=True)]
    try:
        names = [n for n in os.listdir(logs_dir) if n.isdigit()]
    except FileNotFoundError:
        return []
    return [(int(n), logs_dir / n) for n in sorted(names, key=int, reverse=True)]


def search_logs(
    logs_dir: Path,
    pattern: re.Pattern[bytes],
    *,
    db: Database | None = None,
    pipeline: str | None = None,
    since: float | None = None,
    task: str | None = None,
    context: int = 0,
    limit: int | None = None,
    run_ids: list[int] | None = None,
    workers: int = 1,
) -> Iterator[LogMatch]:
    """Matching lines, newest run first, tasks by name, lines in order; at most ``limit``.

    ``workers > 1`` scans chunks of files in that many forked processes (the regex engine
    holds the GIL, so threads would not help); only for a process without other threads
    (the CLI), and only when there is enough to read to pay for the processes.
    """
    files = list(_files(logs_dir, db, pipeline=pipeline, since=since, task=task, run_ids=run_ids))
    found = 0
    if workers > 1 and limit is None and len(files) >= PARALLEL_MIN_FILES:
        yield from _parallel(files, pattern, context, workers)
        return
    for run_id, name, path in files:
        for match in _scan_file(path, pattern, run_id, name, context):
            yield match
            found += 1
            if limit is not None and found >= limit:
                return


PARALLEL_MIN_FILES = 64


def _files(logs_dir: Path, db: Database | None, *, pipeline: str | None, since: float | None,
           task: str | None, run_ids: list[int] | None) -> Iterator[tuple[int, str, Path]]:
    for run_id, folder in run_dirs(logs_dir, db, pipeline=pipeline, since=since, run_ids=run_ids):
        try:
            names = sorted(os.listdir(folder)) if task is None else [f"{task}.log"]
        except FileNotFoundError:
            continue
        for name in names:
            if name.endswith(".log"):
                yield run_id, name[:-4], folder / name


def _scan_file(path: Path, pattern: re.Pattern[bytes], run_id: int, task: str, context: int) -> Iterator[LogMatch]:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        return
    yield from _scan(data, pattern, run_id, task, context)


def _scan_chunk(chunk: list[tuple[int, str, Path]], pattern: re.Pattern[bytes], context: int) -> list[LogMatch]:
    return [m for run_id, task, path in chunk for m in _scan_file(path, pattern, run_id, task, context)]


def _parallel(files: list[tuple[int, str, Path]], pattern: re.Pattern[bytes], context: int,
              workers: int) -> Iterator[LogMatch]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    size = max(8, len(files) // (workers * 8))
    chunks = [files[i : i + size] for i in range(0, len(files), size)]
    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
        for matches in pool.map(_scan_chunk, chunks, [pattern] * len(chunks), [context] * len(chunks)):
            yield from matches


def _scan(data: bytes, pattern: re.Pattern[bytes], run_id: int, task: str, context: int) -> Iterator[LogMatch]:
    pos, line_no, counted = 0, 1, 0
    size = len(data)
    while pos <= size:
        m = pattern.search(data, pos)
        if m is None:
            return
        start = data.rfind(b"\n", 0, m.start()) + 1
        end = data.find(b"\n", m.end())
        if end < 0:
            end = size
        line_no += data.count(b"\n", counted, start)
        counted = start
        hit = LogMatch(run_id, task, line_no, data[start:end].decode("utf-8", "replace"))
        if context:
            hit.before = _lines_before(data, start, context)
            hit.after = _lines_after(data, end, context)
        yield hit
        if end >= size:
            return
        pos = end + 1


def _lines_before(data: bytes, start: int, n: int) -> list[str]:
    if start == 0:
        return []
    lines = data[max(0, start - 4096 * n) : start - 1].split(b"\n")[-n:]
    return [ln.decode("utf-8", "replace") for ln in lines]


def _lines_after(data: bytes, end: int, n: int) -> list[str]:
    tail = data[end + 1 : end + 1 + 4096 * n]
    lines = tail.split(b"\n")[:n] if tail else []
    if lines and lines[-1] == b"" and data.endswith(b"\n") and end + 1 + len(tail) >= len(data):
        lines = lines[:-1]
    return [ln.decode("utf-8", "replace") for ln in lines]
