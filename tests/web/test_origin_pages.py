"""Streak and season awards say so on the pages: the holders table and its filter, the
member's admin page, the portal tile, the export form's choices."""

from __future__ import annotations

import re

from sqlalchemy import Engine

from plaudit.domain.origins import AwardOrigin
from tests.one_hop_client import TestClient
from tests.web.conftest import sign_in
from tests.web.helpers import Site
from tests.web.portal_data import achievement
from tests.web.test_portal_pages import tile_section
from tests.web.test_portal_words import give_as


def sources_column(html: str) -> list[str]:
    cells = re.findall(r'<td data-label="Source">(.*?)</td>', html, re.S)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in cells]


def test_streak_and_season_awards_are_named_as_such(
    web: TestClient, site: Site, web_engine: Engine
) -> None:
    runner = achievement(web_engine, key="runner", name="Runner", requirements=[])
    podium = achievement(web_engine, key="podium", name="Podium", requirements=[])
    give_as(web_engine, "streak:4", site.member_id, runner, None, AwardOrigin.streak)
    give_as(web_engine, "user:admin", site.other_member_id, runner, None)
    give_as(web_engine, "season:2", site.member_id, podium, None, AwardOrigin.season)

    sign_in(web, "admin")
    holders = web.get(f"/admin/achievements/{runner}/holders").text
    assert sorted(sources_column(holders)) == ["Given by hand by admin", "Streak"]
    only = web.get(f"/admin/achievements/{runner}/holders?source=streak").text
    assert sources_column(only) == ["Streak"]
    assert '<option value="season"' in only and '<option value="streak" selected' in only
    assert sources_column(web.get(f"/admin/achievements/{podium}/holders").text) == ["Season"]

    member = web.get(f"/admin/members/{site.member_id}").text
    assert 'Streak <span class="muted">streak:4</span>' in member
    assert 'Season <span class="muted">season:2</span>' in member

    exports = web.get("/admin/exports").text
    for value, label in (("streak", "Streak"), ("season", "Season"), ("manual", "Given by hand")):
        assert re.search(rf'<option value="{value}"[^>]*>{label}</option>', exports), exports

    web.cookies.clear()
    sign_in(web, "member")
    portal = web.get("/portal").text
    assert "Earned with a streak on 18 Nov 2026" in tile_section(portal, "runner")
    assert "Won in a leaderboard season on 18 Nov 2026" in tile_section(portal, "podium")
