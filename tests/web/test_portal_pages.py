"""The member portal through an in-process client: a member sees their own achievements as
tiles with progress, points and awards, never another member's; staff open any member's."""

from __future__ import annotations

import re

from sqlalchemy import Engine

from tests.one_hop_client import TestClient
from tests.web.conftest import sign_in
from tests.web.helpers import Site
from tests.web.portal_data import THREE_DEALS, achievement, deals, give

TILE = re.compile(
    r'<div class="tile (tile-complete|tile-incomplete)"[^>]*data-achievement-key="([^"]+)"'
)


def tile_section(html: str, key: str) -> str:
    """The list item of one achievement's tile: the tile, its progress and its facts."""
    start = html.index(f'data-achievement-key="{key}"')
    end = html.find('<li class="portal-item">', start)
    return html[start : end if end != -1 else html.index('id="sec-awards"')]


def tiles(html: str) -> dict[str, str]:
    """achievement key -> tile class."""
    return {key: state for state, key in TILE.findall(html)}


def test_member_sees_own_tiles_progress_points_and_awards(
    web: TestClient, site: Site, web_engine: Engine
) -> None:
    achievement(web_engine)  # Ada already qualifies: awarded on activation
    achievement(
        web_engine,
        key="deal-closer",
        name="Deal closer",
        points=100,
        period="month",
        requirements=[[THREE_DEALS]],
    )
    deals(web_engine, site.member_id, 10, 20)
    sign_in(web, "member")
    page = web.get("/portal")
    assert page.status_code == 200
    html = page.text
    assert "Ada Lovelace" in html and "Grace Hopper" not in html
    assert tiles(html) == {"profile-pro": "tile-complete", "deal-closer": "tile-incomplete"}
    assert '<strong id="total-points">25</strong>' in html
    # Per-rule progress: a progress bar with its numbers and the same in words.
    assert 'role="progressbar" aria-valuemin="0" aria-valuemax="3.0" aria-valuenow="2.0"' in html
    assert "Deals: 2 of 3" in html
    assert '<span class="tile-state">Not yet complete</span>' in html
    # Complete: no progress bar that could look unmet, but how it was earned.
    profile = tile_section(html, "profile-pro")
    assert "progressbar" not in profile and "Company Profile Updated:" not in profile
    assert '<p class="tile-detail">Earned on 18 Nov 2026</p>' in profile
    # Dates: the current period of a monthly achievement, and when an award was given.
    assert "Month: 1\u201330 Nov 2026" in html
    assert "<dt>Awarded</dt><dd>18 Nov 2026, 13:00</dd>" in html
    recent = html.split('id="sec-awards"')[1]
    assert "Profile pro" in recent and "+25 points" in recent
    assert '<time datetime="2026-11-18T13:00:00+00:00">18 Nov 2026, 13:00</time>' in recent


def test_recent_awards_newest_first_and_repeatable_completions(
    web: TestClient, site: Site, web_engine: Engine
) -> None:
    first = achievement(web_engine, key="first", name="First one", requirements=[])
    again = achievement(
        web_engine,
        key="again",
        name="Again and again",
        repeatable=True,
        requirements=[[THREE_DEALS]],
    )
    give(web_engine, site.member_id, first)
    give(web_engine, site.member_id, again)
    give(web_engine, site.member_id, again)
    sign_in(web, "member")
    html = web.get("/portal").text
    recent = html.split('id="sec-awards"')[1]
    names = re.findall(r'<span class="award-name">([^<]+)</span>', recent)
    assert names == ["Again and again", "Again and again", "First one"]
    assert "<dt>Completions</dt><dd>2 times</dd>" in html
    assert '<strong id="total-points">75</strong>' in html


def test_member_never_sees_another_members_portal(
    web: TestClient, site: Site, web_engine: Engine
) -> None:
    achievement(web_engine)
    sign_in(web, "member")
    other = web.get(f"/portal?member_id={site.other_member_id}")
    assert other.status_code == 403
    assert "Grace Hopper" not in other.text
    own = web.get(f"/portal?member_id={site.member_id}")
    assert own.status_code == 200 and "Ada Lovelace" in own.text


def test_staff_pick_and_open_any_members_portal(
    web: TestClient, site: Site, web_engine: Engine
) -> None:
    achievement(web_engine)
    for role in ("admin", "manager"):
        web.cookies.clear()
        sign_in(web, role)
        picker = web.get("/portal")
        assert picker.status_code == 200
        assert f'<option value="{site.other_member_id}">Grace Hopper</option>' in picker.text
        grace = web.get(f"/portal?member_id={site.other_member_id}")
        assert grace.status_code == 200
        assert "Achievements of Grace Hopper" in grace.text
        assert tiles(grace.text) == {"profile-pro": "tile-incomplete"}


def test_bad_or_unknown_member_and_wrong_roles(web: TestClient, site: Site) -> None:
    anonymous = web.get("/portal")
    assert anonymous.status_code == 303 and "/login?next=%2Fportal" in anonymous.headers["location"]
    sign_in(web, "admin")
    assert web.get("/portal?member_id=abc").status_code == 400
    assert web.get("/portal?member_id=99999").status_code == 404
    web.cookies.clear()
    sign_in(web, "ingest")
    assert web.get("/portal").status_code == 403


def test_menu_entries_by_role(web: TestClient, site: Site) -> None:
    sign_in(web, "member")
    home = web.get("/").text
    assert '<a href="/portal">My achievements</a>' in home
    assert '<a href="/leaderboard">Leaderboard</a>' in home
    web.cookies.clear()
    sign_in(web, "manager")
    home = web.get("/").text
    assert '<a href="/leaderboard">Leaderboard</a>' in home
    assert '<a href="/portal">' not in home
    web.cookies.clear()
    sign_in(web, "ingest")
    home = web.get("/").text
    assert "/leaderboard" not in home and "/portal" not in home


def test_a_tile_with_an_upper_bound_says_when_it_is_decided(
    web: TestClient, site: Site, web_engine: Engine
) -> None:
    few_deals = {**THREE_DEALS, "operator": "at_most", "value": 5}
    achievement(
        web_engine, key="careful", name="Careful", period="week", requirements=[[few_deals]]
    )
    deals(web_engine, site.member_id, 10, 20)
    sign_in(web, "member")
    html = web.get("/portal").text
    # Two deals are at most five so far, but the week (Monday 16th to Sunday 22nd) is not over.
    assert tiles(html)["careful"] == "tile-incomplete"
    assert "<dt>Decided</dt><dd>when the period ends, 23 Nov 2026, 00:00</dd>" in html
