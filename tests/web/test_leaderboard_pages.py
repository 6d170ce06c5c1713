"""The leaderboard page and TV mode through an in-process client: ranks with ties, the icons
of active show-next-to-name awards, bad choices answered with 400, and the TV board
fragment."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from io import BytesIO

from PIL import Image
from sqlalchemy import Engine

from plaudit.achievement.service import set_badge
from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.group.schemas import GroupCreate
from plaudit.group.service import create_group
from plaudit.kit.roles import SYSTEM
from tests.one_hop_client import TestClient
from tests.web.conftest import sign_in
from tests.web.helpers import Site, approved_deals_by_default
from tests.web.portal_data import NOW, achievement, activate, deals, give, member, revoke, team

ROW = re.compile(
    r'<tr data-member-id="(\d+)">\s*<td data-label="Rank" class="num rank">(\d+)</td>'
    r'.*?<span class="member-name">([^<]+)</span>(.*?)</th>'
    r'\s*<td[^>]*class="num value">([^<]+)</td>',
    re.DOTALL,
)


def rows(html: str) -> list[tuple[int, str, str]]:
    """(rank, name, value) per row, in order."""
    return [(int(rank), name, value) for _, rank, name, _, value in ROW.findall(html)]


def icons_of(html: str, name: str) -> str:
    found: str = next(icons for _, _, n, icons, _ in ROW.findall(html) if n == name)
    return found


def png() -> bytes:
    out = BytesIO()
    Image.new("RGBA", (120, 120), (200, 160, 0, 255)).save(out, format="PNG")
    return out.getvalue()


def test_ranks_share_ties_for_a_source_measure(
    web: TestClient, site: Site, web_engine: Engine
) -> None:
    alan = member(web_engine, "Alan Turing")
    deals(web_engine, site.member_id, 100, 50)
    deals(web_engine, site.other_member_id, 150)
    deals(web_engine, alan, 20.5)
    sign_in(web, "manager")
    page = web.get("/leaderboard?measure=deals/sum/value&period=month")
    assert page.status_code == 200
    assert rows(page.text) == [
        (1, "Ada Lovelace", "150"),
        (1, "Grace Hopper", "150"),
        (3, "Alan Turing", "20.50"),
    ]
    assert "<caption>Deals: sum of value · This month</caption>" in page.text
    assert '<option value="deals/sum/value" selected>Deals: sum of value</option>' in page.text
    assert 'href="/leaderboard/tv"' in page.text
    count = web.get("/leaderboard?measure=deals/count&period=all")
    assert rows(count.text)[0] == (1, "Ada Lovelace", "2")


def test_a_measure_over_the_records_that_pass_the_default_filters(
    web: TestClient, site: Site, web_engine: Engine
) -> None:
    """A source with default filters offers each measure over those records first (what the
    rule builder starts with: won deals) and over all of them, and says which in the title."""
    approved_deals_by_default(web_engine, status="Won")
    deals(web_engine, site.member_id, 100)
    deals(web_engine, site.member_id, 50, status="Lost")
    deals(web_engine, site.other_member_id, 150)
    sign_in(web, "admin")
    page = web.get("/leaderboard?measure=deals*/sum/value&period=month")
    assert page.status_code == 200, page.text
    assert rows(page.text) == [(1, "Grace Hopper", "150"), (2, "Ada Lovelace", "100")]
    caption = "<caption>Deals (status is Won): sum of value · This month</caption>"
    assert caption in page.text
    options = re.findall(r'<option value="(deals[^"]*/sum/value)"[^>]*>([^<]+)<', page.text)
    assert options == [
        ("deals*/sum/value", "Deals (status is Won): sum of value"),
        ("deals/sum/value", "Deals, all records: sum of value"),
    ]
    every = web.get("/leaderboard?measure=deals/sum/value&period=month")
    assert rows(every.text) == [(1, "Ada Lovelace", "150"), (1, "Grace Hopper", "150")]
    board = web.get("/leaderboard/tv/board?board=deals*/count:all")
    assert board.status_code == 200
    assert rows(board.text)[:2] == [(1, "Ada Lovelace", "1"), (1, "Grace Hopper", "1")]
    assert web.get("/leaderboard?measure=*/count").status_code == 400


def test_last_periods_show_final_standings(web: TestClient, site: Site, web_engine: Engine) -> None:
    """ "Last month" ranks by October's records on 18 November, in the page and on TV."""
    october = datetime(2026, 10, 31, 23, 30, tzinfo=UTC)
    deals(web_engine, site.member_id, 100, at=october)
    deals(web_engine, site.other_member_id, 40, at=october)
    deals(web_engine, site.other_member_id, 500)  # November: this month only
    sign_in(web, "manager")
    page = web.get("/leaderboard?measure=deals/sum/value&period=last-month")
    assert page.status_code == 200, page.text
    assert rows(page.text) == [(1, "Ada Lovelace", "100"), (2, "Grace Hopper", "40")]
    assert "<caption>Deals: sum of value · Last month</caption>" in page.text
    assert '<option value="last-month" selected>Last month</option>' in page.text
    now = web.get("/leaderboard?measure=deals/sum/value&period=month")
    assert rows(now.text)[0] == (1, "Grace Hopper", "500")
    year = web.get("/leaderboard/tv/board?board=deals/sum/value:last-year")
    assert rows(year.text)[0][2] == "0"  # nothing in 2025
    assert web.get("/leaderboard?period=last-century").status_code == 400


def test_points_by_default_and_team_filter(web: TestClient, site: Site, web_engine: Engine) -> None:
    achievement(web_engine)  # Ada: 25 points on activation
    red = team(web_engine, "Red team")
    member(web_engine, "Alan Turing", team_id=red)
    sign_in(web, "manager")
    page = web.get("/leaderboard")
    assert rows(page.text) == [
        (1, "Ada Lovelace", "25"),
        (2, "Alan Turing", "0"),
        (2, "Grace Hopper", "0"),
    ]
    assert "<caption>Points · This month</caption>" in page.text
    red_only = web.get(f"/leaderboard?team={red}&period=all")
    assert rows(red_only.text) == [(1, "Alan Turing", "0")]
    assert f'<option value="{red}" selected>Red team</option>' in red_only.text


def test_icons_only_for_active_show_next_to_name_awards(
    web: TestClient, site: Site, web_engine: Engine
) -> None:
    crown = achievement(
        web_engine, key="crown", name="Crown", icon="crown", show_next_to_name=True, requirements=[]
    )
    hidden = achievement(
        web_engine, key="quiet", name="Quiet one", icon="dollar-sign", requirements=[]
    )
    star = achievement(
        web_engine,
        key="star",
        name="Star",
        icon="🌟",
        show_next_to_name=True,
        requirements=[],
        active=False,
    )
    with unit_of_work(build_sessionmaker(web_engine)) as session:
        set_badge(session, star, png(), "image/png", actor=SYSTEM, now=NOW)
    activate(web_engine, star)
    give(web_engine, site.member_id, crown)
    give(web_engine, site.member_id, hidden)
    revoke(web_engine, give(web_engine, site.other_member_id, crown))
    give(web_engine, site.other_member_id, star)
    sign_in(web, "member")
    html = web.get("/leaderboard?period=all").text
    ada = icons_of(html, "Ada Lovelace")
    assert 'role="img" aria-label="Crown" title="Crown" data-icon="crown"><svg' in ada
    assert "Quiet one" not in ada and "dollar-sign" not in ada
    grace = icons_of(html, "Grace Hopper")
    assert "Crown" not in grace  # revoked
    match = re.search(r'<img class="name-badge" src="(/badges/\d+\?v=\d+)" alt="Star"', grace)
    assert match, grace
    badge = web.get(match.group(1))
    assert badge.status_code == 200 and badge.headers["content-type"] == "image/png"


def test_badges_next_to_names_show_to_members_outside_the_audience(
    web: TestClient, site: Site, web_engine: Engine
) -> None:
    """Ada (the signed-in member) is outside the audience of both achievements Grace holds;
    the badge shown next to Grace's name still loads, the other badge stays hidden."""
    with unit_of_work(build_sessionmaker(web_engine)) as session:
        grace_only = create_group(
            session, GroupCreate(name="Grace only", member_ids=[site.other_member_id])
        ).id
    shown = achievement(
        web_engine,
        key="crown",
        name="Crown",
        show_next_to_name=True,
        audience=[grace_only],
        requirements=[],
        active=False,
    )
    quiet = achievement(
        web_engine, key="quiet", name="Quiet", audience=[grace_only], requirements=[], active=False
    )
    with unit_of_work(build_sessionmaker(web_engine)) as session:
        for achievement_id in (shown, quiet):
            set_badge(session, achievement_id, png(), "image/png", actor=SYSTEM, now=NOW)
    for achievement_id in (shown, quiet):
        activate(web_engine, achievement_id)
        give(web_engine, site.other_member_id, achievement_id)
    sign_in(web, "member")
    grace = icons_of(web.get("/leaderboard?period=all").text, "Grace Hopper")
    match = re.search(r'<img class="name-badge" src="(/badges/\d+\?v=\d+)" alt="Crown"', grace)
    assert match, grace
    assert "Quiet" not in grace
    badge = web.get(match.group(1))
    assert badge.status_code == 200 and badge.headers["content-type"] == "image/png"
    assert web.get(f"/badges/{quiet}").status_code == 404


def test_bad_choices_are_a_400_page_with_the_message(web: TestClient, site: Site) -> None:
    sign_in(web, "admin")
    cases = {
        "measure=bogus": "Unknown measure",
        "measure=deals/median/value": "Unknown aggregate",
        "measure=deals/sum/status": "needs a number field",
        "measure=deals/sum": "needs &#39;field&#39;",
        "measure=deals/count/value": "takes no field",
        "measure=nowhere/count": "nowhere",
        "period=century": "Unknown period",
        "team=abc": "Unknown team",
        "team=424242": "team 424242 does not exist",
    }
    for query, message in cases.items():
        page = web.get(f"/leaderboard?{query}")
        assert page.status_code == 400, query
        assert 'class="field-error"' in page.text and message in page.text, query
        assert "<form" in page.text


def test_roles(web: TestClient, site: Site) -> None:
    assert web.get("/leaderboard").status_code == 303
    assert web.get("/leaderboard/tv").status_code == 303
    sign_in(web, "ingest")
    for path in ("/leaderboard", "/leaderboard/tv", "/leaderboard/tv/board?board=points:all"):
        assert web.get(path).status_code == 403, path


def test_tv_page_boards_and_non_js_refresh(web: TestClient, site: Site, web_engine: Engine) -> None:
    achievement(web_engine)
    sign_in(web, "manager")
    page = web.get("/leaderboard/tv")
    assert page.status_code == 200
    html = page.text
    assert 'class="site-header"' not in html and 'class="site-footer"' not in html
    assert 'data-boards="points:month points:all"' in html
    assert '<h1 class="tv-title" id="tv-title">Points · This month</h1>' in html
    assert 'Board <span id="tv-pos">1</span> of <span id="tv-total">2</span>' in html
    assert (
        '<noscript><meta http-equiv="refresh" content="20;url=/leaderboard/tv?'
        'board=points%3Amonth&amp;board=points%3Aall&amp;seconds=20&amp;start=1"></noscript>'
    ) in html
    assert re.search(r'<script src="/static/js/tv\.js\?v=\w+"></script>', html)
    second = web.get("/leaderboard/tv?board=points:month&board=deals/count:all&seconds=5&start=1")
    assert '<h1 class="tv-title" id="tv-title">Deals: number of records · All time</h1>' in (
        second.text
    )
    assert 'content="5;url=/leaderboard/tv?' in second.text and "start=0" in second.text


def test_tv_bad_input_is_400(web: TestClient, site: Site) -> None:
    sign_in(web, "admin")
    cases = {
        "board=points": "is not MEASURE:PERIOD[:TEAM] or board-ID",
        "board=points:forever": "Unknown period",
        "board=deals/sum/status:all": "needs a number field",
        "board=deals/count/value:all": "takes no field",
        "board=points:all:999": "team 999 does not exist",
        "seconds=1": "seconds must be a whole number from 2 to 3600",
        "seconds=abc": "seconds must be",
        "board=" + "&board=".join(["points:all"] * 13): "At most 12 boards",
    }
    for query, message in cases.items():
        page = web.get(f"/leaderboard/tv?{query}")
        assert page.status_code == 400, query
        assert message in page.text, query


def test_tv_board_fragment(web: TestClient, site: Site, web_engine: Engine) -> None:
    achievement(web_engine)
    sign_in(web, "member")
    fragment = web.get("/leaderboard/tv/board?board=points:all")
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<h1 class="tv-title" id="tv-title">Points · All time')
    assert "<html" not in fragment.text
    assert rows(fragment.text)[0] == (1, "Ada Lovelace", "25")
    bad = web.get("/leaderboard/tv/board?board=nonsense")
    assert bad.status_code == 400
