"""In Chromium: activating an achievement names the members who already qualify, and they
are then its holders; revoke from the holders list; the report's drill-down; at 1440 and
390 pixels wide."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine

from tests.web.conftest import screenshot
from tests.web.helpers import Site
from tests.web.holders_data import Holders, make_holders
from tests.web.test_browser import PHONE, WIDE, Tab, make_achievement, open_tab

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.fixture
def data(site: Site, web_engine: Engine) -> Holders:
    return make_holders(web_engine, site.member_id, site.other_member_id)


@pytest.fixture
def wide(chromium: Browser, live_url: str, site: Site) -> Iterator[Tab]:
    yield from open_tab(chromium, live_url, WIDE)


@pytest.fixture
def phone(chromium: Browser, live_url: str, site: Site) -> Iterator[Tab]:
    yield from open_tab(chromium, live_url, PHONE)


def _names(tab: Tab, selector: str) -> list[str]:
    found: list[str] = tab.page.eval_on_selector_all(
        selector, "nodes => nodes.map(n => n.textContent.trim())"
    )
    return found


def test_activation_names_qualifiers_who_then_hold_it(
    wide: Tab, phone: Tab, data: Holders, web_engine: Engine
) -> None:
    badge = make_achievement(web_engine, key="profile-badge", name="Profile badge", points=3)
    phone.sign_in("admin")
    phone.go(f"/admin/achievements/{badge}/activate")
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert _names(phone, ".qualifier-list a") == ["Ada Lovelace", "Ann", "Bob"]
    screenshot(phone.page, "activate-names-phone")

    page = wide.page
    wide.sign_in("admin")
    wide.go(f"/admin/achievements/{badge}")
    with page.expect_navigation():
        page.click("a:has-text('Activate…')")
    assert "3 members already qualify" in page.text_content("main")
    assert _names(wide, ".qualifier-list a") == ["Ada Lovelace", "Ann", "Bob"]
    screenshot(page, "activate-names")
    with page.expect_navigation():
        page.click("button:has-text('Activate')")
    assert "3 awards given" in page.text_content(".flash")
    with page.expect_navigation():
        page.click(".flash a:has-text('See who holds it')")
    assert page.url.endswith(f"/admin/achievements/{badge}/holders")
    holders = _names(wide, ".holders-table tbody th a")
    assert sorted(holders) == ["Ada Lovelace", "Ann", "Bob"]
    assert page.locator(".holders-table tbody tr").count() == 3

    # Revoke Cid's award of Profile star from its holders list, filtered by source.
    wide.go(f"/admin/achievements/{data.achievement_id}/holders")
    page.select_option("#f-source", "manual")
    with page.expect_navigation():
        page.click("button:has-text('Show')")
    assert sorted(_names(wide, ".holders-table tbody th a")) == ["Cid", "Dee"]
    with page.expect_navigation():
        page.click("a[aria-label^='Revoke from Cid']")
    page.fill("#f-reason", "Left the programme")
    with page.expect_navigation():
        page.click("button:has-text('Revoke')")
    assert "source=manual" in page.url and "Award revoked" in page.text_content(".flash")
    cid = page.locator(".holders-table tbody tr", has_text="Cid")
    assert "Revoked" in cid.text_content() and "Left the programme" in cid.text_content()
    screenshot(page, "achievement-holders")

    wide.go(f"/admin/achievements/{data.achievement_id}")
    versions = page.locator("#versions")
    assert "Points: 5 → 7" in versions.text_content()
    versions.scroll_into_view_if_needed()
    screenshot(versions, "achievement-versions")

    wide.go(f"/admin/reports/completion?achievement_id={data.achievement_id}")
    north = page.locator("tr", has_text="North")
    with page.expect_navigation():
        north.locator("td[data-label='Completed'] a").click()
    assert _names(wide, "section[aria-labelledby='done-title'] li a") == ["Ann", "Bob"]
    assert _names(wide, "section[aria-labelledby='todo-title'] li a") == ["Cid", "Eve"]
    screenshot(page, "report-drill-down")

    for path, name in (
        (f"/admin/achievements/{data.achievement_id}/holders", "achievement-holders-phone"),
        (f"/admin/achievements/{data.achievement_id}", None),
        (
            f"/admin/reports/completion/members?achievement_id={data.achievement_id}"
            f"&team={data.north_id}",
            "report-drill-down-phone",
        ),
    ):
        phone.go(path)
        width = phone.page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} does not fit a phone ({width}px)"
        if name:
            screenshot(phone.page, name)
