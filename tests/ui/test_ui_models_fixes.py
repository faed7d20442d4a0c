"""Models tab: a refused gate names its challenger, the why is whole, lineage scrolls, promote takes a reason."""

from __future__ import annotations

import time
from typing import Any

import pytest
from demo_store import NOW_OFFSET, T0, fill
from ui_helpers import run, screen_text, wait_for

from console.ui.app import OpsConsoleApp
from console.ui.screens.confirm import ConfirmModal


@pytest.fixture
def demo(session_factory: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    session = session_factory()
    fill(session)
    yield session
    monkeypatch.delenv("TZ")
    time.tzset()


async def models_tab(pilot: Any, app: OpsConsoleApp) -> Any:
    await pilot.press("3")
    pane = app.query_one("ModelsPane")
    await wait_for(pilot, lambda: len(pane.versions) == 3 and pane.history, what="versions listed")
    await pilot.pause(0.1)
    return pane


def test_refused_gate_names_the_challenger_and_the_why_is_shown_whole(demo: Any) -> None:
    async def scenario() -> None:
        app = OpsConsoleApp(demo, clock=lambda: T0 + NOW_OFFSET, live=False)
        async with app.run_test(size=(140, 45)) as pilot:
            pane = await models_tab(pilot, app)
            await wait_for(pilot, lambda: "kept v2 (challenger v3)" in screen_text(app), what="gate row")
            hist = pane.query_one("#alias-history")
            hist.focus()
            hist.move_cursor(row=[h["alias"] for h in reversed(pane.history)].index("production", 1))
            why = "promoted in the console after the March holdout review"
            await wait_for(pilot, lambda: f"why: {why}" in screen_text(app), what="the whole why")

    run(scenario())


def test_lineage_scrolls_to_its_gate_line_at_80x24(demo: Any) -> None:
    async def scenario() -> None:
        app = OpsConsoleApp(demo, clock=lambda: T0 + NOW_OFFSET, live=False)
        async with app.run_test(size=(80, 24)) as pilot:
            pane = await models_tab(pilot, app)
            versions = pane.query_one("#versions")
            versions.move_cursor(row=versions.get_row_index("3"))  # v3 has the refused gate
            await wait_for(pilot, lambda: "gate:" in str(pane.query_one("#lineage").render()), what="v3")
            await pilot.pause(0.1)
            box = pane.query_one("#lineage-box")
            assert "gate:" in str(pane.query_one("#lineage").render())
            assert box.max_scroll_y > 0 and "gate:" not in screen_text(app)
            box.scroll_end(animate=False)
            await pilot.pause(0.1)
            assert "gate:" in screen_text(app)

    run(scenario())


def test_promote_records_the_reason_typed_in_the_confirm_dialog(session_factory: Any) -> None:
    from console.registry import register
    from console.registry.queries import history

    session = session_factory()
    for accuracy in (0.8, 0.9):
        register(session.store, "churn", {"weights": [accuracy]}, metrics={"accuracy": accuracy})

    async def scenario() -> None:
        app = OpsConsoleApp(session, live=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("3")
            pane = app.query_one("ModelsPane")
            await wait_for(pilot, lambda: len(pane.versions) == 2, what="versions listed")
            versions = pane.query_one("#versions")
            versions.focus()
            versions.move_cursor(row=versions.get_row_index("2"))
            await pilot.press("p")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal), what="confirm")
            await pilot.press("r", *"canary ok [/]", "enter")
            await wait_for(pilot, lambda: history(session.store.db, "churn"), what="the promotion recorded")
            assert history(session.store.db, "churn")[-1]["reason"] == "canary ok [/]"

    run(scenario())


def test_alias_history_never_scrolls_sideways_and_shows_the_highlighted_row_in_full(demo: Any) -> None:
    async def scenario(width: int) -> None:
        app = OpsConsoleApp(demo, clock=lambda: T0 + NOW_OFFSET, live=False)
        async with app.run_test(size=(width, 24)) as pilot:
            pane = await models_tab(pilot, app)
            await pilot.pause(0.2)
            hist = pane.query_one("#alias-history")
            for table in (hist, pane.query_one("#versions"), pane.query_one("#models")):
                assert table.region.width > 0, (width, table.id)
                assert table.max_scroll_x == 0, (width, table.id, table.virtual_size, table.region)
            shown = [str(c.label) for c in hist.columns.values()]
            assert shown[:2] == ["alias", "change"] or shown[1:3] == ["alias", "change"], (width, shown)
            if width >= 140:
                assert shown == ["at", "alias", "change", "why"]
            hist.focus()
            refused = [h["action"] for h in reversed(pane.history)].index("gate-refused")
            hist.move_cursor(row=refused)
            await pilot.pause(0.1)
            why = str(pane.query_one("#alias-why").render())
            assert "why:" in why
            if "change" not in shown or "challenger" not in screen_text(app).split("why:")[0]:
                assert "kept v2 (challenger v3)" in why, (width, why)
            if "at" not in shown:
                assert any(h["at"][5:16].replace("T", " ") in why for h in pane.history), (width, why)

    for width in (60, 80, 100, 140):
        run(scenario(width))
