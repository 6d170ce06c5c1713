"""The streaming-intake page: dead letters listed with their problem, retried with CSRF,
a retry that still fails says why and writes nothing; in chromium at 1440 and 390 px."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect
from sqlalchemy import Engine, func, select

from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.member.schemas import MemberCreate
from plaudit.member.service import create_member
from plaudit.models import IntakeDeadLetter, Record
from tests.one_hop_client import TestClient
from tests.web.conftest import screenshot
from tests.web.helpers import Site, csrf_of
from tests.web.intake_data import LATE, dead_letters
from tests.web.test_browser import PHONE, Tab

if TYPE_CHECKING:
    from playwright.sync_api import Browser

WIDE = {"width": 1440, "height": 900}


def records(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Record)) or 0


def resolved(engine: Engine, letter_id: int) -> bool:
    with engine.connect() as conn:
        return bool(
            conn.scalar(select(IntakeDeadLetter.resolved).where(IntakeDeadLetter.id == letter_id))
        )


def test_dead_letters_are_listed_and_retried_after_a_fix(
    admin_web: TestClient, web_engine: Engine, site: Site
) -> None:
    ids = dead_letters(web_engine)
    page = admin_web.get("/admin/intake")
    assert page.status_code == 200
    assert f"no member has external_id &#39;{LATE}&#39;" in page.text
    assert "the message is not JSON" in page.text
    token = csrf_of(page.text)
    url = f"/admin/intake/{ids['missing_member']}/retry"
    assert admin_web.post(url).status_code == 403  # no CSRF token
    before = records(web_engine)
    still = admin_web.post(url, data={"csrf_token": token})
    assert still.status_code == 303
    shown = admin_web.get("/admin/intake").text
    assert "was not applied" in shown and LATE in shown
    assert records(web_engine) == before and not resolved(web_engine, ids["missing_member"])
    with unit_of_work(build_sessionmaker(web_engine)) as session:
        create_member(session, MemberCreate(name="Late Joiner", external_id=LATE))
    assert admin_web.post(url, data={"csrf_token": token}).status_code == 303
    shown = admin_web.get("/admin/intake").text
    assert "applied: 1 record(s) created" in shown
    assert records(web_engine) == before + 1 and resolved(web_engine, ids["missing_member"])
    assert f"/admin/intake/{ids['missing_member']}/retry" not in shown  # no longer waiting
    everything = admin_web.get("/admin/intake?show=all").text
    assert "Applied" in everything and "is not JSON" in everything
    assert f"/admin/intake/{ids['bad_json']}/retry" not in everything  # never applies


def test_members_may_not_open_it(web: TestClient, site: Site) -> None:
    from tests.web.conftest import sign_in

    sign_in(web, "member")
    assert web.get("/admin/intake").status_code == 403


@pytest.fixture
def letters(site: Site, web_engine: Engine) -> dict[str, int]:
    return dead_letters(web_engine)


@pytest.mark.parametrize(("viewport", "name"), [(WIDE, "intake"), (PHONE, "intake-phone")])
def test_the_page_in_chromium(
    chromium: Browser,
    live_url: str,
    letters: dict[str, int],
    viewport: dict[str, int],
    name: str,
) -> None:
    tab = Tab(chromium, live_url, viewport)
    try:
        tab.sign_in("admin")
        tab.go("/admin/intake")
        expect(tab.page.get_by_role("heading", name="Streaming intake")).to_be_visible()
        width = tab.page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{width} px wide at {viewport['width']}"
        tab.page.get_by_text("Show").first.click()
        screenshot(tab.page, name)
        tab.page.get_by_role(
            "button", name=f"Retry dead letter {letters['missing_member']}"
        ).click()
        expect(tab.page.get_by_text("was not applied")).to_be_visible()
        assert tab.errors == []
    finally:
        tab.context.close()
