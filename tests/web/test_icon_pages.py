"""Icons on the pages: inline SVG of the icon set for a name, the emoji for an emoji, with the
achievement's name for screen readers, and never the stored text shown as the icon; the icon
search behind the picker; the form without JavaScript."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, text

from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.member.schemas import MemberUpdate
from plaudit.member.service import update_member
from plaudit.team.schemas import TeamCreate
from plaudit.team.service import create_team
from tests.one_hop_client import TestClient
from tests.web.conftest import sign_in
from tests.web.helpers import Site
from tests.web.portal_data import achievement, give
from tests.web.test_achievement_pages import fields, post_form


@dataclass(frozen=True)
class Icons:
    team_id: int
    trophy: int
    party: int
    legacy: int


@pytest.fixture
def icons(site: Site, web_engine: Engine) -> Icons:
    """Ada (team Blue) holds "Top seller" (trophy), "Cheerleader" (an emoji) and "Old one",
    whose icon is free text written before icons were checked."""
    with unit_of_work(build_sessionmaker(web_engine)) as session:
        team_id = create_team(session, TeamCreate(name="Blue")).id
        update_member(session, site.member_id, MemberUpdate(team_id=team_id))
    made = Icons(
        team_id=team_id,
        trophy=achievement(
            web_engine, key="top", name="Top seller", icon="trophy", show_next_to_name=True
        ),
        party=achievement(
            web_engine, key="cheer", name="Cheerleader", icon="🎉", show_next_to_name=True
        ),
        legacy=achievement(
            web_engine, key="old", name="Old one", icon="medal", show_next_to_name=True
        ),
    )
    with web_engine.begin() as conn:
        conn.execute(text("UPDATE achievements SET icon = 'trophy HH' WHERE key = 'old'"))
    for achievement_id in (made.trophy, made.party, made.legacy):
        give(web_engine, site.member_id, achievement_id)
    return made


def visible_text(html: str) -> str:
    """What a reader sees: the page without scripts, styles, tags and attribute values."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def named_svg(name: str, icon: str) -> str:
    return f'role="img" aria-label="{name}" title="{name}" data-icon="{icon}"><svg '


def assert_icons_drawn(html: str) -> None:
    assert named_svg("Top seller", "trophy") in html
    assert 'aria-label="Cheerleader" title="Cheerleader" data-emoji>🎉</span>' in html
    assert named_svg("Old one", "award") in html  # unknown text: the default icon
    seen = visible_text(html)
    assert "trophy" not in seen.lower() and "HH" not in seen


@pytest.mark.parametrize(
    "path",
    [
        "/portal",
        "/leaderboard?period=all",
        "/leaderboard/tv/board?board=points:all",
    ],
)
def test_member_pages_draw_icons(web: TestClient, icons: Icons, path: str) -> None:
    sign_in(web, "member")
    response = web.get(path)
    assert response.status_code == 200, response.text
    assert_icons_drawn(response.text)


def test_tv_page_loads_the_icon_styles(web: TestClient, icons: Icons) -> None:
    sign_in(web, "member")
    html = web.get("/leaderboard/tv").text
    assert "/static/css/icons.css?v=" in html


@pytest.mark.parametrize("page", ["team", "member", "list"])
def test_admin_pages_draw_icons_beside_names(
    admin_web: TestClient, site: Site, icons: Icons, page: str
) -> None:
    path = {
        "team": f"/admin/teams/{icons.team_id}",
        "member": f"/admin/members/{site.member_id}",
        "list": "/admin/achievements",
    }[page]
    html = admin_web.get(path).text
    # The name is written beside the icon, so the icon itself is hidden from screen readers.
    assert re.search(r'<span class="icon[^"]*" aria-hidden="true" data-icon="trophy"><svg ', html)
    assert '<span class="icon" aria-hidden="true" data-emoji>🎉</span>' in html or (
        '<span class="icon row-icon" aria-hidden="true" data-emoji>🎉</span>' in html
    )
    assert re.search(r'aria-hidden="true" data-icon="award"><svg ', html)
    seen = visible_text(html)
    assert "trophy" not in seen.lower() and "HH" not in seen
    assert "MEGAPHONE" not in seen and "★" not in seen


def test_icon_search_answers_names_and_svg(admin_web: TestClient) -> None:
    answer = admin_web.get("/admin/icons", params={"q": "troph", "limit": 5}).json()
    assert answer["icons"][0]["name"] == "trophy"
    assert answer["icons"][0]["svg"].startswith("<svg ")
    assert answer["total"] == len(answer["icons"])
    everything = admin_web.get("/admin/icons").json()
    assert everything["total"] > 1000 and len(everything["icons"]) == 120
    assert everything["icons"][0]["name"] == "award"  # the featured icons come first
    assert admin_web.get("/admin/icons", params={"q": "zzzzqq"}).json() == {
        "total": 0,
        "icons": [],
    }
    refused = admin_web.get("/admin/icons", params={"limit": 0})
    assert 400 <= refused.status_code < 500


def test_icon_search_is_for_staff(web: TestClient, site: Site) -> None:
    sign_in(web, "member")
    assert web.get("/admin/icons").status_code == 403


def test_the_form_without_script_refuses_an_unknown_icon_and_suggests(
    admin_web: TestClient, web_engine: Engine
) -> None:
    response = post_form(admin_web, "/admin/achievements/new", fields(icon="trohpy"))
    assert response.status_code == 422
    error = re.search(r'<p class="field-error" id="f-icon-error">(.*?)</p>', response.text, re.S)
    assert error, response.text
    assert "neither an icon name" in error.group(1) and "trophy" in error.group(1)
    assert 'value="trohpy"' in response.text  # what was typed is kept to correct
    with web_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM achievements")).scalar() == 0


def test_the_form_stores_a_name_or_an_emoji(admin_web: TestClient, web_engine: Engine) -> None:
    for key, typed, stored in (("a", "Party popper", "party-popper"), ("b", "🚀", "🚀")):
        response = post_form(admin_web, "/admin/achievements/new", fields(key=key, icon=typed))
        assert response.status_code == 303, response.text
        with web_engine.connect() as conn:
            icon = conn.execute(text("SELECT icon FROM achievements WHERE key = :k"), {"k": key})
            assert icon.scalar() == stored
        edit = admin_web.get(response.headers["location"]).text
        assert f'id="f-icon" name="icon" type="text" value="{stored}"' in edit
