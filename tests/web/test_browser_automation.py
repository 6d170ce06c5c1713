"""In a real browser: an admin writes a formula notification with a syntax error, sees the
error at its position, fixes it, saves and tests it; the completion report's charts.

With PLAUDIT_SCREENSHOTS=1 it saves docs/screenshots/notifications.png and
completion-report.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.models import Notification
from plaudit.record.schemas import RecordIn
from plaudit.record.service import ingest_records
from tests.web.conftest import screenshot
from tests.web.helpers import Site, approved_deals_by_default
from tests.web.report_data import UTC_ZONE, make_report_data
from tests.web.test_browser import DESKTOP, Tab

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.fixture
def admin_tab(chromium: Browser, live_url: str, site: Site) -> Iterator[Tab]:
    opened = Tab(chromium, live_url, DESKTOP)
    opened.sign_in("admin")
    yield opened
    opened.context.close()
    assert opened.errors == [], f"script errors in the page: {opened.errors}"
    assert opened.dialogs == [], f"the page opened dialogs: {opened.dialogs}"


def test_formula_error_is_shown_at_its_position_then_fixed_and_tested(
    admin_tab: Tab, web_engine: Engine, site: Site
) -> None:
    data = make_report_data(web_engine)
    # The live server runs on the real clock and a formula reads the current period: Ada
    # updates her profile now (the site's own update is dated in November 2026).
    now = datetime.now(UTC)
    with unit_of_work(build_sessionmaker(web_engine)) as session:
        record = RecordIn(member_id=site.member_id, occurred_at=now)
        ingest_records(session, "company_profile_updated", [record], now=now, zone=UTC_ZONE)
    page = admin_tab.page
    admin_tab.go("/admin/notifications/new")
    # The script shows only the chosen trigger's and action's fields.
    assert page.is_visible("#f-formula") and page.is_hidden("#f-source")
    assert page.is_visible("#f-achievement_id") and page.is_hidden("#f-url")
    page.check("input[name=trigger_type][value=record]")
    assert page.is_visible("#f-source") and page.is_hidden("#f-formula")
    page.check("input[name=trigger_type][value=formula]")

    page.fill("#f-name", "Profile champion")
    page.fill("#f-formula", "count(company_profile_updated")
    page.select_option("#f-operator", ">=")
    page.fill("#f-threshold", "1")
    page.select_option("#f-achievement_id", str(data.achievement_id))
    with page.expect_navigation():
        page.click("button:has-text('Create notification')")
    error = page.text_content("#f-formula-error") or ""
    assert "Line 1, column 30:" in error
    snippet = page.text_content("#f-formula-error .snippet") or ""
    assert snippet == "count(company_profile_updated\n" + " " * 29 + "^"
    assert page.get_attribute("#f-formula", "aria-invalid") == "true"
    assert page.is_visible("#error-summary")
    assert page.input_value("#f-formula") == "count(company_profile_updated"

    page.fill("#f-formula", "count(company_profile_updated)")
    with page.expect_navigation():
        page.click("button:has-text('Create notification')")
    assert "Created “Profile champion”." in (page.text_content(".flash") or "")
    with Session(web_engine) as session:
        row = session.scalars(select(Notification)).one()
        assert row.trigger["formula"] == "count(company_profile_updated)"

    with page.expect_navigation():
        page.click("a:has-text('Test')")
    with page.expect_navigation():
        page.click("button:has-text('Run the test')")
    assert page.text_content("#result-title") == "Test result: nothing was written"
    # Ada meets "count >= 1" already: a formula fires on a crossing, so not for her
    assert "Ada Lovelace" in (page.text_content(".test-result table") or "")
    assert "Already meets it: will NOT fire" in (page.text_content(".test-result table") or "")

    admin_tab.go("/admin/notifications")
    assert "Profile champion" in (page.text_content("table") or "")
    screenshot(page, "notifications")


def test_a_record_trigger_starts_with_the_default_filters_of_its_source(
    admin_tab: Tab, web_engine: Engine
) -> None:
    """As in the rule builder: choosing Deals fills the filters with "status is Approved";
    filters the admin wrote are kept when the source changes, untouched defaults are not."""
    data = make_report_data(web_engine)
    approved_deals_by_default(web_engine)
    page = admin_tab.page
    admin_tab.go("/admin/notifications/new")
    page.check("input[name=trigger_type][value=record]")
    assert page.is_hidden("#f-filter-defaults")
    page.select_option("#f-source", label="Deals")
    row = ["#f-filter_0", "#f-filter_0-op", "#f-filter_0-value"]
    assert [page.input_value(box) for box in row] == ["status", "eq", "Approved"]
    assert page.input_value("#f-filter_1") == ""
    hint = page.text_content("#f-filter-defaults") or ""
    assert "Records of Deals start with its default filters (status is Approved)" in hint
    # Untouched defaults go with their source.
    page.select_option("#f-source", label="Company Profile Updated")
    assert [page.input_value(box) for box in row] == ["", "eq", ""]
    assert page.is_hidden("#f-filter-defaults")
    # What the admin wrote stays, whatever the source.
    page.select_option("#f-source", label="Deals")
    page.fill("#f-filter_0-value", "Pending")
    page.select_option("#f-source", label="Company Profile Updated")
    page.select_option("#f-source", label="Deals")
    assert [page.input_value(box) for box in row] == ["status", "eq", "Pending"]

    page.fill("#f-name", "Pending deal")
    page.select_option("#f-achievement_id", str(data.achievement_id))
    with page.expect_navigation():
        page.click("button:has-text('Create notification')")
    assert "Created “Pending deal”." in (page.text_content(".flash") or "")
    with Session(web_engine) as session:
        saved = session.scalars(select(Notification)).one()
        assert saved.trigger["where"] == [{"field": "status", "op": "eq", "value": "Pending"}]


def test_completion_report_draws_its_charts(admin_tab: Tab, web_engine: Engine) -> None:
    make_report_data(web_engine)
    page = admin_tab.page
    admin_tab.go("/admin/reports/completion")
    charts = page.locator("svg[role=img]")
    assert charts.count() == 2
    assert page.locator("svg[role=img] title").first.text_content() == (
        "Completion of Helper by team"
    )
    assert page.locator(".chart-bar").first.bounding_box() is not None
    screenshot(page, "completion-report")
    admin_tab.go("/admin/reports/activity")
    assert page.locator("svg[role=img]").count() == 2
