"""In a real browser: the achievement form's prerequisites and tier group (a cycle refused
naming its chain, the live preview unaffected) and the board form's season awards.

With PLAUDIT_SCREENSHOTS=1 the tests also save screenshots in docs/screenshots/.
"""

from __future__ import annotations

from sqlalchemy import Engine

from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.models import Achievement, Board
from tests.web.conftest import screenshot
from tests.web.portal_data import achievement
from tests.web.test_board_pages import saved
from tests.web.test_browser import Tab
from tests.web.test_browser import tab as tab  # the fixture: a desktop tab, no script errors


def test_prerequisites_are_ticked_and_a_cycle_is_shown_on_the_form(
    tab: Tab, web_engine: Engine
) -> None:
    from playwright.sync_api import expect

    bronze = achievement(web_engine, active=False, key="bronze", name="Bronze", points=5)
    silver = achievement(
        web_engine, active=False, key="silver", name="Silver", points=10, prerequisites=[bronze]
    )
    tab.sign_in("admin")
    tab.go(f"/admin/achievements/{bronze}")
    page = tab.page
    panel = page.locator("section[aria-labelledby='sec-tiers']")
    expect(panel.locator("legend")).to_contain_text("Prerequisites")
    expect(panel.locator("input[name='prerequisites']")).to_have_count(1)  # Silver, not itself
    page.check(f"#prerequisite-{silver}")
    page.fill("#f-tier_group", "medals")
    # The live preview follows the name and points as before.
    page.fill("#f-name", "Bronze medal")
    expect(page.locator("#preview-complete .tile-name")).to_have_text("Bronze medal")
    with page.expect_navigation():
        page.click("button:has-text('Save changes')")
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text(
        "The prerequisites form a cycle: “Bronze” → “Silver” → “Bronze”"
    )
    expect(page.locator("#f-prerequisites-error")).to_contain_text("“Silver” → “Bronze”")
    expect(page.locator(f"#prerequisite-{silver}")).to_be_checked()
    expect(page.locator("#f-tier_group")).to_have_value("medals")
    expect(page.locator("#preview-complete .tile-name")).to_have_text("Bronze medal")
    with unit_of_work(build_sessionmaker(web_engine)) as session:
        row = session.get(Achievement, bronze)
        assert row is not None and (row.name, row.prerequisites) == ("Bronze", [])
    panel.scroll_into_view_if_needed()
    screenshot(panel, "achievement-prerequisites-cycle")
    # Untick the cycle: saved with the tier group.
    page.uncheck(f"#prerequisite-{silver}")
    with page.expect_navigation():
        page.click("button:has-text('Save changes')")
    expect(page.locator(".flash").first).to_contain_text("Saved “Bronze medal”")
    expect(page.locator("#f-tier_group")).to_have_value("medals")


def test_season_awards_are_set_on_the_board_form(tab: Tab, web_engine: Engine) -> None:
    from playwright.sync_api import expect

    champion = achievement(
        web_engine, active=False, key="champion", name="Champion", category="record",
        period="month", requirements=[],
    )  # fmt: skip
    board_id = saved(web_engine, "Monthly points", published=True, period="month", seasonal=True)
    tab.sign_in("manager")
    tab.go(f"/admin/boards/{board_id}")
    page = tab.page
    rows = page.locator(".season-award-row")
    expect(rows).to_have_count(2)
    page.fill("#season-top-1", "1")
    with page.expect_navigation():
        page.click("button:has-text('Save board')")
    expect(page.locator("#error-summary")).to_contain_text(
        "Row 1: choose the achievement the top 1 get."
    )
    expect(page.locator("#season-achievement-1")).to_have_attribute("aria-invalid", "true")
    page.select_option("#season-achievement-1", label="Champion")
    with page.expect_navigation():
        page.click("button:has-text('Save board')")
    expect(page.locator(".flash").first).to_contain_text("Saved board “Monthly points”")
    with unit_of_work(build_sessionmaker(web_engine)) as session:
        board = session.get(Board, board_id)
        assert board is not None
        assert board.season_awards == [{"top": 1, "achievement_id": champion}]
    tab.go(f"/admin/boards/{board_id}")
    expect(page.locator("#season-top-1")).to_have_value("1")
    expect(page.locator("#season-achievement-1")).to_have_value(str(champion))
    expect(rows).to_have_count(3)
    screenshot(page.locator("section.people-form"), "board-season-awards")
