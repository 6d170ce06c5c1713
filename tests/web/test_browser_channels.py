"""In a real browser: the notification form offers Slack, Teams and email; a Slack action
without its URL is refused next to the field, then saved with it (the URL never shown
again); an email to fixed addresses with a bad one is refused, then saved.

With PLAUDIT_SCREENSHOTS=1 it saves docs/screenshots/notification-channels.png (desktop)
and notification-channels-phone.png (390 px wide).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plaudit.models import Notification
from tests.web.conftest import screenshot
from tests.web.helpers import Site
from tests.web.report_data import make_report_data
from tests.web.test_browser import DESKTOP, PHONE, Tab

if TYPE_CHECKING:
    from playwright.sync_api import Browser

SLACK_URL = "https://hooks.slack.com/services/T000/B000/channelsecret"


@pytest.fixture
def admin_tab(chromium: Browser, live_url: str, site: Site) -> Iterator[Tab]:
    opened = Tab(chromium, live_url, DESKTOP)
    opened.sign_in("admin")
    yield opened
    opened.context.close()
    assert opened.errors == [], f"script errors in the page: {opened.errors}"
    assert opened.dialogs == [], f"the page opened dialogs: {opened.dialogs}"


def _record_trigger(tab: Tab, name: str) -> None:
    page = tab.page
    tab.go("/admin/notifications/new")
    page.fill("#f-name", name)
    page.check("input[name=trigger_type][value=record]")
    page.select_option("#f-source", label="Deals")


def test_slack_and_email_actions_from_the_form(admin_tab: Tab, web_engine: Engine) -> None:
    make_report_data(web_engine)
    page = admin_tab.page
    _record_trigger(admin_tab, "Deal won on Slack")
    assert page.is_hidden("#f-chat_url") and page.is_hidden("#f-email_to")
    page.check("input[name=action_type][value=slack]")
    assert page.is_visible("#f-chat_url") and page.is_hidden("#f-url")
    page.check("input[name=action_type][value=teams]")
    assert page.is_visible("#f-chat_url")
    page.check("input[name=action_type][value=slack]")
    with page.expect_navigation():
        page.click("button:has-text('Create notification')")
    error = page.text_content("#f-chat_url-error") or ""
    assert "Slack incoming webhook URL is required" in error
    assert page.get_attribute("#f-chat_url", "aria-invalid") == "true"
    assert page.is_visible("#error-summary")
    page.fill("#f-chat_url", SLACK_URL)
    screenshot(page, "notification-channels")
    with page.expect_navigation():
        page.click("button:has-text('Create notification')")
    assert "Created “Deal won on Slack”." in (page.text_content(".flash") or "")
    assert SLACK_URL not in page.content()
    hint = page.text_content("#f-chat_url-hint") or ""
    assert "A URL is stored for hooks.slack.com" in hint
    with Session(web_engine) as session:
        saved = session.scalars(select(Notification)).one()
        assert saved.action == {"type": "slack", "host": "hooks.slack.com"}

    _record_trigger(admin_tab, "Deal won by email")
    page.check("input[name=action_type][value=email]")
    assert page.is_visible("#f-email_to") and page.is_hidden("#f-chat_url")
    page.check("input[name=email_to][value=addresses]")
    page.fill("#f-email_addresses", "floor@example.com, not-an-address")
    with page.expect_navigation():
        page.click("button:has-text('Create notification')")
    assert "'not-an-address' is not an email address" in (
        page.text_content("#f-email_addresses-error") or ""
    )
    page.fill("#f-email_addresses", "floor@example.com\nsales@example.com")
    with page.expect_navigation():
        page.click("button:has-text('Create notification')")
    assert "Created “Deal won by email”." in (page.text_content(".flash") or "")
    admin_tab.go("/admin/notifications")
    table = page.text_content("table") or ""
    assert "Slack message to hooks.slack.com" in table
    assert "Email to floor@example.com, sales@example.com" in table


def test_the_channel_form_fits_a_phone(
    chromium: Browser, live_url: str, site: Site, web_engine: Engine
) -> None:
    make_report_data(web_engine)
    tab = Tab(chromium, live_url, PHONE)
    tab.sign_in("admin")
    try:
        _record_trigger(tab, "Deal won")
        tab.page.check("input[name=action_type][value=email]")
        tab.page.check("input[name=email_to][value=managers]")
        width = tab.page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page scrolls sideways: {width}px"
        tab.page.locator("#f-email_to").scroll_into_view_if_needed()
        screenshot(tab.page, "notification-channels-phone")
    finally:
        tab.context.close()
    assert tab.errors == []
