"""In a real browser: the sources screen, a source's records, deleting one (confirm, reason)
and the audit log that then tells it, at 1440 and 390 px without sideways scrolling.

With PLAUDIT_SCREENSHOTS=1 this writes docs/screenshots/sources.png, sources-phone.png,
source-records.png, source-records-phone.png, source-record-delete.png, audit-log.png and
audit-log-phone.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine

from tests.web.conftest import screenshot
from tests.web.helpers import Site, approved_deals_by_default
from tests.web.source_data import add_deals
from tests.web.test_audit_pages import award_history
from tests.web.test_browser import Tab

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

WIDE = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def tabs(chromium: Browser, live_url: str, site: Site) -> Iterator[dict[str, Tab]]:
    opened = {}
    for name, viewport in (("wide", WIDE), ("phone", PHONE)):
        tab = Tab(chromium, live_url, viewport)
        tab.sign_in("admin")
        opened[name] = tab
    yield opened
    for tab in opened.values():
        tab.context.close()
        assert tab.errors == [], f"script errors in the page: {tab.errors}"
        assert tab.dialogs == [], f"the page opened dialogs: {tab.dialogs}"


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size
    assert viewport is not None and width <= viewport["width"], (page.url, width)


def test_sources_records_delete_and_audit(
    tabs: dict[str, Tab], site: Site, web_engine: Engine
) -> None:
    award_history(web_engine, site)
    approved_deals_by_default(web_engine)
    add_deals(web_engine, site.member_id, 12000, 450.5, 80, 3100)
    add_deals(web_engine, site.other_member_id, 990, 15, first=5)
    wide, phone = tabs["wide"], tabs["phone"]

    wide.go("/admin/sources")
    page = wide.page
    assert (
        page.text_content(".sources-table tbody tr:has-text('Deals') td[data-label='Records']")
        == "6"
    )
    screenshot(page, "sources")
    with page.expect_navigation():
        page.click("text=Deals")
    assert page.is_visible("text=status is Approved")
    headers = page.eval_on_selector_all(
        ".records-table thead th", "ns => ns.map(n => n.textContent)"
    )
    assert headers[:5] == ["Occurred", "Member", "External id", "Status", "Currency"]
    no_sideways_scroll(page)
    screenshot(page, "source-records")

    # Delete d4 (Ada's 3,100): confirm, no reason first (the page tests cover the server's
    # answer to that), then a reason.
    with page.expect_navigation():
        page.click(".records-table tr:has(code:text-is('d4')) a:has-text('Delete')")
    assert "Delete record “d4” of Deals?" in (page.text_content("h1") or "")
    page.click("button:has-text('Delete record')")  # the browser asks for the reason first
    assert page.evaluate("document.querySelector('#f-reason').validity.valueMissing")
    assert "/delete" in page.url
    page.fill("#f-reason", "Sent twice by the CRM sync")
    screenshot(page, "source-record-delete")
    with page.expect_navigation():
        page.click("button:has-text('Delete record')")
    assert "Deleted record “d4” of Deals." in (page.text_content(".flash") or "")
    assert not page.is_visible(".records-table code:text-is('d4')")

    # The audit log tells it, in words, with the reason.
    page.click("[aria-controls='menu-admin']")
    with page.expect_navigation():
        page.click("#menu-admin a:has-text('Audit log')")
    first = page.locator(".audit-table tbody tr").first
    assert "Deleted record “d4” of Deals for Ada Lovelace" in (first.text_content() or "")
    assert "Sent twice by the CRM sync" in (first.text_content() or "")
    no_sideways_scroll(page)
    screenshot(page, "audit-log")
    page.select_option("#f-action", label="Award revoked")
    with page.expect_navigation():
        page.click("button:has-text('Filter')")
    assert page.locator(".audit-table tbody tr").count() == 1
    with page.expect_navigation():
        page.click(".audit-table a:has-text('Grace Hopper')")
    assert page.url.endswith(f"/admin/members/{site.other_member_id}")

    for path, name in (
        ("/admin/sources", "sources-phone"),
        ("/admin/sources/deals", "source-records-phone"),
        ("/admin/audit", "audit-log-phone"),
    ):
        phone.go(path)
        no_sideways_scroll(phone.page)
        screenshot(phone.page, name)


def test_create_a_source_then_set_its_default_filters(tabs: dict[str, Tab]) -> None:
    page = tabs["wide"].page
    tabs["wide"].go("/admin/sources")
    with page.expect_navigation():
        page.click("a:has-text('New source')")
    page.fill("#f-name", "Calls")
    page.fill("#f-key", "calls")
    page.fill("#f-field-0-name", "minutes")
    page.select_option("#f-field-0-type", label="number")
    page.fill("#f-field-1-name", "outcome")
    screenshot(page, "sources-new")
    with page.expect_navigation():
        page.click("button:has-text('Create source')")
    assert "Created the source “Calls”" in (page.text_content(".flash") or "")
    assert page.text_content(".field-list") is not None
    page.click("summary:has-text('Rename or change the default filters')")
    page.select_option("#f-filter-0-field", "outcome")
    page.select_option("#f-filter-0-op", label="is one of")
    page.fill("#f-filter-0-value", "won, booked")
    page.select_option("#f-filter-1-field", "minutes")
    page.select_option("#f-filter-1-op", label="is at least")
    page.fill("#f-filter-1-value", "two")
    with page.expect_navigation():
        page.click("button:has-text('Save')")
    assert "“two” is not a number." in (page.text_content(".error-summary") or "")
    page.fill("#f-filter-1-value", "2")
    screenshot(page, "sources-default-filters")
    with page.expect_navigation():
        page.click("button:has-text('Save')")
    items = page.eval_on_selector_all(".filter-list li", "ns => ns.map(n => n.textContent)")
    assert items == ["outcome is one of won, booked", "minutes is at least 2"]
    no_sideways_scroll(page)
