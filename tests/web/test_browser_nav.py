"""The header in a real browser: one line at 1440 px for every role, its drop-down menus
opened and closed from the keyboard, and at 390 px the compact menu whose links work.

With PLAUDIT_SCREENSHOTS=1 this writes docs/screenshots/header-1440.png (an open "People"
menu) and header-menu-390.png (the open menu on a phone).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.web.conftest import screenshot
from tests.web.helpers import PASSWORD, Site
from tests.web.test_browser import Tab

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

WIDE = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}

HEADER_ROWS = """() => {
  const inner = document.querySelector('.header-inner');
  const items = [...inner.querySelectorAll(
    '.brand, .nav-list > li, .account')].filter(e => e.getClientRects().length);
  return {
    inner: inner.getBoundingClientRect().height,
    tops: items.map(e => Math.round(e.getBoundingClientRect().top)),
    bottoms: items.map(e => Math.round(e.getBoundingClientRect().bottom)),
    labels: [...inner.querySelectorAll('.nav-list > li')].map(
      e => e.querySelector('button, a').firstChild.textContent.trim()),
  };
}"""


@pytest.fixture
def tabs(chromium: Browser, live_url: str, site: Site) -> Iterator[list[Tab]]:
    opened: list[Tab] = []
    yield opened
    for tab in opened:
        tab.context.close()
        assert tab.errors == [], f"script errors in the page: {tab.errors}"
        assert tab.dialogs == [], f"the page opened dialogs: {tab.dialogs}"


def signed_in(
    tabs: list[Tab], chromium: Browser, live_url: str, username: str, viewport: dict[str, int]
) -> Page:
    tab = Tab(chromium, live_url, viewport)
    tabs.append(tab)
    tab.sign_in(username)
    return tab.page


def expanded(page: Page, selector: str) -> str | None:
    return page.get_attribute(selector, "aria-expanded")


@pytest.mark.parametrize(
    ("username", "entries"),
    [
        ("admin", ["Achievements", "People", "Leaderboard", "Notifications", "Reports", "Admin"]),
        (
            "manager",
            ["Achievements", "People", "Leaderboard", "Notifications", "Reports", "Admin"],
        ),
        ("member", ["My achievements", "Leaderboard"]),
    ],
)
def test_the_header_is_one_line_at_1440(
    tabs: list[Tab], chromium: Browser, live_url: str, username: str, entries: list[str]
) -> None:
    page = signed_in(tabs, chromium, live_url, username, WIDE)
    assert_one_line(page, live_url, username, entries)
    if username == "admin":  # the narrowest width with the row of entries (72rem)
        page.set_viewport_size({"width": 1152, "height": 768})
        assert_one_line(page, live_url, username, entries)
        page.set_viewport_size({"width": 1151, "height": 768})
        assert page.is_visible("[data-menu-toggle]")
        assert not page.is_visible("#main-menu")


def assert_one_line(page: Page, live_url: str, username: str, entries: list[str]) -> None:
    page.goto(live_url + "/admin/members" if username != "member" else live_url + "/portal")
    rows = page.evaluate(HEADER_ROWS)
    assert rows["labels"] == entries
    # Every item of the header (brand, each entry, the account) shares one line: they all
    # overlap the vertical band of the first, and the header is one row high.
    first_top, first_bottom = rows["tops"][0], rows["bottoms"][0]
    for top, bottom in zip(rows["tops"], rows["bottoms"], strict=True):
        assert top < first_bottom and bottom > first_top, rows
    assert rows["inner"] < 70, rows
    assert not page.is_visible("[data-menu-toggle]")


def test_a_group_opens_and_closes_from_the_keyboard(
    tabs: list[Tab], chromium: Browser, live_url: str
) -> None:
    page = signed_in(tabs, chromium, live_url, "admin", WIDE)
    page.goto(live_url + "/admin/teams")
    people = "[aria-controls='menu-people']"
    assert expanded(page, people) == "false"
    assert not page.is_visible("#menu-people")
    # The current page's group says so, and the page's own entry is marked inside it.
    assert "current section" in (page.text_content(people) or "")
    assert page.get_attribute("#menu-people a[href='/admin/teams']", "aria-current") == "page"

    page.focus("a.brand")
    page.keyboard.press("Tab")  # Achievements
    page.keyboard.press("Tab")  # People
    assert page.evaluate("document.activeElement.getAttribute('aria-controls')") == "menu-people"
    page.keyboard.press("Enter")
    assert expanded(page, people) == "true"
    assert page.is_visible("#menu-people a[href='/admin/members']")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Members"
    screenshot(page, "header-1440")
    page.keyboard.press("Escape")
    assert expanded(page, people) == "false"
    assert not page.is_visible("#menu-people")
    assert page.evaluate("document.activeElement.getAttribute('aria-controls')") == "menu-people"

    # Space opens too; opening the other group closes this one; Tab out of a group closes it.
    page.keyboard.press("Space")
    assert expanded(page, people) == "true"
    page.click("[aria-controls='menu-admin']")
    assert expanded(page, people) == "false"
    assert page.is_visible("#menu-admin a[href='/admin/audit']")
    page.focus("#menu-admin a[href='/admin/audit']")
    page.keyboard.press("Tab")
    assert expanded(page, "[aria-controls='menu-admin']") == "false"

    # A link in a menu goes to its page; a click elsewhere closes an open menu.
    page.click("[aria-controls='menu-people']")
    with page.expect_navigation():
        page.click("#menu-people a[href='/admin/groups']")
    assert page.url.endswith("/admin/groups")
    page.click("[aria-controls='menu-people']")
    page.click("main h1")
    assert expanded(page, people) == "false"


def test_the_phone_menu_opens_and_its_links_work(
    tabs: list[Tab], chromium: Browser, live_url: str
) -> None:
    page = signed_in(tabs, chromium, live_url, "admin", PHONE)
    page.goto(live_url + "/admin/achievements")
    menu = "[data-menu-toggle]"
    assert page.is_visible(menu)
    assert not page.is_visible("#main-menu")
    page.click(menu)
    assert expanded(page, menu) == "true"
    for href in ("/admin/members", "/admin/users", "/admin/sources", "/admin/audit"):
        link = page.locator(f"#main-menu a[href='{href}']")
        assert link.is_visible(), href
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, (href, box)
    # No page scrolls sideways, with the menu open.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "header-menu-390")
    page.keyboard.press("Escape")
    assert expanded(page, menu) == "false"
    assert not page.is_visible("#main-menu")
    page.keyboard.press("Enter")  # focus went back to the Menu button
    assert expanded(page, menu) == "true"
    with page.expect_navigation():
        page.click("#main-menu a[href='/admin/teams']")
    assert page.url.endswith("/admin/teams")
    assert not page.is_visible("#main-menu")


def test_without_scripts_every_entry_is_a_plain_link(
    chromium: Browser, live_url: str, site: Site
) -> None:
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto(live_url + "/login")
        page.fill("#username", "admin")
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.click("button:has-text('Sign in')")
        page.goto(live_url + "/admin/members")
        assert not page.is_visible("[data-menu-toggle]")
        assert not page.is_visible("[data-group-toggle]")
        for href in ("/admin/achievements", "/admin/teams", "/admin/sources", "/admin/audit"):
            assert page.is_visible(f"#main-menu a[href='{href}']"), href
        assert page.is_visible(".nav-group-label:text('People')")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()
