"""The portal's words in a real browser, at 1440 px and on a phone: labels and filters, an OR
of groups, a repeatable achievement toward its next completion, a tile given by hand and
one earned last week. With PLAUDIT_SCREENSHOTS=1: docs/screenshots/portal-words.png and
portal-words-phone.png."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine

from plaudit.award.service import give_award
from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.kit.roles import Principal, Role
from plaudit.periods import Period, previous_start
from plaudit.record.schemas import RecordIn
from plaudit.record.service import ingest_records
from plaudit.source.schemas import SourceCreate
from plaudit.source.service import create_source
from tests.web.conftest import screenshot
from tests.web.helpers import Site
from tests.web.portal_data import UTC_ZONE, achievement
from tests.web.test_browser import PHONE, Tab
from tests.web.test_portal_words import CALLS, CAMPAIGNS

if TYPE_CHECKING:
    from playwright.sync_api import Browser

WIDE = {"width": 1440, "height": 900}
WON = [{"field": "outcome", "op": "eq", "value": "won"}]


@pytest.fixture
def world(web_engine: Engine, site: Site) -> datetime:
    """Ada's achievements of every kind the issue names, on the live server's real clock."""
    now = datetime.now(UTC)
    with unit_of_work(build_sessionmaker(web_engine)) as session:
        for body in (CALLS, CAMPAIGNS):
            create_source(session, SourceCreate.model_validate(body))
    calls = {"source": "calls", "aggregate": "count", "operator": "at_least"}
    achievement(
        web_engine,
        key="campaigns",
        name="Campaign champion",
        description="Activate five campaigns",
        requirements=[
            [
                {
                    "source": "campaign_activations",
                    "aggregate": "count_distinct",
                    "field": "campaign_id",
                    "operator": "at_least",
                    "value": 5,
                }
            ]
        ],
    )
    achievement(
        web_engine,
        key="either",
        name="Closer",
        description="Win three calls, or talk for two hours",
        requirements=[
            [{**calls, "where": WON, "value": 3}],
            [
                {"source": "calls", "aggregate": "sum", "field": "minutes"}
                | {"operator": "at_least", "value": 120}
            ],
        ],
    )
    achievement(
        web_engine,
        key="ten-calls",
        name="Ten calls",
        description="Every ten calls",
        repeatable=True,
        requirements=[[{**calls, "value": 10}]],
    )
    mentor = achievement(
        web_engine,
        key="mentor",
        name="Mentor",
        description="Given by your manager",
        requirements=[[{**calls, "value": 500}]],
    )
    weekly = achievement(
        web_engine,
        key="weekly",
        name="Calm week",
        description="At most four won calls a week",
        period="week",
        requirements=[[{**calls, "where": WON, "operator": "at_most", "value": 4}]],
    )
    with unit_of_work(build_sessionmaker(web_engine)) as session:
        datas = [{"outcome": "won" if i < 2 else "lost", "minutes": 5} for i in range(17)]
        ingest_records(
            session,
            "calls",
            [RecordIn(member_id=site.member_id, occurred_at=now, data=d) for d in datas],
            now=now,
            zone=UTC_ZONE,
        )
        ingest_records(
            session,
            "campaign_activations",
            [
                RecordIn(member_id=site.member_id, occurred_at=now, data={"campaign_id": c})
                for c in ("spring-1", "spring-2", "spring-2")
            ],
            now=now,
            zone=UTC_ZONE,
        )
        admin = Principal(name="user:admin", role=Role.admin)  # as the pages give
        give_award(session, site.member_id, mentor, at=None, actor=admin, now=now, zone=UTC_ZONE)
        last_week = previous_start(now, Period.week, UTC_ZONE)
        give_award(
            session, site.member_id, weekly, at=last_week, actor=admin, now=now, zone=UTC_ZONE
        )
    return now


@pytest.fixture
def tabs(chromium: Browser, live_url: str, world: datetime) -> Iterator[tuple[Tab, Tab]]:
    wide, phone = Tab(chromium, live_url, WIDE), Tab(chromium, live_url, PHONE)
    yield wide, phone
    for opened in (wide, phone):
        opened.context.close()
        assert opened.errors == [], f"script errors in the page: {opened.errors}"


def tile_text(tab: Tab, key: str) -> str:
    item = tab.page.locator(".portal-item", has=tab.page.locator(f"[data-achievement-key='{key}']"))
    return " ".join((item.inner_text() or "").split())


def test_the_portal_reads_in_a_members_words(tabs: tuple[Tab, Tab], world: datetime) -> None:
    wide, phone = tabs
    wide.sign_in("member")
    wide.go("/portal")
    page = wide.page
    campaigns = tile_text(wide, "campaigns")
    assert "Distinct campaigns in Campaign activations: 2 of 5" in campaigns
    closer = tile_text(wide, "either")
    assert "Either: Calls where outcome is won: 2 of 3" in closer
    assert "Or: Total call length of Calls: 85 of 120" in closer
    assert "rules met" not in closer.split("Either:")[1]  # one rule per group: no count
    assert "Calls: 7 of 10 toward the 2nd" in tile_text(wide, "ten-calls")
    assert "17 of 10" not in tile_text(wide, "ten-calls")
    mentor = tile_text(wide, "mentor")
    assert f"Given by admin on {world.day} {world:%b %Y}" in mentor
    assert "0 of 500" not in mentor
    assert (
        page.locator(".portal-item:has([data-achievement-key='mentor']) [role=progressbar]").count()
        == 0
    )
    weekly = tile_text(wide, "weekly")
    assert "Earned last week (" in weekly and "Awarded" not in weekly
    assert "Calls where outcome is won: 2 of at most 4" in weekly
    assert page.get_attribute("[data-achievement-key='weekly']", "class") == "tile tile-incomplete"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDE["width"]
    screenshot(page.locator("section[aria-labelledby='sec-achievements']"), "portal-words")

    phone.sign_in("member")
    phone.go("/portal")
    width = phone.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the portal's words do not fit a phone"
    assert "Calls: 7 of 10 toward the 2nd" in tile_text(phone, "ten-calls")
    screenshot(
        phone.page.locator("section[aria-labelledby='sec-achievements']"), "portal-words-phone"
    )
