"""File arrival: ``Pipeline(watch="assets/incoming/*.csv")`` runs once per new or changed file.

How a file is picked up:

- ``watch`` is a glob relative to the project root (``*`` stays inside one folder, ``**``
  crosses folders). The service learns about changes from ``watchfiles`` and also rescans
  the pattern at start and every so often, so files that landed while it was stopped, or
  whose events were lost, are still picked up.
- A file is started on only once its size and mtime have not changed for ``settle_s``
  (0.5 s): a file still being copied is not read half-written.
- Names starting with ``.`` and ending in ``.part``, ``.tmp``, ``.partial``, ``.crdownload``
  or ``~`` are ignored. The safe way to land a file is to write ``data.csv.part`` (or
  ``.data.csv``) and rename it to ``data.csv`` when complete: a rename is atomic, so the
  pipeline only ever sees whole files, however slow the writer.
- Each run receives the file's absolute path in the ``path`` param, so a watched pipeline
  must declare it: ``Pipeline("ingest", params={"path": ""}, watch="assets/incoming/*.csv")``.
  The service reports a pipeline that does not as a trigger problem and does not watch it.
- The ``(size, mtime)`` of the version each run was started for is kept in the store, so a
  restart does not run a file twice; touching or rewriting a file runs it again. The first
  time a pattern is watched, files already there are taken as processed (no flood of runs
  over an old folder); touch one to process it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from console.triggers.state import TriggerState

IGNORED_SUFFIXES = (".part", ".tmp", ".partial", ".crdownload", "~")
PATH_PARAM = "path"
GLOB_CHARS = frozenset("*?[")
KIND = "file"
PATTERN_KEY = "@pattern"


def is_ignored(name: str) -> bool:
    """Temporary or hidden names that are never picked up (see the module docstring)."""
    return name.startswith(".") or name.endswith(IGNORED_SUFFIXES)


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A regex for a relative POSIX glob: ``*`` and ``?`` stop at ``/``; ``**/`` spans folders."""
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:[^/]+/)*")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(ch))
            else:
                body = pattern[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end
        else:
            out.append(re.escape(ch))
        i += 1
    return re.compile("".join(out) + r"\Z")


def watch_base(root: Path, pattern: str) -> Path:
    """The deepest folder of ``pattern`` without glob characters (what to watch)."""
    base = root
    for part in Path(pattern).parts[:-1]:
        if GLOB_CHARS & set(part):
            break
        base = base / part
    return base


def signature(path: Path) -> str | None:
    """``"<size>:<mtime_ns>"`` of a regular file, None when it is gone or not a file."""
    try:
        st = path.stat()
    except OSError:
        return None
    if not path.is_file():
        return None
    return f"{st.st_size}:{st.st_mtime_ns}"


@dataclass
class Candidate:
    """A file seen changing, waiting to be stable for ``settle_s``."""

    path: Path
    sig: str
    since: float


class FileTrigger:
    """One pipeline's watch pattern: which files are new or changed, and stable."""

    def __init__(
        self, pipeline: str, pattern: str, root: Path, state: TriggerState, *, settle_s: float = 0.5
    ) -> None:
        self.pipeline = pipeline
        self.pattern = self.normalise(pattern)
        self.root = root.resolve()
        self.state = state
        self.settle_s = settle_s
        self.regex = glob_regex(self.pattern)
        self.base = watch_base(self.root, self.pattern)
        self.candidates: dict[Path, Candidate] = {}
        self.seen: dict[str, str | None] = {}

    @staticmethod
    def normalise(pattern: str) -> str:
        pattern = pattern.strip()
        return pattern[2:] if pattern.startswith("./") else pattern

    # -- matching ---------------------------------------------------------------------------
    def rel(self, path: Path) -> str | None:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return None

    def matches(self, path: Path) -> bool:
        rel = self.rel(path)
        return rel is not None and not is_ignored(path.name) and bool(self.regex.match(rel))

    def existing(self) -> list[Path]:
        if Path(self.pattern).is_absolute():
            return []
        return sorted(p for p in self.root.glob(self.pattern) if p.is_file() and self.matches(p))

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self, now: float) -> int:
        """Load what was processed before; a first-time pattern takes existing files as done.

        Returns how many files were taken as already processed by a new baseline (else 0).
        """
        self.seen = {k: v for k, v in self.state.all(self.pipeline, KIND).items() if k != PATTERN_KEY}
        stored = self.state.get(self.pipeline, KIND, PATTERN_KEY)
        if stored == self.pattern:
            self.rescan(now)
            return 0
        files = self.existing()
        marks = [(rel, signature(p)) for p in files if (rel := self.rel(p))]
        self.state.delete(self.pipeline, KIND, list(self.seen))
        self.state.set_many(self.pipeline, KIND, [(PATTERN_KEY, self.pattern), *marks])
        self.seen = dict(marks)
        return len(marks)

    def rescan(self, now: float) -> None:
        """Notice every matching file that differs from what was processed; forget vanished ones."""
        present: set[str] = set()
        for path in self.existing():
            rel = self.rel(path)
            if rel is None:
                continue
            present.add(rel)
            self.notice(path, now)
        gone = [rel for rel in self.seen if rel not in present]
        if gone:
            self.state.delete(self.pipeline, KIND, gone)
            for rel in gone:
                del self.seen[rel]

    def notice(self, path: Path, now: float) -> bool:
        """A change was reported for ``path``: track it until it is stable. True if new."""
        if not self.matches(path):
            return False
        path = path.resolve()
        sig = signature(path)
        if sig is None:
            self.candidates.pop(path, None)
            return False
        rel = self.rel(path)
        if rel is not None and self.seen.get(rel) == sig:
            self.candidates.pop(path, None)
            return False
        current = self.candidates.get(path)
        if current is None:
            self.candidates[path] = Candidate(path, sig, now)
            return True
        if current.sig != sig:
            current.sig, current.since = sig, now
        return False

    def ready(self, now: float) -> list[Candidate]:
        """Candidates whose size and mtime held still for ``settle_s``; they leave the list."""
        out: list[Candidate] = []
        for path, cand in list(self.candidates.items()):
            sig = signature(path)
            if sig is None or not self.matches(path):
                del self.candidates[path]
                continue
            if sig != cand.sig:
                cand.sig, cand.since = sig, now
                continue
            if now - cand.since >= self.settle_s:
                del self.candidates[path]
                out.append(cand)
        return out

    def mark_processed(self, cand: Candidate) -> None:
        """Remember the version a run was started for (kept across restarts)."""
        rel = self.rel(cand.path)
        if rel is None:
            return
        self.seen[rel] = cand.sig
        self.state.set(self.pipeline, KIND, rel, cand.sig)
