"""End to end in a real browser: Debian's chromium, driven by Playwright, against the real
app served on 127.0.0.1. Each test fails on any script error in the page.

With PLAUDIT_SCREENSHOTS=1 the tests also save the screenshots in docs/screenshots/.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from plaudit.achievement.schemas import AchievementCreate
from plaudit.achievement.service import create_achievement
from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.kit.roles import SYSTEM
from plaudit.models import Achievement
from plaudit.record.schemas import RecordIn
from plaudit.record.service import ingest_records
from tests.web.conftest import screenshot
from tests.web.helpers import PASSWORD, Site, approved_deals_by_default

if TYPE_CHECKING:
    from playwright.sync_api import Browser

RECORDED = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1440, "height": 900}
PROFILE_ONCE = {
    "source": "company_profile_updated",
    "aggregate": "count",
    "operator": "at_least",
    "value": 1,
}


class Tab:
    """A page plus the script errors and dialogs it produced."""

    def __init__(self, browser: Browser, base: str, viewport: dict[str, int]) -> None:
        self.context = browser.new_context(viewport=viewport, device_scale_factor=1)
        self.page = self.context.new_page()
        self.base = base
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("dialog", self._dialog)
        self.page.set_default_timeout(10_000)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def sign_in(self, username: str) -> None:
        self.go("/login")
        self.page.fill("#username", username)
        self.page.fill("#password", PASSWORD)
        with self.page.expect_navigation():
            self.page.click("button:has-text('Sign in')")


def open_tab(chromium: Browser, live_url: str, viewport: dict[str, int]) -> Iterator[Tab]:
    """A tab at `viewport` for a fixture to yield from; closed after the test, which must
    have raised no script error in the page."""
    opened = Tab(chromium, live_url, viewport)
    yield opened
    opened.context.close()
    assert opened.errors == [], f"script errors in the page: {opened.errors}"


@pytest.fixture
def tab(chromium: Browser, live_url: str, site: Site) -> Iterator[Tab]:
    opened = Tab(chromium, live_url, DESKTOP)
    yield opened
    opened.context.close()
    assert opened.errors == [], f"script errors in the page: {opened.errors}"
    assert opened.dialogs == [], f"the page opened dialogs: {opened.dialogs}"


def make_achievement(engine: Engine, **overrides: Any) -> int:
    body: dict[str, Any] = {
        "key": "profile-pro",
        "name": "Profile pro",
        "category": "award",
        "points": 25,
        "icon": "star",
        "description": "Update your company profile once",
        "requirements": [[PROFILE_ONCE]],
    }
    body.update(overrides)
    with unit_of_work(build_sessionmaker(engine)) as session:
        row = create_achievement(
            session,
            AchievementCreate.model_validate(body),
            actor=SYSTEM,
            now=datetime.now(UTC),
            zone=ZoneInfo("UTC"),
        )
        return row.id


def options(tab: Tab, selector: str) -> list[str]:
    result: list[str] = tab.page.eval_on_selector_all(
        f"{selector} option", "nodes => nodes.map(n => n.textContent)"
    )
    return result


def test_sign_in_and_build_rules_with_the_rule_builder(tab: Tab, web_engine: Engine) -> None:
    page = tab.page
    tab.go("/admin/achievements/new")
    assert "/login?next=%2Fadmin%2Fachievements%2Fnew" in page.url
    screenshot(page, "login")
    page.fill("#username", "admin")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("button:has-text('Sign in')")
    assert page.url.endswith("/admin/achievements/new")

    page.fill("#f-name", "Partner star")
    page.fill("#f-description", "Update your profile, or close 50,000 of approved deals")
    page.fill("#f-points", "250")
    page.fill("#f-icon", "⭐")
    assert page.input_value("#f-key") == "partner-star"
    assert page.text_content("#preview-complete .tile-name") == "Partner star"
    assert page.text_content("#preview-incomplete .tile-points") == "250 points"
    assert "grayscale" in page.eval_on_selector(
        "#preview-incomplete", "n => getComputedStyle(n).filter"
    )
    page.uncheck("#f-background_default")
    page.fill("#f-background_color", "#0b7a53")
    assert (
        page.eval_on_selector("#preview-complete", "n => n.style.getPropertyValue('--tile-bg')")
        == "#0b7a53"
    )
    assert page.is_hidden("#f-requirements")  # the builder replaces the JSON text area

    # Group 1: profile updated at least once AND approved deals worth 50,000.
    page.click("button:has-text('New rule group (OR)')")
    page.select_option("#rb-g0-r0-source", label="Company Profile Updated")
    # A source without number fields offers no sum, average, min or max.
    assert options(tab, "#rb-g0-r0-aggregate") == ["Number of records"]
    page.click("button[aria-label='Add a rule to group 1']")
    page.select_option("#rb-g0-r1-source", label="Deals")
    page.select_option("#rb-g0-r1-aggregate", label="Total of")
    assert options(tab, "#rb-g0-r1-field") == ["Value (number)"]
    page.fill("#rb-g0-r1-value", "50000")
    page.click("button[aria-label='Add a filter to rule 2 of group 1']")
    page.select_option("#rb-g0-r1-w0-field", label="Status (text)")
    assert "is more than" not in options(tab, "#rb-g0-r1-w0-op")
    assert "contains" in options(tab, "#rb-g0-r1-w0-op")
    page.select_option("#rb-g0-r1-w0-op", label="is")
    page.fill("#rb-g0-r1-w0-value", "Approved")
    # Group 2 (OR): at least 3 distinct close dates.
    page.click("button:has-text('New rule group (OR)')")
    page.select_option("#rb-g1-r0-source", label="Deals")
    page.select_option("#rb-g1-r0-aggregate", label="Number of distinct values of")
    assert "Close date (date)" in options(tab, "#rb-g1-r0-field")
    page.select_option("#rb-g1-r0-field", label="Close date (date)")
    page.fill("#rb-g1-r0-value", "3")
    assert page.text_content("#preview-incomplete .tile-state") == "0 of 1"
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "achievement-new")
    screenshot(page.locator("section[aria-labelledby='sec-rules']"), "rule-builder")

    with page.expect_navigation():
        page.click("button:has-text('Create achievement')")
    assert "Created “Partner star”" in page.text_content(".flash")

    with Session(web_engine) as session:
        row = session.query(Achievement).filter_by(key="partner-star").one()
        assert (row.points, row.background_color, row.active) == (250, "#0b7a53", False)
        assert row.requirements == [
            [
                {
                    "source": "company_profile_updated",
                    "where": [],
                    "aggregate": "count",
                    "field": None,
                    "operator": "at_least",
                    "value": 1.0,
                },
                {
                    "source": "deals",
                    "where": [{"field": "status", "op": "eq", "value": "Approved"}],
                    "aggregate": "sum",
                    "field": "value",
                    "operator": "at_least",
                    "value": 50000.0,
                },
            ],
            [
                {
                    "source": "deals",
                    "where": [],
                    "aggregate": "count_distinct",
                    "field": "close_date",
                    "operator": "at_least",
                    "value": 3.0,
                },
            ],
        ]
    # The edit page reads the rules back into the builder.
    assert page.input_value("#rb-g0-r1-w0-value") == "Approved"


def test_a_rule_starts_with_the_default_filters_of_its_source(
    tab: Tab, web_engine: Engine, site: Site
) -> None:
    """Unifyr: "When using the Deal object, Status defaults to Approved. Remember to adjust
    the status if necessary." A source's default filters fill a new rule's filters, and the
    value box suggests the values the field holds (Unifyr lists the campaigns)."""
    with unit_of_work(build_sessionmaker(web_engine)) as session:
        ingest_records(
            session,
            "deals",
            [
                RecordIn(member_id=site.member_id, occurred_at=RECORDED, data={"status": status})
                for status in ("Pending", "Approved", "Pending")
            ],
            now=RECORDED,
            zone=ZoneInfo("UTC"),
        )
    approved_deals_by_default(web_engine)
    page = tab.page
    tab.sign_in("admin")
    tab.go("/admin/achievements/new")
    page.fill("#f-name", "Deal makers")
    page.click("button:has-text('New rule group (OR)')")
    # The first source has no defaults: nothing to filter.
    assert page.locator("#rb-g0-r0-w0-field").count() == 0
    page.select_option("#rb-g0-r0-source", label="Deals")
    assert page.input_value("#rb-g0-r0-w0-field") == "status"
    assert page.input_value("#rb-g0-r0-w0-op") == "eq"
    assert page.input_value("#rb-g0-r0-w0-value") == "Approved"
    hint = page.text_content("[data-rule='0.0'] .filters .hint") or ""
    assert "starts with its default filters (status is Approved)" in hint
    # The value box suggests what the field holds in the source's records, most frequent first.
    page.focus("#rb-g0-r0-w0-value")
    list_id = page.get_attribute("#rb-g0-r0-w0-value", "list")
    page.wait_for_function("id => document.getElementById(id).options.length === 2", arg=list_id)
    suggested = page.eval_on_selector_all(
        f"#{list_id} option", "nodes => nodes.map(n => [n.value, n.textContent])"
    )
    assert suggested == [["Pending", "2 records"], ["Approved", "1 record"]]
    # The admin adjusts the status for this rule; a second rule starts from the default again.
    page.fill("#rb-g0-r0-w0-value", "Pending")
    page.click("button[aria-label='Add a rule to group 1']")
    page.select_option("#rb-g0-r1-source", label="Deals")
    page.select_option("#rb-g0-r1-aggregate", label="Total of")
    page.fill("#rb-g0-r1-value", "50000")
    assert page.input_value("#rb-g0-r1-w0-value") == "Approved"
    # Back to a source without that field: its filters go, and so does the hint.
    page.click("button[aria-label='Add a rule to group 1']")
    page.select_option("#rb-g0-r2-source", label="Deals")
    page.select_option("#rb-g0-r2-source", label="Company Profile Updated")
    assert page.locator("#rb-g0-r2-w0-field").count() == 0
    assert page.locator("[data-rule='0.2'] .filters .hint").count() == 0

    with page.expect_navigation():
        page.click("button:has-text('Create achievement')")
    assert "Created “Deal makers”" in page.text_content(".flash")
    with Session(web_engine) as session:
        row = session.query(Achievement).filter_by(key="deal-makers").one()
        assert [[rule["where"] for rule in group] for group in row.requirements] == [
            [
                [{"field": "status", "op": "eq", "value": "Pending"}],
                [{"field": "status", "op": "eq", "value": "Approved"}],
                [],
            ]
        ]


def test_server_errors_show_inside_the_builder(tab: Tab) -> None:
    page = tab.page
    tab.sign_in("admin")
    tab.go("/admin/achievements/new")
    page.fill("#f-name", "Broken")
    page.click("button:has-text('New rule group (OR)')")
    page.select_option("#rb-g0-r0-source", label="Deals")
    page.fill("#rb-g0-r0-value", "")
    with page.expect_navigation():
        page.click("button:has-text('Create achievement')")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert "Requirements: group 1, rule 1 (value)" in page.text_content("#error-summary")
    assert page.locator("[data-rule='0.0'] .rule-error").count() == 1
    assert page.input_value("#f-name") == "Broken"


def test_activate_with_confirmation(
    tab: Tab, web_engine: Engine, chromium: Browser, live_url: str
) -> None:
    page = tab.page
    make_achievement(
        web_engine,
        key="deal-maker",
        name="Deal maker",
        points=100,
        icon="dollar-sign",
        description="Close your first deal",
        requirements=[],
    )
    achievement_id = make_achievement(web_engine)
    make_achievement(
        web_engine,
        key="top-month",
        name="Top of the month",
        category="record",
        period="month",
        points=500,
        icon="crown",
        background_color="#7a3cc2",
        description="The best month in the team",
        requirements=[],
    )
    tab.sign_in("admin")
    tab.go(f"/admin/achievements/{achievement_id}")
    with page.expect_navigation():
        page.click("a:has-text('Activate…')")
    assert "1 member already qualifies" in page.text_content("main")
    screenshot(page, "activate-confirm")
    with page.expect_navigation():
        page.click("button:has-text('Activate')")
    assert "1 award given to members who already qualify" in page.text_content(".flash")
    assert page.is_visible("text=This achievement is active, so it cannot be edited.")
    assert page.is_disabled("#f-name")
    screenshot(page, "achievement-active")

    tab.go("/admin/achievements")
    row = page.locator("tr", has_text="Profile pro")
    assert "Active" in row.text_content()
    assert "1 by 1 member" in " ".join(row.text_content().split())
    screenshot(page, "achievements-list")

    phone = Tab(chromium, live_url, PHONE)
    try:
        phone.sign_in("admin")
        phone.go("/admin/achievements")
        width = phone.page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], "the list does not fit a phone"
        screenshot(phone.page, "achievements-list-phone")
        phone.go("/admin/achievements/new")
        phone.page.click("button:has-text('New rule group (OR)')")
        phone.page.click("button[aria-label='Add a filter to rule 1 of group 1']")
        width = phone.page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], "the achievement form does not fit a phone"
        assert phone.errors == []
    finally:
        phone.context.close()


def test_member_is_refused_admin_pages(tab: Tab) -> None:
    page = tab.page
    tab.sign_in("member")
    response = page.goto(tab.base + "/admin/achievements")
    assert response is not None and response.status == 403
    assert page.text_content("h1") == "This page is not for your role"
    menu = page.locator("nav[aria-label='Main'] a")
    assert menu.count() > 0  # the member's own pages
    assert page.locator("nav[aria-label='Main'] a[href^='/admin']").count() == 0
    screenshot(page, "forbidden")
    with page.expect_navigation():
        page.click("button:has-text('Sign out')")
    assert page.url.endswith("/login")


def test_unsafe_svg_upload_is_neutralised(tab: Tab, web_engine: Engine, tmp_path: Any) -> None:
    page = tab.page
    achievement_id = make_achievement(web_engine)
    evil = tmp_path / "evil.svg"
    evil.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="120" viewBox="0 0 120 120" '
        'onload="alert(1)"><script>alert(2)</script>'
        '<circle cx="60" cy="60" r="50" fill="gold" onclick="alert(3)"/>'
        '<image href="https://evil.example/x.png" width="10" height="10"/></svg>'
    )
    tab.sign_in("admin")
    tab.go(f"/admin/achievements/{achievement_id}")
    page.set_input_files("#f-badge", str(evil))
    with page.expect_navigation():
        page.click("button:has-text('Upload badge')")
    assert "Badge saved." in page.text_content(".flash")
    assert page.eval_on_selector("#preview-complete .tile-badge", "img => img.naturalWidth") > 0
    served = page.request.get(f"{tab.base}/badges/{achievement_id}")
    body = served.text().lower()
    assert "script" not in body and "onload" not in body and "onclick" not in body
    assert "evil.example" not in body
    assert served.headers["x-content-type-options"] == "nosniff"
    # Opened on its own, the image runs nothing (the dialog listener would record it).
    page.goto(f"{tab.base}/badges/{achievement_id}")
    page.wait_for_timeout(200)
    assert json.dumps(tab.dialogs) == "[]"
