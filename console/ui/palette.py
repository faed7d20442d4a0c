"""ctrl+p: every action of the console and every pipeline, fuzzy-searched."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from console.ui.host import ConsoleApp

Command = tuple[str, str, Callable[[], object]]


class ConsoleCommands(Provider):
    """Tabs, run actions (not in read-only mode), and per pipeline: its runs, a new run of it."""

    console_app = ConsoleApp()

    def commands(self) -> list[Command]:
        app = self.console_app
        out: list[Command] = [
            ("Runs (1)", "the runs table", partial(app.action_tab, "runs")),
            ("Quality (2)", "check results, failing rows, history", partial(app.action_tab, "quality")),
            ("Models (3)", "versions, aliases, lineage", partial(app.action_tab, "models")),
            ("Monitoring (4)", "metric series, drift, alerts", partial(app.action_tab, "monitoring")),
            ("Help (?)", "the keys of this view", app.action_help),
            ("Quit (q)", "leave the console", app.action_quit_console),
            ("Search logs (S)", "find a regex in every run's logs", app.action_search_logs),
            ("Diff marked runs (d)", "mark two runs with space, then compare them", app.action_diff_marked),
            ("Mark run for diff (space)", "add the selected run to the diff pair", app.action_toggle_diff_mark),
            ("Timeline (t)", "the open run's tasks over time, critical path", app.action_timeline),
            ("Find in log (/)", "in the run detail: find in the task's log, n / N", app.action_find_in_log),
        ]
        if not app.read_only:
            out += [
                ("New run (n)", "pick a pipeline and params", app.action_new_run),
                ("Rerun (r)", "run the selected run's pipeline again with its params", app.action_rerun),
                ("Rerun from failed (R)", "reuse what succeeded", app.action_rerun_failed),
                ("Cancel run (c)", "cancel the selected run", app.action_cancel_run),
                ("Promote (p)", "point production at the selected model version", app.promote_selected),
                ("Roll back (b)", "move production back to its previous holder", app.rollback_selected),
                ("Mark task (m)", "in the run detail: set the selected task's state by hand", app.action_mark_task),
                ("Pause / resume pipeline (P)", "its schedule, file trigger and monitors", app.action_toggle_pause),
            ]
        for p in app.pipelines:
            state = "" if p.status == "ok" else f" (BROKEN: {p.error})"
            out.append(
                (
                    f"Runs of {p.name}",
                    f"filter the runs table to {p.name}{state}",
                    partial(app.show_runs_of, p.name),
                )
            )
            if p.status == "ok" and not app.read_only:
                out.append(
                    (
                        f"Run {p.name}",
                        "start a new run (edit params first)",
                        partial(app.action_new_run, p.name),
                    )
                )
        return out

    async def discover(self) -> Hits:
        for name, help_text, callback in self.commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> AsyncIterator[Hit]:
        matcher = self.matcher(query)
        for name, help_text, callback in self.commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
