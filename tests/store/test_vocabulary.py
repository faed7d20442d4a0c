"""The shared vocabulary: states equal their stored strings, one terminal set each, events."""

from __future__ import annotations

import dataclasses
import json

import pytest

from console.store.runs import TERMINAL_RUN_STATES as RUNS_TERMINAL
from console.store.vocabulary import (
    TERMINAL_RUN_STATES,
    TERMINAL_TASK_STATES,
    Event,
    RunState,
    TaskState,
)


def test_states_compare_equal_to_the_stored_strings() -> None:
    assert RunState.SUCCEEDED == "succeeded" and TaskState.RETRYING == "retrying"
    assert json.dumps({"status": TaskState.SKIPPED}) == '{"status": "skipped"}'
    assert f"{RunState.INTERRUPTED}" == "interrupted"
    assert {s.value for s in RunState} < {s.value for s in TaskState}


def test_one_terminal_set_each_and_interrupted_is_terminal() -> None:
    assert RUNS_TERMINAL is TERMINAL_RUN_STATES
    assert "interrupted" in TERMINAL_RUN_STATES and "interrupted" in TERMINAL_TASK_STATES
    assert "cancelled" in TERMINAL_TASK_STATES and "skipped" in TERMINAL_TASK_STATES
    assert not {"queued", "running", "retrying"} & TERMINAL_TASK_STATES


def test_event_row_and_listener_payload() -> None:
    event = Event("task.finished", 7, "load", TaskState.FAILED, {"error": "x"}, "etl", at=1.5)
    assert event.row() == (1.5, 7, "load", "task.finished", "failed", {"error": "x"})
    assert event.row(with_data=False)[5] is None
    assert event.to_dict() == {
        "kind": "task.finished",
        "run_id": 7,
        "task": "load",
        "status": "failed",
        "data": {"error": "x"},
        "at": 1.5,
        "pipeline": "etl",
    }
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.status = "succeeded"  # type: ignore[misc]
    assert event == Event("task.finished", 7, "load", "failed", {"error": "x"}, "etl", at=1.5)
    quiet = Event("monitor.evaluated", status="ok").to_dict()
    assert "pipeline" not in quiet and quiet["data"] == {} and quiet["run_id"] is None
