"""In a real browser: a member follows "Why not yet?" from a portal tile to the explain page,
an admin follows "Explain" from a member's page; an admin uploads a CSV list through the file
input, reads the preview, confirms and sees the holders.

With PLAUDIT_SCREENSHOTS=1 this writes docs/screenshots/explain*.png (explain-audience: staff
reading why a member is outside the audience) and bulk-give*.png at 1440 and 390 px.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine

from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.member.schemas import MemberCreate, MemberUpdate
from plaudit.member.service import create_member, update_member
from tests.web.conftest import screenshot
from tests.web.helpers import Site
from tests.web.portal_data import THREE_DEALS, achievement, deals
from tests.web.screens_data import make_group
from tests.web.test_browser import Tab

if TYPE_CHECKING:
    from playwright.sync_api import Browser, FilePayload, Page

WIDE = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
BIG_DEALS = {
    "source": "deals",
    "aggregate": "sum",
    "field": "value",
    "where": [{"field": "status", "op": "eq", "value": "Won"}],
    "operator": "at_least",
    "value": 5000,
}
LIST = (
    "name,at\n"
    "Ada Lovelace,\n"
    "Grace Hopper,\n"
    "Nobody Here,\n"
    "Ken Adams,\n"
    "Ada Lovelace,\n"
    "Zed Outsider,\n"
)


def open_tab(chromium: Browser, live_url: str, viewport: dict[str, int], user: str) -> Tab:
    tab = Tab(chromium, live_url, viewport)
    tab.sign_in(user)
    return tab


@pytest.fixture
def tabs(chromium: Browser, live_url: str, site: Site) -> Iterator[list[Tab]]:
    opened: list[Tab] = []
    yield opened
    for tab in opened:
        tab.context.close()
        assert tab.errors == [], f"script errors in the page: {tab.errors}"
        assert tab.dialogs == [], f"the page opened dialogs: {tab.dialogs}"


def fits(page: Page) -> None:
    """Nothing sticks out sideways: the page is no wider than the viewport."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"


def test_why_not_yet_from_the_portal_and_explain_from_the_member_page(
    tabs: list[Tab], chromium: Browser, live_url: str, site: Site, web_engine: Engine
) -> None:
    closer = achievement(
        web_engine,
        key="deal-closer",
        name="Deal closer",
        description="Close three deals, or win 5,000 in deals",
        requirements=[[THREE_DEALS], [BIG_DEALS]],
    )
    deals(web_engine, site.member_id, 1000, 1500)
    member = open_tab(chromium, live_url, WIDE, "member")
    tabs.append(member)
    page = member.page
    member.go("/portal")
    with page.expect_navigation():
        page.click("a:has-text('Why not yet? (Deal closer)')")
    assert page.url.endswith(f"/members/{site.member_id}/achievements/{closer}/explain")
    needed = page.locator("#still-needed").inner_text()
    assert "Group 1, the closest: Number of Deals records: 1 more record." in needed
    rules = page.locator("#rules").inner_text()
    assert "Now: 2 · not met · still needed: 1 more record" in rules
    assert "Status: Won" in rules and "Value: 1,000" in rules
    fits(page)
    screenshot(page, "explain")

    phone = open_tab(chromium, live_url, PHONE, "member")
    tabs.append(phone)
    phone.go(f"/members/{site.member_id}/achievements/{closer}/explain")
    assert "Ada Lovelace has not earned it" in phone.page.locator("h2").first.inner_text()
    fits(phone.page)
    screenshot(phone.page, "explain-phone")

    admin = open_tab(chromium, live_url, WIDE, "admin")
    tabs.append(admin)
    admin.go(f"/admin/members/{site.member_id}")
    with admin.page.expect_navigation():
        admin.page.click("#progress a:has-text('Explain Deal closer')")
    assert admin.page.locator("h1").inner_text() == "Deal closer: Ada Lovelace"
    assert "Everyone: it has no audience groups." in admin.page.locator("#audience").inner_text()

    # Staff also see why a member is outside an audience, condition by condition.
    gold = make_group(
        web_engine,
        name="Gold partners",
        conditions=[{"attribute": "team.name", "op": "eq", "value": "Gold"}],
    )
    record = achievement(
        web_engine,
        key="top-seller",
        name="Top seller",
        category="record",
        period="month",
        audience=[gold],
        requirements=[[THREE_DEALS]],
    )
    admin.go(f"/members/{site.member_id}/achievements/{record}/explain")
    audience = admin.page.locator("#audience").inner_text()
    assert "Ada Lovelace is not in its audience." in audience
    assert "Team name is Gold (no: for Ada Lovelace it is not set)" in audience
    fits(admin.page)
    screenshot(admin.page, "explain-audience")


def make_club(engine: Engine, site: Site) -> int:
    with unit_of_work(build_sessionmaker(engine)) as session:
        ken = create_member(session, MemberCreate(name="Ken Adams"))
        update_member(session, ken.id, MemberUpdate(active=False))
        create_member(session, MemberCreate(name="Zed Outsider"))
        members = [site.member_id, site.other_member_id, ken.id]
    group = make_group(engine, name="Club members", member_ids=members)
    return achievement(
        engine,
        key="club",
        name="Monthly club",
        category="membership",
        period="month",
        audience=[group],
        requirements=[],
    )


def upload_list(tab: Tab, club: int) -> None:
    page = tab.page
    tab.go(f"/admin/achievements/{club}")
    with page.expect_navigation():
        page.click("a:has-text('Give to a list…')")
    payload: FilePayload = {"name": "club.csv", "mimeType": "text/csv", "buffer": LIST.encode()}
    page.set_input_files("#f-file", files=[payload])
    page.fill("#f-reason", "Founding members")
    with page.expect_navigation():
        page.click("button:has-text('Preview')")


def test_upload_a_list_preview_confirm_and_see_the_holders(
    tabs: list[Tab], chromium: Browser, live_url: str, site: Site, web_engine: Engine
) -> None:
    club = make_club(web_engine, site)
    phone = open_tab(chromium, live_url, PHONE, "admin")
    tabs.append(phone)
    upload_list(phone, club)
    assert "Grace Hopper" in phone.page.locator("#will-receive").inner_text()
    fits(phone.page)
    screenshot(phone.page, "bulk-give-phone")

    wide = open_tab(chromium, live_url, WIDE, "admin")
    tabs.append(wide)
    page = wide.page
    wide.go(f"/admin/achievements/{club}/give")
    fits(page)
    screenshot(page, "bulk-give-form")
    upload_list(wide, club)
    receive = page.locator("#will-receive tbody th").all_inner_texts()
    assert receive == ["Ada Lovelace", "Grace Hopper"]
    refused = page.locator("#will-not-receive").inner_text()
    assert "No member is called 'Nobody Here'." in refused
    assert "Ken Adams is inactive" in refused
    assert "Row 2 already names Ada Lovelace" in refused
    assert "Zed Outsider is not in its audience (groups: Club members)." in refused
    fits(page)
    screenshot(page, "bulk-give")
    with page.expect_navigation():
        page.click("button:has-text('Give to 2 members')")
    assert (
        "Gave “Monthly club” to 2 members; 4 rows skipped." in page.locator(".flash").inner_text()
    )
    holders = page.locator("main table").inner_text()
    assert "Ada Lovelace" in holders and "Grace Hopper" in holders
    assert "Ken Adams" not in holders and "Zed Outsider" not in holders
    screenshot(page, "bulk-give-holders")
