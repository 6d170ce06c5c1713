"""In a real browser: the icon picker on the achievement form (search, keyboard, preview, an
emoji instead), then the chosen icon on the member's tile, the portal and the leaderboard, at
1440 and 390 pixels wide.

With PLAUDIT_SCREENSHOTS=1 it saves docs/screenshots/icon-*.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.conftest import ADMIN_TOKEN
from tests.web.conftest import screenshot
from tests.web.helpers import Site
from tests.web.test_browser import PHONE, Tab

if TYPE_CHECKING:
    from playwright.sync_api import Browser

WIDE = {"width": 1440, "height": 900}
TILE = "[data-achievement-key='top-seller']"


@pytest.fixture
def tab(chromium: Browser, live_url: str, site: Site) -> Iterator[Tab]:
    opened = Tab(chromium, live_url, WIDE)
    yield opened
    opened.context.close()
    assert opened.errors == [], f"script errors in the page: {opened.errors}"
    assert opened.dialogs == [], f"the page opened dialogs: {opened.dialogs}"


def test_pick_an_icon_then_see_it_on_tile_portal_and_leaderboard(
    tab: Tab, site: Site, chromium: Browser, live_url: str
) -> None:
    from playwright.sync_api import expect

    page = tab.page
    tab.sign_in("admin")
    tab.go("/admin/achievements/new")
    page.fill("#f-name", "Top seller")
    page.fill("#f-points", "50")
    page.check("#f-show_next_to_name")
    expect(page.locator("#icon-picker")).to_be_visible()
    expect(page.locator("#icon-grid [role=option]").first).to_be_visible()
    expect(page.locator("#icon-picker-status")).to_contain_text("of")
    page.locator(".icon-field").scroll_into_view_if_needed()
    screenshot(page, "icon-picker-grid")
    page.set_viewport_size(PHONE)
    page.locator(".icon-field").scroll_into_view_if_needed()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "icon-picker-phone")
    page.set_viewport_size(WIDE)

    # An emoji typed in the field is drawn as the emoji, named by the achievement.
    page.fill("#f-icon", "🎉")
    preview = page.locator("#preview-complete .tile-icon .icon")
    expect(preview).to_have_text("🎉")
    expect(preview).to_have_attribute("aria-label", "Top seller")

    # Search, move into the grid with the keyboard, choose with Enter.
    page.fill("#icon-search", "troph")
    expect(page.locator("#icon-grid [role=option]").first).to_have_attribute("data-name", "trophy")
    expect(page.locator("#icon-picker-status")).to_contain_text("icon")
    page.focus("#icon-search")
    page.keyboard.press("ArrowDown")
    focused = page.locator("#icon-grid [role=option]:focus")
    expect(focused).to_have_attribute("data-name", "trophy")
    outline = page.eval_on_selector(
        "#icon-grid [role=option]:focus", "n => getComputedStyle(n).outlineStyle"
    )
    assert outline == "solid", "the focused icon shows no focus ring"
    page.keyboard.press("Enter")
    assert page.input_value("#f-icon") == "trophy"
    expect(focused).to_have_attribute("aria-selected", "true")
    expect(page.locator("#icon-picker-status")).to_have_text("Chosen: trophy.")
    expect(preview).to_have_attribute("data-icon", "trophy")
    expect(page.locator("#preview-complete .tile-icon svg")).to_have_count(1)

    # Arrow keys walk the grid; a wider search brings more icons.
    page.fill("#icon-search", "star")
    expect(page.locator("#icon-grid [role=option]").first).to_have_attribute("data-name", "star")
    page.focus("#icon-search")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    second = page.locator("#icon-grid [role=option]").nth(1).get_attribute("data-name")
    expect(page.locator("#icon-grid [role=option]:focus")).to_have_attribute(
        "data-name", second or ""
    )
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") == "icon-search"
    assert page.input_value("#f-icon") == "trophy"  # moving alone chooses nothing
    page.fill("#icon-search", "troph")
    expect(page.locator("#icon-grid [role=option]").first).to_have_attribute("data-name", "trophy")
    page.locator(".icon-field").scroll_into_view_if_needed()
    screenshot(page, "icon-picker")

    with page.expect_navigation():
        page.click("button:has-text('Create achievement')")
    assert "Created “Top seller”" in (page.text_content(".flash") or "")
    assert page.input_value("#f-icon") == "trophy"
    expect(page.locator("#preview-complete .tile-icon [data-icon='trophy'] svg")).to_have_count(1)
    with page.expect_navigation():
        page.click("a:has-text('Activate…')")
    with page.expect_navigation():
        page.click("button:has-text('Activate')")
    achievement_id = int(page.url.rstrip("/").split("/")[-1].split("?")[0])
    given = page.request.post(
        f"{tab.base}/api/v1/members/{site.member_id}/awards",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        data={"achievement_id": achievement_id},
    )
    assert given.ok, given.text()

    # The admin list shows the icon in the achievement's mini tile.
    tab.go("/admin/achievements")
    expect(
        page.locator("tr", has_text="Top seller").locator("[data-icon='trophy'] svg")
    ).to_have_count(1)

    for width, viewport in (("wide", WIDE), ("phone", PHONE)):
        member = Tab(chromium, live_url, viewport)
        try:
            member.sign_in("member")
            member.go("/portal")
            art = member.page.locator(f"{TILE} .tile-art")
            icon = art.locator(".icon[data-icon='trophy']")
            expect(icon).to_have_attribute("aria-label", "Top seller")
            expect(icon.locator("svg")).to_be_visible()
            assert (icon.text_content() or "").strip() == ""
            outer, inner = art.bounding_box(), icon.bounding_box()
            assert outer and inner
            assert inner["width"] >= 24 and inner["width"] <= outer["width"]
            assert (
                outer["x"] <= inner["x"]
                and inner["x"] + inner["width"] <= outer["x"] + outer["width"]
            )
            assert member.page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            screenshot(member.page, f"icon-portal-{width}")

            member.go("/leaderboard?period=all")
            ada = member.page.locator("tr", has_text="Ada Lovelace")
            badge = ada.locator(".name-icon[aria-label='Top seller']")
            expect(badge.locator("svg")).to_be_visible()
            assert (badge.text_content() or "").strip() == ""
            assert "trophy" not in (ada.text_content() or "")
            box = badge.bounding_box()
            assert box and 12 <= box["height"] <= 32
            screenshot(member.page, f"icon-leaderboard-{width}")
            assert member.errors == []
        finally:
            member.context.close()
