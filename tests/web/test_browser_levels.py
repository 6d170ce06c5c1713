"""In Chromium, at 1440 and 390 pixels wide: an admin adds levels on the Levels page; the
member's portal shows their level, the points to the next one and each tile's rarity, and
no secret achievement they have not earned; the leaderboard shows levels beside names."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine

from tests.web.conftest import screenshot
from tests.web.helpers import Site
from tests.web.portal_data import achievement, deals, give
from tests.web.test_browser import PHONE, WIDE, Tab, open_tab

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.fixture
def wide(chromium: Browser, live_url: str, site: Site) -> Iterator[Tab]:
    yield from open_tab(chromium, live_url, WIDE)


@pytest.fixture
def phone(chromium: Browser, live_url: str, site: Site) -> Iterator[Tab]:
    yield from open_tab(chromium, live_url, PHONE)


def add_level(tab: Tab, name: str, points: str) -> None:
    tab.page.fill("#f-name", name)
    tab.page.fill("#f-points", points)
    with tab.page.expect_navigation():
        tab.page.click("button:has-text('Add level')")


def test_levels_on_the_admin_page_portal_and_leaderboard(
    wide: Tab, phone: Tab, site: Site, web_engine: Engine
) -> None:
    kudos = achievement(
        web_engine,
        key="kudos",
        name="Kudos",
        description="Thanked by a colleague",
        points=300,
        icon="thumbs-up",
        requirements=[],
    )
    hidden = achievement(
        web_engine,
        key="night-owl",
        name="Night owl",
        points=50,
        icon="moon",
        secret=True,
        requirements=[],
    )
    for key, name, count in (("first-deal", "First deal", 1), ("ten-deals", "Ten deals", 10)):
        rule = {"source": "deals", "aggregate": "count", "operator": "at_least", "value": count}
        achievement(
            web_engine,
            key=key,
            name=name,
            description=f"Close {'your first deal' if count == 1 else f'{count} deals'}",
            points=0,
            tier_group="deals",
            requirements=[[rule]],
        )
    deals(web_engine, site.member_id, 1, 2, 3)  # the first tier held, the second in progress
    give(web_engine, site.member_id, kudos)
    give(web_engine, site.member_id, kudos)
    give(web_engine, site.other_member_id, kudos)
    give(web_engine, site.other_member_id, hidden)  # Grace's secret: Ada never sees it

    page = wide.page
    wide.sign_in("admin")
    wide.go("/admin/levels")
    assert "No levels yet." in page.text_content("main")
    add_level(wide, "Bronze", "500")
    assert "Added the level “Bronze” at 500 points." in page.text_content(".flash")
    add_level(wide, "Silver", "2,000")
    add_level(wide, "Gold", "")  # refused: the form says why and keeps the values
    assert "Enter a whole number of points" in page.text_content("main")
    assert page.input_value("#f-name") == "Gold"
    wide.go("/admin/levels")
    names = page.eval_on_selector_all("#levels tbody th", "ns => ns.map(n => n.textContent)")
    assert names == ["Bronze", "Silver"]
    screenshot(page, "levels-admin")

    wide.go("/leaderboard?period=year")
    ada_row = page.locator("tr", has_text="Ada Lovelace")
    assert ada_row.locator(".member-level").text_content() == "Bronze"
    assert page.locator("tr", has_text="Grace Hopper").locator(".member-level").count() == 0
    assert page.locator("img[alt='Night owl'], [aria-label='Night owl']").count() == 0
    screenshot(page, "leaderboard-levels")

    phone.sign_in("member")
    phone.go("/portal")
    level = phone.page.text_content("#portal-level") or ""
    assert "Bronze" in level and "1,400 points to Silver" in level
    keys = phone.page.eval_on_selector_all(
        "[data-achievement-key]", "ns => ns.map(n => n.dataset.achievementKey)"
    )
    assert "night-owl" not in keys and "kudos" in keys
    assert "first-deal" in keys and "ten-deals" not in keys  # one card for the tiers
    card = phone.page.locator(
        ".portal-item", has=phone.page.locator("[data-achievement-key='first-deal']")
    )
    card_text = card.text_content() or ""
    assert "1 of 2" in card.locator(".portal-facts dd").all_text_contents()
    assert "Next tier" in card_text and "Ten deals" in card_text
    assert card.locator("[role='progressbar']").count() == 1
    card.scroll_into_view_if_needed()
    screenshot(card, "portal-tier-card")
    kudos_item = phone.page.locator(
        ".portal-item", has=phone.page.locator("[data-achievement-key='kudos']")
    )
    assert "Held by 100% of its audience (2 of 2)" in (kudos_item.text_content() or "")
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone.page, "portal-level-phone")

    wide.go(f"/portal?member_id={site.member_id}")
    assert "1,400 points to Silver" in (page.text_content("#portal-level") or "")
    screenshot(page, "portal-level")
