"""The notifier: reads the store's events and sends the matching notifications with Apprise.

It runs on its own thread (in the trigger service and in ``opsconsole run``), never on a
run's thread, and nothing it does can fail a run. Each step: claim a delivery row for every
new event a rule matches (the events table is the bus; the cursor lives in the store, so a
restart resumes where it stopped), then send what is due. A failed send is retried with
exponential backoff up to ``max_attempts``; past the per-event rate limit a delivery is
recorded ``suppressed`` instead of sent.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from console.store import notifications as store_n
from console.store.runs import events_after, last_seq
from console.store.state import Store
from console.triggers.notify_rules import NotifyRules, expand, message, notify_event, parse_rules

log = logging.getLogger("opsconsole.notify")
Send = Callable[[str, str, str], str | None]  # (url, title, body) -> None when sent, else the error
PERMANENT = ("apprise is not installed", "not a valid Apprise URL", "environment variable")


def apprise_send(url: str, title: str, body: str) -> str | None:
    """Send with Apprise; the error text when it did not go out."""
    try:
        import apprise
    except ImportError:
        return "apprise is not installed (pip install 'ops-console[notify]')"
    sink = apprise.Apprise()
    if not sink.add(url):
        return "not a valid Apprise URL"
    with apprise.LogCapture(level=logging.WARNING) as captured:  # type: ignore[no-untyped-call]
        ok = sink.notify(title=title, body=body)
        details = captured.getvalue().strip().splitlines()
    if ok:
        return None
    return (details[-1] if details else "delivery failed")[:500]


class Notifier:
    """Delivers the notifications of one store's events."""

    def __init__(
        self,
        store: Store,
        rules: NotifyRules,
        *,
        send: Send = apprise_send,
        clock: Callable[[], float] = time.time,
        step_s: float = 0.5,
        backoff_s: float = 2.0,
        max_backoff_s: float = 300.0,
        max_attempts: int = 5,
    ) -> None:
        self.store = store
        self.db = store.db
        self.rules = rules
        self.send = send
        self.clock = clock
        self.step_s = step_s
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self.max_attempts = max_attempts
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def for_project(cls, project: Any, store: Store, **kwargs: Any) -> Notifier:
        return cls(store, parse_rules(project.extra.get("notify")), **kwargs)

    def begin(self) -> None:
        """First start on this store: notify from now on, not for the whole history."""
        if store_n.cursor(self.db) is None:
            store_n.set_cursor(self.db, last_seq(self.db))

    def step(self, now: float | None = None) -> int:
        """Claim new events' deliveries and send what is due; returns how many were attempted."""
        now = self.clock() if now is None else now
        self.collect(now)
        return self.deliver(now)

    def collect(self, now: float) -> None:
        start = store_n.cursor(self.db)
        if start is None:
            self.begin()
            start = store_n.cursor(self.db) or 0
        while True:
            events = events_after(self.db, start, limit=2000)
            if not events:
                return
            items = []
            for ev in events:
                try:
                    data = json.loads(ev["data"] or "{}")
                except ValueError:
                    data = {}
                name = notify_event(ev["kind"], ev["status"], data if isinstance(data, dict) else {})
                for target in self.rules.targets.get(name or "", []):
                    items.append((ev["seq"], name, target, ev["run_id"]))
            store_n.claim(self.db, items, now)  # type: ignore[arg-type]
            start = events[-1]["seq"]
            store_n.set_cursor(self.db, start)

    def deliver(self, now: float) -> int:
        attempted = 0
        for row in store_n.due(self.db, now):
            if store_n.sent_recently(self.db, row["event"], now - 60.0) >= self.rules.rate_per_minute:
                if store_n.take(self.db, row["id"], now):
                    store_n.finish(
                        self.db, row["id"], "suppressed", now=now,
                        error=f"rate limited: over {self.rules.rate_per_minute} {row['event']} notifications a minute",
                    )
                continue
            if not store_n.take(self.db, row["id"], now):
                continue  # another process is sending it
            attempted += 1
            title, body = message(row["event"], row["run_id"], row["event_task"], row["event_data"])
            try:
                error = self.send(expand(row["target"]), title, body)
            except KeyError as exc:
                error = str(exc.args[0])
            except Exception as exc:  # noqa: BLE001 - a broken sink never stops the notifier
                error = f"{type(exc).__name__}: {exc}"
            done = self.clock()
            if error is None:
                store_n.finish(self.db, row["id"], "sent", error=None, now=done)
                continue
            tries = int(row["attempts"]) + 1
            if error.startswith(PERMANENT):
                store_n.finish(self.db, row["id"], "failed", error=error, now=done)  # retrying cannot help
            elif tries >= self.max_attempts:
                store_n.finish(self.db, row["id"], "failed", error=f"{error} (gave up after {tries} attempts)", now=done)
            else:
                wait = min(self.backoff_s * 2 ** (tries - 1), self.max_backoff_s)
                store_n.finish(self.db, row["id"], "retry", error=error, now=done, next_at=done + wait)
        return attempted

    # -- the thread ---------------------------------------------------------------------------
    def start(self) -> Notifier:
        if not self.rules:
            return self
        self.begin()
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="opsconsole-notifier", daemon=True)
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.step()
            except Exception:  # noqa: BLE001 - the notifier survives a locked or full store
                log.exception("notifier step failed")
            self._stop.wait(self.step_s)

    def stop(self, *, drain: bool = True, timeout: float = 10.0) -> None:
        """Stop the thread; with ``drain``, one last step for the events written meanwhile."""
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join(timeout)
        self._thread = None
        if drain:
            try:
                self.step()
            except Exception:  # noqa: BLE001
                log.exception("notifier drain failed")
