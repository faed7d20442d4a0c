"""OpenLineage run events for each task, off the run's thread (``lineage = {...}`` in the config).

    [tool.opsconsole]
    lineage = { transport = "http", url = "http://127.0.0.1:5000" }   # Marquez, a collector...
    lineage = { transport = "file", path = ".opsconsole/lineage.jsonl" }

The engine calls :class:`LineageEmitter` as an event listener: it only puts the event on a
queue. A daemon thread turns task starts and ends into START / COMPLETE / FAIL / ABORT run
events (job ``PIPELINE.TASK``, the pipeline run as the parent) with datasets: a task's output
is the dataset ``PIPELINE.TASK`` in the project's namespace and its upstream tasks' outputs are
its inputs, so a collector draws the DAG; a file-triggered run's ``path`` is an input of its root tasks, a model
version the task registered an output, and a SQL model's table and query (``lineage`` in the
task's event data) its output and SQL facet. Delivery failures are logged, never raised: lineage
never fails or slows a run. ``openlineage-python`` is imported by that thread only.
"""

from __future__ import annotations

import json
import logging
import queue
import sqlite3
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from console.errors import ProjectError

log = logging.getLogger("console.lineage")
PRODUCER = "https://github.com/ops-console/ops-console"
_STATES = {"succeeded": "COMPLETE", "failed": "FAIL", "cancelled": "ABORT", "interrupted": "ABORT"}
_STOP = object()


def check_config(value: Any, root: Path) -> dict[str, str]:
    """The ``lineage`` table, validated: ``transport`` file (``path``) or http (``url``)."""
    if not isinstance(value, dict):
        raise ProjectError(f"{root}: lineage must be a table like {{ transport = \"file\", path = \"...\" }}")
    transport = value.get("transport")
    if transport == "file":
        if not isinstance(value.get("path"), str) or not value["path"]:
            raise ProjectError(f"{root}: lineage transport \"file\" needs path = \"FILE\"")
        return {"transport": "file", "path": str(root / value["path"])}
    if transport == "http":
        url = value.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ProjectError(f"{root}: lineage transport \"http\" needs url = \"http(s)://HOST[:PORT]\"")
        endpoint = value.get("endpoint", "api/v1/lineage")
        return {"transport": "http", "url": url, "endpoint": str(endpoint)}
    raise ProjectError(f"{root}: lineage transport must be \"file\" or \"http\", not {transport!r}")


def run_uuid(project: str, run_id: int, task: str | None = None) -> str:
    """Stable ids: the same run (and task) gets the same OpenLineage runId on every event."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"opsconsole://{project}/runs/{run_id}/{task or ''}"))


class LineageEmitter:
    """An engine listener that sends OpenLineage events from its own thread."""

    def __init__(self, project: str, config: dict[str, str], db_path: Path, root: Path) -> None:
        self.project = project
        self.root = root
        self.namespace = f"opsconsole://{project}"
        self.config = config
        self.db_path = db_path
        self.sent = 0
        self.failed = 0
        self._queue: queue.Queue[Any] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="openlineage", daemon=True)
        self._thread.start()

    def __call__(self, event: dict[str, Any]) -> None:
        kind = event.get("kind")
        if event.get("task") and (kind == "task.started" or (kind == "task.finished" and event.get("status") in _STATES)):
            self._queue.put(event)

    def close(self, timeout: float = 5.0) -> None:
        """Send what is queued (up to ``timeout`` seconds), then stop the thread."""
        self._queue.put(_STOP)
        self._thread.join(timeout)

    # -- the sender thread ------------------------------------------------------------------
    def _loop(self) -> None:
        client = None
        conn: sqlite3.Connection | None = None
        while True:
            event = self._queue.get()
            if event is _STOP:
                break
            try:
                if client is None:
                    client = self._client()
                if conn is None:
                    conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=5)
                    conn.row_factory = sqlite3.Row
                client.emit(self._run_event(event, conn))
                self.sent += 1
            except Exception as exc:  # noqa: BLE001 - lineage never breaks a run
                self.failed += 1
                log.warning("openlineage: event for run %s task %s not sent: %s",
                            event.get("run_id"), event.get("task"), exc)
        if conn is not None:
            conn.close()

    def _client(self) -> Any:
        from openlineage.client import OpenLineageClient

        if self.config["transport"] == "file":
            from openlineage.client.transport.file import FileConfig, FileTransport

            Path(self.config["path"]).parent.mkdir(parents=True, exist_ok=True)
            return OpenLineageClient(transport=FileTransport(FileConfig(log_file_path=self.config["path"],
                                                                        append=True)))
        from openlineage.client.transport.http import HttpConfig, HttpTransport

        http = HttpConfig(url=self.config["url"], endpoint=self.config["endpoint"], timeout=5.0,
                          retry={"total": 2, "backoff_factor": 0.2, "status_forcelist": [500, 502, 503, 504],
                                 "allowed_methods": ["POST"]})
        return OpenLineageClient(transport=HttpTransport(http))

    def _run_event(self, event: dict[str, Any], conn: sqlite3.Connection) -> Any:
        from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
        from openlineage.client.facet_v2 import error_message_run, parent_run, sql_job

        run_id, task, pipeline = int(event["run_id"]), str(event["task"]), str(event["pipeline"])
        status = event.get("status")
        if event["kind"] == "task.started":
            state = RunState.START
        else:
            state = RunState(_STATES.get(str(status), "OTHER"))
        data = event.get("data") or {}
        row = conn.execute("SELECT upstream FROM tasks WHERE run_id=? AND name=?", (run_id, task)).fetchone()
        upstream = json.loads(row["upstream"]) if row is not None else []
        inputs = [InputDataset(namespace=self.namespace, name=f"{pipeline}.{up}") for up in upstream]
        params = conn.execute("SELECT params FROM runs WHERE id=?", (run_id,)).fetchone()
        path = json.loads(params["params"]).get("path") if params is not None else None
        if isinstance(path, str) and not upstream:  # a landed file enters the DAG at its roots
            inputs.append(InputDataset(namespace="file", name=str((self.root / path).resolve())))
        outputs = [OutputDataset(namespace=self.namespace, name=f"{pipeline}.{task}")]
        job_facets: dict[str, Any] = {}
        raw = data.get("lineage")
        extra: dict[str, Any] = raw if isinstance(raw, dict) else {}
        for name in extra.get("inputs", []):
            inputs.append(InputDataset(namespace=str(extra.get("namespace", "duckdb")), name=str(name)))
        for name in extra.get("outputs", []):
            outputs.append(OutputDataset(namespace=str(extra.get("namespace", "duckdb")), name=str(name)))
        if extra.get("sql"):
            job_facets["sql"] = sql_job.SQLJobFacet(query=str(extra["sql"]))
        if state != RunState.START:
            for mv in conn.execute("SELECT name, version FROM model_versions WHERE run_id=? AND task=?",
                                   (run_id, task)):
                outputs.append(OutputDataset(namespace=f"{self.namespace}/models", name=f"{mv['name']}/v{mv['version']}"))
        run_facets: dict[str, Any] = {
            "parent": parent_run.ParentRunFacet(
                run=parent_run.Run(runId=run_uuid(self.project, run_id)),
                job=parent_run.Job(namespace=self.namespace, name=pipeline),
            )
        }
        if state == RunState.FAIL and data.get("error"):
            run_facets["errorMessage"] = error_message_run.ErrorMessageRunFacet(
                message=str(data["error"])[:2000], programmingLanguage="python"
            )
        at = datetime.fromtimestamp(float(event.get("at") or 0), tz=UTC).isoformat()
        return RunEvent(
            eventType=state,
            eventTime=at,
            producer=PRODUCER,
            run=Run(runId=run_uuid(self.project, run_id, task), facets=run_facets),
            job=Job(namespace=self.namespace, name=f"{pipeline}.{task}", facets=job_facets),
            inputs=inputs,
            outputs=outputs,
        )
