"""The words every part shares: run and task states, the event, and the rows of runs and tasks.

States are ``StrEnum`` members, so they compare equal to the strings stored in the database
and printed by ``--json`` (``TaskState.FAILED == "failed"``); code names them, data keeps
the plain strings. ``interrupted`` is terminal for runs and tasks alike: only the recovery
of a dead process sets it, and nothing moves a run or task out of it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NotRequired, TypedDict


class RunState(StrEnum):
    """``queued -> running -> succeeded | failed | cancelled | interrupted``."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"


class TaskState(StrEnum):
    """A run's states plus ``retrying`` (waiting for its next attempt) and ``skipped`` (upstream failed)."""

    QUEUED = "queued"
    RUNNING = "running"
    RETRYING = "retrying"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"


TERMINAL_RUN_STATES: frozenset[RunState] = frozenset(
    {RunState.SUCCEEDED, RunState.FAILED, RunState.CANCELLED, RunState.INTERRUPTED}
)
TERMINAL_TASK_STATES: frozenset[TaskState] = frozenset(
    {TaskState.SUCCEEDED, TaskState.FAILED, TaskState.SKIPPED, TaskState.CANCELLED, TaskState.INTERRUPTED}
)
ACTIVE_RUN_STATES: frozenset[RunState] = frozenset({RunState.QUEUED, RunState.RUNNING})

# (at, run_id, task, kind, status, data): the column order of ``events`` inserts
EventRow = tuple[float, int | None, str | None, str, str | None, dict[str, Any] | str | None]


@dataclass(frozen=True, init=False)
class Event:
    """One row of the events table, the bus every front end reads (``seq`` is given on insert).

    ``kind`` is dotted (``run.started``, ``task.finished``, ``check.failed``, ``alert.fired``...);
    ``status`` is the new state for state changes and None for informational events;
    ``at`` defaults to now.
    """

    kind: str
    run_id: int | None
    task: str | None
    status: str | None
    data: dict[str, Any] | None
    pipeline: str | None
    at: float

    def __init__(
        self,
        kind: str,
        run_id: int | None = None,
        task: str | None = None,
        status: str | None = None,
        data: dict[str, Any] | None = None,
        pipeline: str | None = None,
        at: float | None = None,
    ) -> None:
        # one dict update instead of a frozen setattr per field: an event is built for every
        # state change of every task, and this halves its cost
        self.__dict__.update(
            kind=kind,
            run_id=run_id,
            task=task,
            status=status,
            data=data,
            pipeline=pipeline,
            at=time.time() if at is None else at,
        )

    def row(self, *, with_data: bool = True) -> EventRow:
        """The insert tuple; ``with_data=False`` stores the event without its payload."""
        return (self.at, self.run_id, self.task, self.kind, self.status, (self.data or None) if with_data else None)

    def to_dict(self) -> dict[str, Any]:
        """What listeners of this process receive (``pipeline`` only when the event has one)."""
        out: dict[str, Any] = {
            "kind": self.kind,
            "run_id": self.run_id,
            "task": self.task,
            "status": self.status,
            "data": self.data or {},
            "at": self.at,
        }
        if self.pipeline is not None:
            out["pipeline"] = self.pipeline
        return out


class RunRow(TypedDict):
    """A row of ``runs`` as ``runs.get_run_row`` and ``runs.list_runs`` return it."""

    id: int
    pipeline: str
    status: str
    trigger: str
    params: str
    created_at: float
    started_at: float | None
    ended_at: float | None
    parent_run_id: int | None
    group_key: str | None
    n_tasks: int
    n_done: int
    error: str | None
    source_sha256: str | None
    git_commit: str | None
    sla_s: float | None  # the pipeline's deadline when the run started
    late: int  # 1 once the run or a task missed its deadline
    host: str | None  # where the run's process ran (recovery proves it gone only there)
    pid: int | None
    task_counts: NotRequired[dict[str, int]]  # status -> tasks, attached by runs.attach_task_counts


class TaskRow(TypedDict):
    """A row of ``tasks`` as ``runs.get_tasks`` returns it."""

    name: str
    position: int
    status: str
    attempts: int
    started_at: float | None
    ended_at: float | None
    duration_s: float | None
    error: str | None
    result_key: str | None
    reused: int
    log_lines: int
    upstream: str
