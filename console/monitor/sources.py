"""Where a monitor's frames come from: a file, a frame, a function, or a task's stored result.

A monitor's ``reference`` and ``current`` may each be:

- a pandas DataFrame, used as is;
- a path relative to the project root (``"assets/train.csv"``; CSV, TSV, Parquet, JSON
  lines); a glob (``"assets/incoming/*.csv"``) means its newest file, and
  ``recent("assets/incoming/*.csv", n=3)`` the newest ``n`` files concatenated;
- ``"pipeline.task"`` (or ``"pipeline.task.key"`` when the task returns a dict of
  frames): the latest stored result of that task. For the reference, the run that
  registered the monitored model version is preferred (lineage), so drift is measured
  against the data the serving model was trained on;
- ``recent_results("pipeline.task", n=3)``: the results of that task in its newest ``n``
  succeeded runs, concatenated (e.g. the last scored batches of an inference pipeline);
- a function ``(ctx) -> DataFrame`` receiving a :class:`MonitorContext`.

Nothing here imports pandas until a file is read.
"""

from __future__ import annotations

import glob
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.errors import DataError, NotFoundError

if TYPE_CHECKING:
    from console.store.state import Store

DATA_SUFFIXES = {".csv", ".tsv", ".txt", ".parquet", ".pq", ".json", ".jsonl", ".feather", ".pkl", ".pickle"}
TASK_REF = re.compile(r"^(?P<pipeline>[A-Za-z_][\w-]*)\.(?P<task>[A-Za-z_]\w*)(?:\.(?P<key>[\w-]+))?$")
GLOB_CHARS = re.compile(r"[*?\[]")


@dataclass
class MonitorContext:
    """What a source function receives: the store, the project and the monitored model."""

    store: Store
    project_root: Path
    monitor: str
    model: str
    version: int | None = None
    model_run_id: int | None = None
    engine: Any = None
    role: str = "current"

    def path(self, relative: str | Path) -> Path:
        """``relative`` resolved against the project root."""
        p = Path(relative)
        return p if p.is_absolute() else self.project_root / p

    def task_result(self, pipeline: str, task: str, key: str | None = None) -> Any:
        """The latest stored result of ``pipeline.task`` (see :func:`latest_task_result`)."""
        return latest_task_result(self.store, pipeline, task, key=key)


@dataclass(frozen=True)
class Recent:
    """The newest ``n`` files matching ``pattern``, read and concatenated (oldest first)."""

    pattern: str
    n: int = 3

    def __call__(self, ctx: MonitorContext) -> Any:
        files = matching_files(ctx.path(self.pattern))
        if not files:
            raise DataError(f"{self.pattern}: no file matches yet")
        import pandas as pd

        frames = [read_frame(f) for f in files[-max(self.n, 1) :]]
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]

    def describe(self) -> str:
        return f"newest {self.n} of {self.pattern}"


def recent(pattern: str, n: int = 3) -> Recent:
    """A source: the newest ``n`` files matching ``pattern`` (relative to the project root)."""
    return Recent(pattern, n)


@dataclass(frozen=True)
class RecentResults:
    """The results of ``pipeline.task`` in its newest ``n`` succeeded runs, concatenated, oldest first."""

    ref: str
    n: int = 3

    def __call__(self, ctx: MonitorContext) -> Any:
        match = TASK_REF.match(self.ref)
        if match is None:
            raise DataError(f"recent_results({self.ref!r}): expected 'pipeline.task' or 'pipeline.task.key'")
        frames = task_results(ctx.store, match["pipeline"], match["task"], n=self.n, key=match["key"])
        frames = [_frame(f, f"monitor {ctx.monitor}: {ctx.role} {self.ref}") for f in frames]
        if len(frames) == 1:
            return frames[0]
        import pandas as pd

        return pd.concat(frames, ignore_index=True)

    def describe(self) -> str:
        return f"newest {self.n} results of {self.ref}"


def recent_results(ref: str, n: int = 3) -> RecentResults:
    """A source: the results of task ``ref`` (``"pipeline.task"``) in its newest ``n`` succeeded runs."""
    if not isinstance(n, int) or n < 1:
        raise DataError(f"recent_results({ref!r}, n={n!r}): n must be an integer >= 1")
    return RecentResults(ref, n)


def describe(source: Any) -> str:
    """A short text for a source, for evidence and the CLI."""
    if isinstance(source, str | Path):
        return str(source)
    if hasattr(source, "describe") and not _is_frame(source):
        return str(source.describe())
    if _is_frame(source):
        return f"DataFrame {len(source)} rows"
    return getattr(source, "__name__", type(source).__name__)


def matching_files(pattern: Path) -> list[Path]:
    """Files matching a glob, oldest first by (modification time, name)."""
    paths = [Path(p) for p in glob.glob(str(pattern)) if Path(p).is_file()]
    paths = [p for p in paths if not p.name.startswith(".") and not p.name.endswith(".part")]
    return sorted(paths, key=lambda p: (p.stat().st_mtime, p.name))


def read_frame(path: Path) -> Any:
    """Read one data file by its suffix, with one-line errors."""
    import pandas as pd

    suffix = path.suffix.lower()
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    try:
        if suffix in (".csv", ".txt"):
            from console.quality.csvio import read_csv

            return read_csv(path)
        if suffix == ".tsv":
            from console.quality.csvio import read_csv

            return read_csv(path, sep="\t")
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
        if suffix == ".feather":
            return pd.read_feather(path)
        if suffix in (".json", ".jsonl"):
            return pd.read_json(path, lines=suffix == ".jsonl")
        if suffix in (".pkl", ".pickle"):
            return pd.read_pickle(path)  # noqa: S301 - the project's own file
    except DataError:
        raise
    except (ImportError, ValueError, OSError) as exc:
        raise DataError(f"{path}: cannot read: {exc}") from exc
    raise DataError(f"{path}: unknown data format {suffix!r} (csv, tsv, parquet, feather, json, jsonl, pkl)")


def _is_frame(value: Any) -> bool:
    return hasattr(value, "columns") and hasattr(value, "iloc")


def is_task_ref(source: str, root: Path) -> bool:
    """``"pipeline.task"`` rather than a file name (``"data.csv"`` or an existing file)."""
    match = TASK_REF.match(source)
    if match is None:
        return False
    if Path(source).suffix.lower() in DATA_SUFFIXES and match.group("key") is None:
        return False
    return not (root / source).exists()


def latest_task_result(
    store: Store, pipeline: str, task: str, *, key: str | None = None, prefer_run_id: int | None = None
) -> Any:
    """The newest stored result of a succeeded ``task`` of ``pipeline`` (``prefer_run_id`` first)."""
    from console.store import results

    rows = store.db.query(
        "SELECT t.run_id, t.result_key FROM runs r JOIN tasks t ON t.run_id = r.id AND t.name = ? "
        "WHERE r.pipeline = ? AND t.status = 'succeeded' AND t.result_key IS NOT NULL "
        "ORDER BY (r.id = ?) DESC, r.id DESC LIMIT 5",
        (task, pipeline, prefer_run_id if prefer_run_id is not None else -1),
    )
    ref = f"{pipeline}.{task}"
    for row in rows:
        if not results.exists(store, row["result_key"]):
            continue  # collected by gc: try an older run
        value = results.load(store, row["result_key"])
        if key is None:
            return value
        if isinstance(value, dict) and key in value:
            return value[key]
        keys = ", ".join(map(str, value)) if isinstance(value, dict) else type(value).__name__
        raise DataError(f"{ref}.{key}: the result of {ref} has no key {key!r} ({keys})")
    raise NotFoundError(f"{ref}: no stored result yet (run `opsconsole run {pipeline}` first)")


def task_results(store: Store, pipeline: str, task: str, *, n: int, key: str | None = None) -> list[Any]:
    """Results of ``task`` in the newest ``n`` succeeded runs of ``pipeline`` that still have them, oldest first."""
    from console.store import results

    rows = store.db.query(
        "SELECT t.run_id, t.result_key FROM runs r JOIN tasks t ON t.run_id = r.id AND t.name = ? "
        "WHERE r.pipeline = ? AND t.status = 'succeeded' AND t.result_key IS NOT NULL "
        "ORDER BY r.id DESC LIMIT ?",
        (task, pipeline, n * 2),
    )
    values: list[Any] = []
    for row in rows:
        if len(values) == n:
            break
        if not results.exists(store, row["result_key"]):
            continue  # collected by gc
        value = results.load(store, row["result_key"])
        if key is not None:
            if not isinstance(value, dict) or key not in value:
                raise DataError(
                    f"{pipeline}.{task}.{key}: the result of run {row['run_id']} has no key {key!r}"
                )
            value = value[key]
        values.append(value)
    if not values:
        raise NotFoundError(
            f"{pipeline}.{task}: no stored result yet (run `opsconsole run {pipeline}` first)"
        )
    return values[::-1]


def load_source(source: Any, ctx: MonitorContext) -> Any:
    """Resolve one source to a DataFrame; raises DataError/NotFoundError with what is missing."""
    label = f"monitor {ctx.monitor}: {ctx.role}"
    if _is_frame(source):
        return source
    if isinstance(source, str | Path):
        text = str(source)
        if isinstance(source, str) and is_task_ref(text, ctx.project_root):
            match = TASK_REF.match(text)
            assert match is not None
            prefer = ctx.model_run_id if ctx.role == "reference" else None
            value = latest_task_result(
                ctx.store, match["pipeline"], match["task"], key=match["key"], prefer_run_id=prefer
            )
            return _frame(value, f"{label} {text}")
        path = ctx.path(text)
        if GLOB_CHARS.search(text):
            files = matching_files(path)
            if not files:
                raise DataError(f"{label}: no file matches {text} yet")
            return read_frame(files[-1])
        return read_frame(path)
    if callable(source):
        fn: Callable[[MonitorContext], Any] = source
        return _frame(fn(ctx), f"{label} {describe(source)}")
    raise DataError(f"{label}: expected a DataFrame, a path, 'pipeline.task' or a function, not {source!r}")


def _frame(value: Any, label: str) -> Any:
    if _is_frame(value):
        return value
    if isinstance(value, dict):
        keys = ", ".join(map(str, value))
        raise DataError(f"{label}: got a dict ({keys}); name the frame, e.g. 'pipeline.task.key'")
    raise DataError(f"{label}: expected a DataFrame, got {type(value).__name__}")
