"""End to end in a real browser: an admin builds and activates an achievement through the
pages, records arrive through the JSON API, and the member's portal and the leaderboard
show the result; TV mode changes boards without navigating.

With PLAUDIT_SCREENSHOTS=1 the tests also save screenshots in docs/screenshots/.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine

from tests.conftest import ADMIN_TOKEN
from tests.web.conftest import screenshot
from tests.web.helpers import PASSWORD, Site
from tests.web.portal_data import achievement
from tests.web.test_browser import DESKTOP, PHONE, Tab

if TYPE_CHECKING:
    from playwright.sync_api import Browser

TILE = "[data-achievement-key='deal-maker']"


@pytest.fixture
def tab(chromium: Browser, live_url: str, site: Site) -> Iterator[Tab]:
    opened = Tab(chromium, live_url, DESKTOP)
    yield opened
    opened.context.close()
    assert opened.errors == [], f"script errors in the page: {opened.errors}"
    assert opened.dialogs == [], f"the page opened dialogs: {opened.dialogs}"


def ingest_deals(tab: Tab, member_id: int, count: int) -> None:
    now = datetime.now(UTC).isoformat()
    response = tab.page.request.post(
        f"{tab.base}/api/v1/sources/deals/records",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        data={
            "records": [
                {"member_id": member_id, "occurred_at": now, "data": {"value": 1000 * (i + 1)}}
                for i in range(count)
            ]
        },
    )
    assert response.ok, response.text()


def tile_filter(tab: Tab) -> str:
    value: str = tab.page.eval_on_selector(TILE, "n => getComputedStyle(n).filter")
    return value


def test_build_activate_ingest_then_portal_and_leaderboard(
    tab: Tab, site: Site, chromium: Browser, live_url: str
) -> None:
    page = tab.page
    # The admin signs in and builds "Deal maker": at least 2 deals, shown next to the name.
    tab.go("/login")
    page.fill("#username", "admin")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("button:has-text('Sign in')")
    tab.go("/admin/achievements/new")
    page.fill("#f-name", "Deal maker")
    page.fill("#f-description", "Close two deals")
    page.fill("#f-points", "100")
    page.fill("#f-icon", "crown")
    page.check("#f-show_next_to_name")
    page.click("button:has-text('New rule group (OR)')")
    page.select_option("#rb-g0-r0-source", label="Deals")
    page.select_option("#rb-g0-r0-aggregate", label="Number of records")
    page.fill("#rb-g0-r0-value", "2")
    with page.expect_navigation():
        page.click("button:has-text('Create achievement')")
    assert "Created “Deal maker”" in (page.text_content(".flash") or "")
    with page.expect_navigation():
        page.click("a:has-text('Activate…')")
    with page.expect_navigation():
        page.click("button:has-text('Activate')")
    assert page.is_visible("text=This achievement is active, so it cannot be edited.")

    member = Tab(chromium, live_url, DESKTOP)
    phone = Tab(chromium, live_url, PHONE)
    try:
        # Before: the member's tile is in grayscale, with its progress.
        member.sign_in("member")
        member.go("/portal")
        assert "tile-incomplete" in (member.page.get_attribute(TILE, "class") or "")
        assert "grayscale" in tile_filter(member)
        assert "Deals: 0 of 2" in (member.page.text_content("main") or "")

        ingest_deals(tab, site.member_id, 2)

        # After: complete, in colour, points and the award listed.
        member.page.reload()
        assert "tile-complete" in (member.page.get_attribute(TILE, "class") or "")
        assert tile_filter(member) == "none"
        assert member.page.text_content("#total-points") == "100"
        assert "Deal maker" in (member.page.text_content(".recent-awards") or "")
        screenshot(member.page, "portal")

        # The leaderboard shows the icon next to Ada, and only Ada.
        member.go("/leaderboard")
        ada = member.page.locator("tr", has_text="Ada Lovelace")
        icon = ada.locator(".name-icon[aria-label='Deal maker']")
        assert icon.get_attribute("data-icon") == "crown"
        assert icon.locator("svg").count() == 1
        assert (icon.text_content() or "").strip() == ""
        assert icon.get_attribute("title") == "Deal maker"
        grace = member.page.locator("tr", has_text="Grace Hopper")
        assert grace.locator(".name-icon").count() == 0
        assert ada.locator(".rank").text_content() == "1"
        screenshot(member.page, "leaderboard")
        assert member.errors == []

        phone.sign_in("member")
        phone.go("/portal")
        width = phone.page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], "the portal does not fit a phone"
        screenshot(phone.page, "portal-phone")
        phone.go("/leaderboard")
        width = phone.page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], "the leaderboard does not fit a phone"
        assert phone.errors == []
    finally:
        member.context.close()
        phone.context.close()


def test_tv_mode_changes_boards_without_navigating(tab: Tab, web_engine: Engine) -> None:
    from playwright.sync_api import expect

    page = tab.page
    achievement(web_engine)  # Ada holds 25 points
    tab.sign_in("member")
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    # The page's timers run on Playwright's clock: a board's two seconds pass at once.
    page.clock.install()
    tab.go("/leaderboard/tv?board=points:month&board=points:all&seconds=2")
    assert page.text_content("#tv-title") == "Points · This month"
    assert page.text_content("#tv-pos") == "1"
    assert page.locator(".site-header").count() == 0
    page.evaluate("window.tvMarker = 'same page'")
    loaded = len(navigations)
    screenshot(page, "tv-mode")

    page.clock.run_for(2_000)
    expect(page.locator("#tv-title")).to_have_text("Points · All time", timeout=8000)
    assert page.evaluate("window.tvMarker") == "same page"
    assert len(navigations) == loaded, f"the page navigated: {navigations}"
    assert page.text_content("#tv-pos") == "2"
    assert page.get_attribute("[data-dot='1']", "aria-current") == "step"
    assert page.get_attribute("[data-dot='0']", "aria-current") is None
    assert "Ada Lovelace" in (page.text_content("#tv-board") or "")
    assert page.title().startswith("TV · Points · All time")
    # And round again to the first board.
    page.clock.run_for(2_000)
    expect(page.locator("#tv-title")).to_have_text("Points · This month", timeout=8000)
    assert page.evaluate("window.tvMarker") == "same page"

    page.emulate_media(reduced_motion="reduce")
    animation = page.eval_on_selector("#tv-timer-bar", "n => getComputedStyle(n).animationName")
    assert animation == "none"
