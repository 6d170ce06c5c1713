"""In a real browser: an admin gives an achievement to Ada from her page, sees it among her
awards and revokes it with a reason; the member and team pages are screenshotted (the team's
activity with records in words, a page at a time).

With PLAUDIT_SCREENSHOTS=1 this writes docs/screenshots/member-page.png and team-page.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plaudit.models import Award
from tests.web.conftest import screenshot
from tests.web.helpers import Site
from tests.web.test_browser import DESKTOP, Tab
from tests.web.test_member_pages import People, make_people
from tests.web.test_team_pages import add_deals

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.fixture
def people_tab(chromium: Browser, live_url: str, site: Site) -> Iterator[Tab]:
    opened = Tab(chromium, live_url, DESKTOP)
    yield opened
    opened.context.close()
    assert opened.errors == [], f"script errors in the page: {opened.errors}"
    assert opened.dialogs == [], f"the page opened dialogs: {opened.dialogs}"


@pytest.fixture
def people(site: Site, web_engine: Engine) -> People:
    return make_people(web_engine, site)


def test_give_and_revoke_from_the_member_page(
    people_tab: Tab, people: People, web_engine: Engine
) -> None:
    tab, page = people_tab, people_tab.page
    tab.sign_in("admin")
    tab.go("/admin/members")
    with page.expect_navigation():
        page.click("a:has-text('Ada Lovelace')")
    assert page.locator("h1").inner_text().startswith("Ada Lovelace")

    page.select_option("#f-achievement_id", label="Top seller (100 points, monthly)")
    page.select_option("#f-period", "current")
    page.fill("#f-reason", "Best month ever")
    with page.expect_navigation():
        page.click("button:has-text('Give')")
    assert "Gave “Top seller” to Ada Lovelace" in page.locator(".flash").inner_text()
    row = page.locator("#awards tbody tr", has_text="Top seller")
    assert "Active" in row.inner_text()
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "member-page")

    with page.expect_navigation():
        row.locator("a:has-text('Revoke')").click()
    assert page.locator("h1").inner_text() == "Revoke “Top seller” from Ada Lovelace?"
    page.fill("#f-reason", "Counted a cancelled deal")
    with page.expect_navigation():
        page.click("button:has-text('Revoke')")
    assert "Award revoked." in page.locator(".flash").inner_text()
    row = page.locator("#awards tbody tr", has_text="Top seller")
    assert "Revoked" in row.inner_text() and "Counted a cancelled deal" in row.inner_text()
    assert row.locator("a:has-text('Revoke')").count() == 0

    with Session(web_engine) as session:
        award = session.scalars(select(Award).where(Award.member_id == people.ada)).one()
        assert award.revoked and award.revoke_reason == "Counted a cancelled deal"

    # Grace may now hold the record: give it to her, then show the team's page, where her
    # deals read in words and the activity comes a page at a time.
    add_deals(web_engine, people.grace, 24)
    tab.go(f"/admin/members/{people.grace}")
    page.select_option("#f-achievement_id", label="Top seller (100 points, monthly)")
    with page.expect_navigation():
        page.click("button:has-text('Give')")
    assert "Gave “Top seller” to Grace Hopper" in page.locator(".flash").inner_text()
    with page.expect_navigation():
        page.click(f"a[href='/admin/teams/{people.team_id}']")
    assert page.locator("h1").inner_text() == "Blue"
    assert "Top seller" in page.locator("section[aria-labelledby='recent-title']").inner_text()
    activity = page.locator("section[aria-labelledby='activity-title']")
    assert "Deals: status won, value 1,200, approved yes (D-0)" in activity.inner_text()
    assert activity.locator("a[rel='next']").is_visible()
    screenshot(page, "team-page")
    with page.expect_navigation():
        activity.locator("a[rel='next']").click()
    assert "Page 2" in activity.inner_text() and "(D-23)" in activity.inner_text()
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
