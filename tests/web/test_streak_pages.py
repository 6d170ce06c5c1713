"""The streak pages: the admin calendar (working days, holidays added and removed, bad input
re-rendered with its error), the admin streaks page (create, refuse, delete), and a member's
streak tiles on their portal and on the admin member page; in chromium at 1440 and 390 px."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect
from sqlalchemy import Engine, select, update

from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.models import Holiday, Streak
from tests.one_hop_client import TestClient
from tests.web.conftest import screenshot, sign_in
from tests.web.helpers import Site, csrf_of
from tests.web.portal_data import NOW
from tests.web.streak_data import streaks
from tests.web.test_browser import PHONE, Tab

if TYPE_CHECKING:
    from playwright.sync_api import Browser

WIDE = {"width": 1440, "height": 900}


def holidays(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [(d.isoformat(), n) for d, n in conn.execute(select(Holiday.day, Holiday.name))]


def checked_days(html: str) -> list[str]:
    return re.findall(r'name="day-(\w+)" value="on" checked', html)


def test_calendar_page_edits_weekdays_and_holidays(
    admin_web: TestClient, web_engine: Engine
) -> None:
    page = admin_web.get("/admin/calendar")
    assert page.status_code == 200
    assert checked_days(page.text) == ["monday", "tuesday", "wednesday", "thursday", "friday"]
    token = csrf_of(page.text)
    saved = admin_web.post(
        "/admin/calendar", data={"csrf_token": token, "day-monday": "on", "day-sunday": "on"}
    )
    assert saved.status_code == 303
    assert checked_days(admin_web.get("/admin/calendar").text) == ["monday", "sunday"]
    none = admin_web.post("/admin/calendar", data={"csrf_token": token})
    assert none.status_code == 400 and "Choose at least one working day." in none.text
    assert checked_days(admin_web.get("/admin/calendar").text) == ["monday", "sunday"]

    add = {"csrf_token": token, "date": "2026-12-25", "name": "Christmas Day"}
    assert admin_web.post("/admin/calendar/holidays", data=add).status_code == 303
    assert holidays(web_engine) == [("2026-12-25", "Christmas Day")]
    again = admin_web.post("/admin/calendar/holidays", data={**add, "name": "Again"})
    assert again.status_code == 400 and "is a holiday already" in again.text
    assert 'value="Again"' in again.text  # the form keeps what was typed
    bad = admin_web.post("/admin/calendar/holidays", data={**add, "date": "25/12/2026"})
    assert bad.status_code == 400 and 'class="error-summary"' in bad.text
    assert holidays(web_engine) == [("2026-12-25", "Christmas Day")]
    removed = admin_web.post(
        "/admin/calendar/holidays/2026-12-25/remove", data={"csrf_token": token}
    )
    assert removed.status_code == 303 and holidays(web_engine) == []
    assert admin_web.post("/admin/calendar/holidays/2026-12-25/remove").status_code == 403


def test_streaks_page_creates_refuses_and_deletes(
    admin_web: TestClient, web_engine: Engine
) -> None:
    page = admin_web.get("/admin/streaks")
    assert page.status_code == 200 and "No streaks yet." in page.text
    token = csrf_of(page.text)
    form = {
        "csrf_token": token,
        "name": "Two calls a day",
        "measure": "deals/count",
        "operator": "at_least",
        "value": "2",
        "period": "day",
        "target": "5",
        "freezes": "1",
    }
    bad = admin_web.post("/admin/streaks", data={**form, "target": "0"})
    assert bad.status_code == 400 and 'class="error-summary"' in bad.text
    assert "In a row" in bad.text and 'value="Two calls a day"' in bad.text
    assert admin_web.post("/admin/streaks", data=form).status_code == 303
    listed = admin_web.get("/admin/streaks").text
    assert "Two calls a day" in listed and "5 working days" in listed
    with web_engine.connect() as conn:
        row = conn.execute(select(Streak.id, Streak.rule, Streak.freezes)).one()
    assert row.rule["source"] == "deals" and row.rule["value"] == 2 and row.freezes == 1
    clash = admin_web.post("/admin/streaks", data=form)
    assert clash.status_code == 400 and "exists already" in clash.text
    gone = admin_web.post(f"/admin/streaks/{row.id}/delete", data={"csrf_token": token})
    assert gone.status_code == 303
    assert "No streaks yet." in admin_web.get("/admin/streaks").text


def test_managers_and_members_may_not_edit(web: TestClient, site: Site) -> None:
    sign_in(web, "manager")
    assert web.get("/admin/calendar").status_code == 403
    assert web.get("/admin/streaks").status_code == 403


def test_portal_and_member_page_show_the_streaks(
    web: TestClient, site: Site, web_engine: Engine
) -> None:
    streaks(web_engine, site.member_id, NOW)  # deals 0, 1, 3 and 4 weeks ago: one freeze
    sign_in(web, "member")
    portal = web.get("/portal").text
    assert "4 of 4 weeks in a row" in portal and "(reached)" in portal
    assert "1 of 5 working days in a row" in portal
    assert "0 of 1 left" in portal  # the freeze spent on the week of 2 November


def test_member_page_shows_the_streaks(
    admin_web: TestClient, site: Site, web_engine: Engine
) -> None:
    streaks(web_engine, site.member_id, NOW)
    web = admin_web
    member = web.get(f"/admin/members/{site.member_id}").text
    assert "4 of 4 weeks in a row" in member and 'id="streaks-title"' in member
    other = web.get(f"/admin/members/{site.other_member_id}").text
    assert "0 of 4 weeks in a row" in other


@pytest.fixture
def streak_site(site: Site, web_engine: Engine) -> Site:
    streaks(web_engine, site.member_id, datetime.now(UTC))  # the live server's real clock
    return site


@pytest.mark.parametrize(("viewport", "suffix"), [(WIDE, ""), (PHONE, "-phone")])
def test_streak_pages_in_chromium(
    chromium: Browser,
    live_url: str,
    streak_site: Site,
    viewport: dict[str, int],
    suffix: str,
) -> None:
    tab = Tab(chromium, live_url, viewport)
    try:
        tab.sign_in("member")
        tab.go("/portal")
        tiles = tab.page.locator(".streak-tile")
        expect(tiles).to_have_count(2)
        expect(tiles.first).to_contain_text("weeks in a row")
        assert tab.page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        tab.page.get_by_role("heading", name="Streaks").scroll_into_view_if_needed()
        screenshot(tab.page, f"page-streaks-portal{suffix}")
        tab.context.close()

        tab = Tab(chromium, live_url, viewport)
        tab.sign_in("admin")
        tab.go("/admin/calendar")
        tab.page.get_by_label("Saturday").check()
        tab.page.get_by_role("button", name="Save working days").click()
        expect(tab.page.get_by_text("Saved the working days.")).to_be_visible()
        expect(tab.page.get_by_label("Saturday")).to_be_checked()
        tab.page.get_by_label("Date").fill("2026-12-24")
        tab.page.get_by_label("Name", exact=False).fill("Christmas Eve")
        tab.page.get_by_role("button", name="Add holiday").click()
        expect(tab.page.get_by_role("row", name=re.compile("Christmas Eve"))).to_be_visible()
        assert tab.page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        screenshot(tab.page, f"page-streaks-calendar{suffix}")
        assert tab.errors == []
    finally:
        tab.context.close()


def test_explain_page_says_the_streak_state(
    admin_web: TestClient, site: Site, web_engine: Engine
) -> None:
    from tests.web.portal_data import achievement

    streaker = achievement(web_engine, key="streaker", name="Streaker", requirements=[])
    streaks(web_engine, site.member_id, NOW)
    with unit_of_work(build_sessionmaker(web_engine)) as session:
        session.execute(
            update(Streak).where(Streak.name == "A deal a week").values(achievement_id=streaker)
        )
    page = admin_web.get(f"/members/{site.member_id}/achievements/{streaker}/explain")
    assert page.status_code == 200
    assert "gives it at 4 weeks in a row: now 4 of 4 weeks in a row (longest 4)" in page.text
