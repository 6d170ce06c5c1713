"""In a real browser: a formula notification is tested before it is saved, and what the dry run
predicted is then what happens when records arrive. Ada meets the threshold already, so the test
says she will NOT get it; Grace does not yet, and her next record is predicted to fire. The
records then arrive: Grace gets it, Ada does not.

With PLAUDIT_SCREENSHOTS=1 it saves docs/screenshots/notification-dry-run.png (1440 wide),
notification-dry-run-phone.png (390 wide) and notification-predict-record.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.models import Award, Notification, NotificationFiring
from plaudit.record.schemas import RecordIn
from plaudit.record.service import ingest_records
from tests.web.conftest import screenshot
from tests.web.helpers import Site
from tests.web.report_data import UTC_ZONE, make_report_data
from tests.web.test_browser import PHONE, Tab

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

WIDE = {"width": 1440, "height": 1000}


@pytest.fixture
def admin_tab(chromium: Browser, live_url: str, site: Site) -> Iterator[Tab]:
    opened = Tab(chromium, live_url, WIDE)
    opened.sign_in("admin")
    yield opened
    opened.context.close()
    assert opened.errors == [], f"script errors in the page: {opened.errors}"
    assert opened.dialogs == [], f"the page opened dialogs: {opened.dialogs}"


def profile_updates(engine: Engine, member_id: int, count: int) -> None:
    """Records arrive as through the API, on the real clock the live server runs on."""
    now = datetime.now(UTC)
    with unit_of_work(build_sessionmaker(engine)) as session:
        records = [RecordIn(member_id=member_id, occurred_at=now) for _ in range(count)]
        ingest_records(session, "company_profile_updated", records, now=now, zone=UTC_ZONE)


def row_of(page: Page, name: str) -> str:
    return " ".join((page.locator(".test-result tr", has_text=name).first.text_content()).split())


def fill_form(page: Page, achievement_id: int) -> None:
    page.fill("#f-name", "Profile regular")
    page.fill("#f-formula", "count(company_profile_updated)")
    page.select_option("#f-operator", ">=")
    page.fill("#f-threshold", "2")
    page.select_option("#f-period", "month")
    page.select_option("#f-achievement_id", str(achievement_id))


def test_a_formula_notification_does_what_its_dry_run_predicted(
    admin_tab: Tab, chromium: Browser, live_url: str, web_engine: Engine, site: Site
) -> None:
    data = make_report_data(web_engine)
    profile_updates(web_engine, site.member_id, 2)  # Ada: 2, meets ">= 2" already
    profile_updates(web_engine, site.other_member_id, 1)  # Grace: 1, one short
    page = admin_tab.page
    admin_tab.go("/admin/notifications/new")
    assert not page.is_checked("#f-active")  # a new notification starts inactive
    fill_form(page, data.achievement_id)
    with page.expect_navigation():
        page.click("button:has-text('Test before saving')")
    summary = page.text_content(".test-summary") or ""
    assert "Nobody gets it from the current data alone" in summary
    assert "1 member meets it already and will NOT get it" in summary
    assert "Already meets it: will NOT fire" in row_of(page, "Ada Lovelace")
    assert "Grace Hopper" not in (page.text_content(".test-result table") or "")
    with Session(web_engine) as session:
        assert session.scalars(select(Notification)).all() == []  # nothing saved
    page.locator("#dry-run-result").scroll_into_view_if_needed()
    screenshot(page, "notification-dry-run")

    phone = Tab(chromium, live_url, PHONE)
    try:
        phone.sign_in("admin")
        phone.go("/admin/notifications/new")
        fill_form(phone.page, data.achievement_id)
        with phone.page.expect_navigation():
            phone.page.click("button:has-text('Test before saving')")
        assert "will NOT get it" in (phone.page.text_content(".test-summary") or "")
        width = phone.page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], "the dry run does not fit a phone"
        phone.page.locator("#dry-run-result").scroll_into_view_if_needed()
        screenshot(phone.page, "notification-dry-run-phone")
        assert phone.errors == []
    finally:
        phone.context.close()

    # Having seen the test, the admin activates it and saves.
    page.check("#f-active")
    with page.expect_navigation():
        page.click("button:has-text('Create notification')")
    assert "Created “Profile regular”." in (page.text_content(".flash") or "")
    with Session(web_engine) as session:
        notification = session.scalars(select(Notification)).one()
        assert notification.active

    # What would each one's next profile update fire?
    predictions = {}
    for member_id, name in ((site.other_member_id, "Grace Hopper"), (site.member_id, "Ada")):
        admin_tab.go(f"/admin/notifications/{notification.id}/test")
        page.select_option("#f-member_id", str(member_id))
        page.select_option("#f-record_source", "company_profile_updated")
        page.fill("#f-record_data", "{}")
        with page.expect_navigation():
            page.click("button:has-text('Run the test')")
        predictions[member_id] = row_of(page, name)
        if member_id == site.other_member_id:
            screenshot(page, "notification-predict-record")
    assert "Would fire" in predictions[site.other_member_id]
    assert "1 → 2" in predictions[site.other_member_id]
    assert "Give “Helper”" in predictions[site.other_member_id]
    assert "Already meets it: will NOT fire" in predictions[site.member_id]

    # The records arrive: exactly what was predicted happens.
    profile_updates(web_engine, site.member_id, 1)
    profile_updates(web_engine, site.other_member_id, 1)
    with Session(web_engine) as session:
        fired = session.scalars(
            select(NotificationFiring).where(NotificationFiring.notification_id == notification.id)
        ).all()
        assert [(f.member_id, f.value, f.outcome) for f in fired] == [
            (site.other_member_id, 2.0, "awarded")
        ]
        award = session.get(Award, fired[0].award_id)
        assert award is not None and award.achievement_id == data.achievement_id
