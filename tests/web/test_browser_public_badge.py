"""In a real browser: the public page of a published badge (its picture loads, the LinkedIn
link and the Open Graph tags), at 1440 and 390 px, and publishing from the portal.

With PLAUDIT_SCREENSHOTS=1 it saves docs/screenshots/page-public-badge*.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from plaudit.achievement.schemas import AchievementCreate
from plaudit.achievement.service import activate_achievement, create_achievement
from plaudit.award.service import give_award
from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.kit.roles import SYSTEM
from plaudit.models import Award, AwardPublication, Member
from plaudit.openbadges.publication import publish
from tests.web.conftest import screenshot, web_settings
from tests.web.helpers import Site
from tests.web.public_server import public_live_server
from tests.web.test_browser import PHONE, Tab

if TYPE_CHECKING:
    from playwright.sync_api import Browser

WIDE = {"width": 1440, "height": 900}
NOW = datetime(2026, 11, 18, 13, 0, tzinfo=UTC)
ZONE = ZoneInfo("UTC")


@pytest.fixture
def server(site: Site, web_database_url: str) -> Iterator[str]:
    with public_live_server(web_settings(web_database_url)) as url:
        yield url


def _award(engine: Engine, member_id: int) -> int:
    with unit_of_work(build_sessionmaker(engine)) as session:
        member = session.get(Member, member_id)
        assert member is not None
        member.email = "ada@example.com"
        achievement = create_achievement(
            session,
            AchievementCreate.model_validate(
                {
                    "key": "deal-closer",
                    "name": "Deal closer",
                    "description": "Close five approved deals.",
                    "category": "award",
                    "points": 50,
                    "background_color": "#1d6f42",
                    "requirements": [
                        [
                            {
                                "source": "deals",
                                "where": [{"field": "status", "op": "eq", "value": "Approved"}],
                                "aggregate": "count",
                                "operator": "at_least",
                                "value": 5,
                            }
                        ]
                    ],
                }
            ),
            actor=SYSTEM,
            now=NOW,
            zone=ZONE,
        )
        activate_achievement(session, achievement.id, actor=SYSTEM, now=NOW, zone=ZONE)
        award = give_award(
            session, member_id, achievement.id, at=None, actor=SYSTEM, now=NOW, zone=ZONE
        )
        return award.id


def _public_id(engine: Engine, award_id: int) -> str:
    with unit_of_work(build_sessionmaker(engine)) as session:
        row = session.query(AwardPublication).filter_by(award_id=award_id).one()
        return row.public_id


def test_public_badge_page(chromium: Browser, server: str, site: Site, web_engine: Engine) -> None:
    award_id = _award(web_engine, site.member_id)
    with unit_of_work(build_sessionmaker(web_engine)) as session:
        publish(session, award_id, actor=SYSTEM, now=NOW)
    pid = _public_id(web_engine, award_id)
    for name, viewport in (("page-public-badge", WIDE), ("page-public-badge-phone", PHONE)):
        tab = Tab(chromium, server, viewport)
        try:
            tab.go(f"/badges/{pid}")
            page = tab.page
            assert page.text_content("h1") == "Deal closer"
            assert "Ada Lovelace" in (page.text_content(".earned-by") or "")
            loaded = page.eval_on_selector(
                ".public-badge-image", "i => i.complete && i.naturalWidth"
            )
            assert loaded == 256
            og = page.get_attribute("meta[property='og:image']", "content")
            assert og == f"{server}/ob/v2/assertions/{pid}/badge.png"
            assert page.get_attribute("meta[name='twitter:image']", "content") == og
            assert page.get_attribute("meta[property='og:title']", "content") == "Deal closer"
            # The og:image is a real PNG, reachable without signing in.
            image = page.request.get(og)
            assert image.ok
            assert image.headers["content-type"] == "image/png"
            href = page.get_attribute("a[data-linkedin]", "href") or ""
            url = urlsplit(href)
            assert url.netloc == "www.linkedin.com"
            fields = {k: v[0] for k, v in parse_qs(url.query).items()}
            assert fields["name"] == "Deal closer"
            assert fields["organizationName"] == "Plaudit"
            assert (fields["issueYear"], fields["issueMonth"]) == ("2026", "11")
            assert fields["certUrl"] == f"{server}/badges/{pid}"
            assert fields["certId"] == pid
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"{name}: the page scrolls sideways"
            screenshot(page, name)
            assert tab.errors == []
        finally:
            tab.context.close()


def test_member_publishes_from_the_portal(
    chromium: Browser, server: str, site: Site, web_engine: Engine
) -> None:
    award_id = _award(web_engine, site.member_id)
    tab = Tab(chromium, server, WIDE)
    try:
        tab.sign_in("member")
        tab.go("/portal")
        page = tab.page
        with page.expect_navigation():
            page.click("section:has(#share) button:has-text('Publish')")
        assert "is public now" in (page.text_content(".flash") or "")
        with page.expect_navigation():
            page.click(".flash a")
        assert page.url == f"{server}/badges/{_public_id(web_engine, award_id)}"
        assert page.text_content("h1") == "Deal closer"
        tab.go("/portal")
        with page.expect_navigation():
            page.click("section:has(#share) button:has-text('Unpublish')")
        assert "no longer public" in (page.text_content(".flash") or "")
        with unit_of_work(build_sessionmaker(web_engine)) as session:
            assert session.get(Award, award_id) is not None
            assert session.query(AwardPublication).count() == 0
        assert tab.errors == []
    finally:
        tab.context.close()
