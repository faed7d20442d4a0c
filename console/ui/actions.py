"""What the action keys do: start, rerun, cancel, through the engine, off the UI thread.

Engine calls (importing a pipeline module, creating the run row) run on one "actions"
thread and store reads on one "reader" thread; the UI awaits their futures. One thread
each, not a thread per call, because the store keeps one SQLite connection per thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from textual.app import App

from console.errors import OpsConsoleError
from console.store.vocabulary import ACTIVE_RUN_STATES
from console.ui.readonly import REFUSAL
from console.ui.screens.confirm import ConfirmModal
from console.ui.screens.new_run import NewRunModal

if TYPE_CHECKING:
    from console.session import Session
    from console.ui.tail import PipelineInfo

T = TypeVar("T")


class Threads:
    """The reader and actions threads of one console."""

    def __init__(self) -> None:
        self.reader = ThreadPoolExecutor(1, thread_name_prefix="opsconsole-ui-reader")
        self.actions = ThreadPoolExecutor(1, thread_name_prefix="opsconsole-ui-action")

    async def read(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await asyncio.wrap_future(self.reader.submit(fn, *args, **kwargs))

    async def act(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await asyncio.wrap_future(self.actions.submit(fn, *args, **kwargs))

    def close(self) -> None:
        self.reader.shutdown(wait=False, cancel_futures=True)
        self.actions.shutdown(wait=False, cancel_futures=True)


class RunActions(App[int]):
    """The App's run actions, shared by the Runs tab, the run detail screen and the palette."""

    session: Session
    read_only: bool
    threads: Threads
    pipelines: list[PipelineInfo]
    started_here: set[int]
    _select_next: int | None

    def current_run(self) -> Mapping[str, Any] | None:
        raise NotImplementedError

    def default_pipeline(self) -> str | None:
        raise NotImplementedError

    def session_active_runs(self) -> list[int]:
        raise NotImplementedError

    def open_run(self, run_id: int) -> None:
        raise NotImplementedError

    def refused(self) -> bool:
        if self.read_only:
            self.notify(REFUSAL, severity="warning", title="refused")
            return True
        return False

    def action_new_run(self, pipeline: str | None = None) -> None:
        if self.refused():
            return
        ok = [p for p in self.pipelines if p.status == "ok"]
        if not ok:
            self.notify("no pipeline can run: the project has none, or all are broken", severity="error")
            return
        default = pipeline or self.default_pipeline()
        self.push_screen(NewRunModal(ok, default, start=self._try_start))

    async def _try_start(self, name: str, pairs: list[str]) -> str | None:
        """Start ``name``; None when started, else the error for the dialog to show."""
        from console.engine.params import parse_pairs

        def start() -> int:
            runner = self.session.engine.start(name, parse_pairs(pairs), trigger="manual")
            self.started_here.add(runner.run_id)
            return runner.run_id

        try:
            run_id = await self.threads.act(start)
        except OpsConsoleError as exc:
            return str(exc)
        except Exception as exc:  # noqa: BLE001 - the console must outlive any engine error
            return f"{type(exc).__name__}: {exc}"
        self._select_next = run_id
        self.notify(f"run {run_id} of {name} started", title="started")
        return None

    def action_rerun(self) -> None:
        self._rerun(from_failed=False)

    def action_rerun_failed(self) -> None:
        self._rerun(from_failed=True)

    def _selected_for_action(self) -> Mapping[str, Any] | None:
        """The run an action applies to; None (and a notice) when refused or none is selected."""
        if self.refused():
            return None
        run = self.current_run()
        if run is None:
            self.notify("no run selected", severity="warning")
        return run

    def _rerun(self, *, from_failed: bool) -> None:
        run = self._selected_for_action()
        if run is None:
            return
        self.run_worker(self._do_rerun(run["id"], from_failed), group="actions")

    async def _do_rerun(self, run_id: int, from_failed: bool) -> None:
        def rerun() -> int:
            runner = self.session.engine.rerun(run_id, from_failed=from_failed, wait=False)
            self.started_here.add(runner.run_id)
            return runner.run_id

        new_id = await self._engine_call(rerun)
        if new_id is not None:
            # the view moves to the new run, as after `n`: the table's cursor, or the open detail
            self._select_next = new_id
            from console.ui.screens.run_detail import RunDetailScreen

            if isinstance(self.screen, RunDetailScreen):
                self.open_run(new_id)
            how = "from failed" if from_failed else "rerun"
            self.notify(f"run {new_id}: {how} of run {run_id}", title="started")

    def action_cancel_run(self) -> None:
        run = self._selected_for_action()
        if run is None:
            return
        if run["status"] not in ACTIVE_RUN_STATES:
            self.notify(f"run {run['id']} already {run['status']}", severity="warning")
            return
        self.run_worker(self._do_cancel(run["id"]), group="actions")

    async def _do_cancel(self, run_id: int) -> None:
        state = await self._engine_call(self.session.engine.cancel, run_id)
        if state is not None:
            self.notify(f"run {run_id}: {state}", title="cancel")

    async def _engine_call(self, fn: Callable[..., T], *args: Any) -> T | None:
        """Run ``fn`` on the actions thread; a user error becomes a notification, not a crash."""
        try:
            return await self.threads.act(fn, *args)
        except OpsConsoleError as exc:
            self.notify(str(exc), severity="error", title="refused", timeout=8)
        except Exception as exc:  # noqa: BLE001 - the console must outlive any engine error
            self.notify(f"{type(exc).__name__}: {exc}", severity="error", title="error", timeout=8)
        return None

    def action_quit_console(self) -> None:
        active = [r for r in self.session_active_runs() if r in self.started_here]
        if not active:
            self.exit(0)
            return
        ids = ", ".join(str(r) for r in sorted(active))
        body = (
            f"{len(active)} run(s) started here are still running ({ids}).\n"
            "Quitting cancels them (they are recorded as cancelled)."
        )
        self.push_screen(
            ConfirmModal("Quit ops-console?", body, confirm="Quit"),
            lambda yes: self.exit(0) if yes else None,
        )
