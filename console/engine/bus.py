"""The one publish path of events: the events table first, then this process's listeners.

Every event (the runner's state changes, a task's ``ctx.event``, the gate's verdict, a
monitor's evaluation) goes through :meth:`EventBus.publish`. The store's writer inserts it
in its next batch, which gives it its ``seq``; other processes (the console's tail, ``watch``,
the headless service) read the table after the last ``seq`` they saw. Listeners of this
process hear it at once, as a dict (``Event.to_dict``); a listener that raises is logged
and never breaks the engine (huey's ``_emit`` does the same).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from console.store.vocabulary import Event

if TYPE_CHECKING:
    from console.store.state import Store

log = logging.getLogger("opsconsole.engine")
Listener = Callable[[dict[str, Any]], None]


class EventBus:
    """Publishes events of one store: persisted by its writer, told to subscribed listeners."""

    def __init__(self, store: Store | None) -> None:
        self.store = store
        self.listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        self.listeners.append(listener)

    def publish(
        self,
        event: Event,
        *,
        task_fields: dict[str, Any] | None = None,
        stored: bool = False,
        store_data: bool = True,
    ) -> None:
        """Persist ``event`` and tell the listeners.

        ``task_fields``: columns of the event's task row, written with the event in one writer
        operation (a state change is its row and its event together); its ``status`` is set
        to the event's, in place (pass a dict of your own). ``stored``: already in
        the table (the registry inserts its events inside its own transaction), so only
        the listeners hear it. ``store_data=False`` keeps the payload out of the table.
        """
        if not stored and self.store is not None:
            if task_fields is not None and event.run_id is not None and event.task is not None:
                self._write_change(
                    event.kind, event.run_id, event.task, event.status, event.data, event.at, task_fields, store_data
                )
            else:
                data = event.data if store_data else None
                self.store.writer.event(event.run_id, event.task, event.kind, event.status, data, event.at)
        if self.listeners:
            payload = event.to_dict()
            if event.kind == "run.finished" and event.status != "failed" and self._vanished():
                # its record went with the deleted state directory: the run failed, say so live
                error = "the state directory was deleted during the run"
                payload = {**payload, "status": "failed", "data": {**payload.get("data", {}), "error": error}}
            self.notify(payload)

    def publish_change(
        self,
        kind: str,
        run_id: int,
        task: str,
        status: str,
        data: dict[str, Any] | None,
        pipeline: str,
        task_fields: dict[str, Any],
        *,
        store_data: bool = True,
    ) -> None:
        """A task's state change, as :meth:`publish` with ``task_fields``, on the engine's hot path.

        No :class:`Event` is built: a 2,000-task run makes 4,000 of these; listeners (the CLI's
        printers) get its ``to_dict`` payload, built straight.
        """
        if self.store is None:
            self.publish(Event(kind, run_id, task, status, data, pipeline), task_fields=task_fields)
            return
        at = time.time()
        self._write_change(kind, run_id, task, status, data, at, task_fields, store_data)
        if self.listeners:  # Event.to_dict's payload, built straight (the CLI's printers listen)
            self.notify(
                {"kind": kind, "run_id": run_id, "task": task, "status": status, "data": data or {}, "at": at,
                 "pipeline": pipeline}
            )  # fmt: skip

    def _write_change(
        self,
        kind: str,
        run_id: int,
        task: str,
        status: str | None,
        data: dict[str, Any] | None,
        at: float,
        task_fields: dict[str, Any],
        store_data: bool,
    ) -> None:
        """The task row's fields and the event row, as one writer operation."""
        assert self.store is not None
        task_fields["status"] = status  # the caller's fresh dict: no copy on the hot path
        row = (at, run_id, task, kind, status, data if store_data else None)
        self.store.writer.change(run_id, task, task_fields, row)

    def _vanished(self) -> bool:
        return self.store is not None and self.store.vanished()

    def notify(self, payload: dict[str, Any]) -> None:
        """Call every listener with ``payload``; one that raises is logged, the rest still run."""
        for listener in list(self.listeners):
            try:
                listener(payload)
            except Exception:  # noqa: BLE001 - a listener never breaks the engine
                log.exception("event listener %r failed", listener)
