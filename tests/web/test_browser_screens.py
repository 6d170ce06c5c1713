"""In a real browser: an ad hoc group whose matching members appear live as its conditions
are typed; the member and team forms; and the rule builder used from the keyboard, where
focus lands on the new or neighbouring control and each change is announced.

With PLAUDIT_SCREENSHOTS=1 this writes docs/screenshots/group-*.png (group-form-conditions:
the whole form), member-form*.png, team-form*.png and team-attributes.png at 1440 and 390 px.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plaudit.models import Group
from tests.web.conftest import screenshot
from tests.web.helpers import Site
from tests.web.screens_data import Teams, make_teams
from tests.web.test_browser import Tab

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

WIDE = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def teams(site: Site, web_engine: Engine) -> Teams:
    return make_teams(web_engine)


def open_tab(chromium: Browser, live_url: str, viewport: dict[str, int]) -> Tab:
    tab = Tab(chromium, live_url, viewport)
    tab.sign_in("admin")
    return tab


@pytest.fixture
def wide(chromium: Browser, live_url: str, site: Site) -> Iterator[Tab]:
    opened = open_tab(chromium, live_url, WIDE)
    yield opened
    opened.context.close()
    assert opened.errors == [], f"script errors in the page: {opened.errors}"
    assert opened.dialogs == [], f"the page opened dialogs: {opened.dialogs}"


def active_id(page: Page) -> str:
    value: str = page.evaluate("document.activeElement ? document.activeElement.id : ''")
    return value


def preview_names(page: Page) -> list[str]:
    names: list[str] = page.eval_on_selector_all(
        "[data-preview-list] li a", "nodes => nodes.map(n => n.textContent)"
    )
    return names


def test_an_ad_hoc_group_shows_its_members_live(
    wide: Tab, teams: Teams, web_engine: Engine, chromium: Browser, live_url: str
) -> None:
    page = wide.page
    wide.go("/admin/groups/new")
    assert page.text_content("[data-preview-count]") == "0 members"
    page.fill("#f-name", "Tier 1 reps")
    page.select_option("#f-cond-0-attribute", label="Team attribute…")
    assert page.is_visible("#f-cond-0-key")
    page.fill("#f-cond-0-key", "tier")
    page.fill("#f-cond-0-value", "1")
    expect(page.locator("[data-preview-count]")).to_have_text("2 members")
    assert preview_names(page) == ["Ken Adams", "Lena Berg"]

    # A second condition, added from the keyboard: focus lands on it, and it is announced.
    page.focus("[data-add-condition]")
    page.keyboard.press("Enter")
    assert active_id(page) == "f-cond-1-attribute"
    expect(page.locator("#group-announcer")).to_have_text("Condition 2 added")
    page.select_option("#f-cond-1-attribute", label="Member role")
    page.fill("#f-cond-1-value", "rep")
    expect(page.locator("[data-preview-count]")).to_have_text("1 member")
    assert preview_names(page) == ["Ken Adams"]
    # A static pick adds to it: Mo (silver) by name.
    page.check(f"#member-{teams.mo}")
    expect(page.locator("[data-preview-count]")).to_have_text("2 members")
    assert preview_names(page) == ["Ken Adams", "Mo Chen"]
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "group-form")
    screenshot(page.locator(".group-layout"), "group-form-conditions")

    with page.expect_navigation():
        page.click("button:has-text('Create group')")
    assert "Created group “Tier 1 reps”" in (page.text_content(".flash") or "")
    with Session(web_engine) as session:
        group = session.scalars(select(Group)).one()
        assert group.conditions == [
            {"attribute": "team.attributes.tier", "op": "eq", "value": 1},
            {"attribute": "member.role", "op": "eq", "value": "rep"},
        ]
    assert page.text_content("[data-preview-count]") == "2 members now"

    # Removing the role condition from the keyboard: focus goes to its neighbour.
    page.focus("#f-cond-1-attribute")
    page.click("fieldset.condition:nth-of-type(2) [data-remove-condition]")
    assert active_id(page) == "f-cond-1-attribute"  # the empty row took its place
    expect(page.locator("#group-announcer")).to_have_text("Condition 2 removed")
    expect(page.locator("[data-preview-count]")).to_have_text("3 members")
    assert preview_names(page) == ["Ken Adams", "Lena Berg", "Mo Chen"]

    wide.go("/admin/groups")
    screenshot(page, "groups")
    phone = open_tab(chromium, live_url, PHONE)
    try:
        phone.go(f"/admin/groups/{group.id}")
        assert phone.page.text_content("[data-preview-count]") == "2 members now"
        screenshot(phone.page, "group-form-phone")
        phone.go("/admin/groups")
        screenshot(phone.page, "groups-phone")
        assert phone.errors == []
    finally:
        phone.context.close()


def test_member_and_team_forms(wide: Tab, teams: Teams, chromium: Browser, live_url: str) -> None:
    page = wide.page
    wide.go(f"/admin/teams/{teams.gold}/edit")
    assert page.input_value("#f-attr-0-key") in ("region", "tier")
    page.focus("[data-add-attribute]")
    page.keyboard.press("Enter")
    assert active_id(page) == "f-attr-3-key"  # two saved, one empty row, then the new one
    expect(page.locator("#attribute-announcer")).to_have_text("Attribute 4 added")
    page.fill("#f-attr-2-key", "partner")
    page.fill("#f-attr-2-value", "true")
    screenshot(page, "team-form")
    with page.expect_navigation():
        page.click("button:has-text('Save team')")
    assert "Saved team “Gold partners”" in (page.text_content(".flash") or "")
    assert "partner" in (page.text_content("section[aria-labelledby='attributes-title']") or "")
    screenshot(page, "team-attributes")

    wide.go(f"/admin/members/{teams.ken}/edit")
    page.select_option("#f-team_id", label="Silver partners")
    screenshot(page, "member-form")
    with page.expect_navigation():
        page.click("button:has-text('Save member')")
    assert "Saved Ken Adams." in (page.text_content(".flash") or "")
    with page.expect_navigation():
        page.click("button:has-text('Deactivate')")
    assert "Ken Adams is deactivated" in (page.text_content(".flash") or "")

    phone = open_tab(chromium, live_url, PHONE)
    try:
        phone.go(f"/admin/teams/{teams.gold}/edit")
        screenshot(phone.page, "team-form-phone")
        phone.go(f"/admin/members/{teams.ken}/edit")
        screenshot(phone.page, "member-form-phone")
        assert phone.errors == []
    finally:
        phone.context.close()


def announced(page: Page, text: str) -> None:
    expect(page.locator("#rule-builder-status")).to_have_text(text)


def press(page: Page, selector: str) -> None:
    """Activate a control from the keyboard, as a keyboard or screen reader user does."""
    page.focus(selector)
    page.keyboard.press("Enter")


def test_rule_builder_moves_focus_and_announces_each_change(wide: Tab) -> None:
    page = wide.page
    wide.go("/admin/achievements/new")
    assert page.get_attribute("#rule-builder-status", "aria-live") == "polite"

    press(page, "#rb-new-group")
    assert active_id(page) == "rb-g0-r0-source"
    announced(page, "Rule group 1 added, with rule 1")

    press(page, "#rb-g0-add-rule")
    assert active_id(page) == "rb-g0-r1-source"
    announced(page, "Rule 2 added to group 1")

    page.select_option("#rb-g0-r1-source", label="Deals")
    press(page, "#rb-g0-r1-add-filter")
    assert active_id(page) == "rb-g0-r1-w0-field"
    announced(page, "Filter 1 added to rule 2 of group 1")
    press(page, "#rb-g0-r1-add-filter")
    assert active_id(page) == "rb-g0-r1-w1-field"
    announced(page, "Filter 2 added to rule 2 of group 1")

    # Removing filter 1: the filter that took its place gets focus.
    press(page, "#rb-g0-r1-w0-remove")
    assert active_id(page) == "rb-g0-r1-w0-field"
    announced(page, "Filter 1 removed from rule 2 of group 1")
    # Removing the last filter: back to "Add filter" of the same rule.
    press(page, "#rb-g0-r1-w0-remove")
    assert active_id(page) == "rb-g0-r1-add-filter"
    announced(page, "Filter 1 removed from rule 2 of group 1")

    press(page, "#rb-g0-r0-remove")
    assert active_id(page) == "rb-g0-r0-source"  # the Deals rule, now rule 1
    assert page.input_value("#rb-g0-r0-source") == "deals"
    announced(page, "Rule 1 removed from group 1")

    press(page, "#rb-new-group")
    assert active_id(page) == "rb-g1-r0-source"
    announced(page, "Rule group 2 added, with rule 1")
    press(page, "#rb-g1-remove")
    assert active_id(page) == "rb-g0-add-rule"
    announced(page, "Rule group 2 removed")

    # The last rule of the last group: the group goes too, focus to "New rule group".
    press(page, "#rb-g0-r0-remove")
    assert active_id(page) == "rb-new-group"
    announced(page, "Rule 1 removed, and group 1 with it: it had no other rule")
    assert page.input_value("#f-requirements") == "[]"
