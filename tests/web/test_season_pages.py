"""The seasons page: a seasonal board's past seasons, one season's archived standings (ties
share a rank) and who got which season award; members see published boards only."""

from __future__ import annotations

import re

from sqlalchemy import Engine

from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.kit.roles import SYSTEM
from plaudit.leaderboard.board.schemas import BoardUpdate
from plaudit.leaderboard.board.service import update_board
from plaudit.models import Board
from tests.one_hop_client import TestClient
from tests.web.conftest import sign_in
from tests.web.helpers import Site, csrf_of
from tests.web.portal_data import NOW
from tests.web.seasons_data import seasonal_board
from tests.web.test_leaderboard_pages import rows

SEASON_LINK = re.compile(r'<a href="/leaderboard/seasons\?season=(\d+)"[^>]*>([^<]+)</a>')
AWARD_ROW = re.compile(
    r'<td data-label="Place">([^<]+)</td>\s*<td data-label="Achievement">([^<]+)</td>\s*'
    r'<th scope="row" data-label="Member">([^<]+)</th>\s*<td data-label="Outcome">([^<]+)</td>'
)


def awards(html: str) -> list[tuple[str, str, str, str]]:
    return [tuple(m) for m in AWARD_ROW.findall(html)]  # type: ignore[misc]


def test_the_newest_season_is_shown_with_its_standings_and_awards(
    web: TestClient, site: Site, web_engine: Engine
) -> None:
    seasonal_board(web_engine)
    sign_in(web, "member")
    page = web.get("/leaderboard/seasons")
    assert page.status_code == 200, page.text
    html = page.text
    assert [label for _, label in SEASON_LINK.findall(html)] == [
        "October 2026",
        "September 2026",
        "August 2026",
    ]
    assert "Monthly deal value · October 2026" in html
    assert rows(html) == [(1, "Cem", "1,550"), (2, "Ben", "700"), (3, "Dee", "75"), (4, "Eli", "5")]
    assert awards(html) == [
        ("First place", "Deal champion", "Cem", "Given"),
        ("Top 3", "Podium", "Cem", "Given"),
        ("Top 3", "Podium", "Ben", "Given"),
        ("Top 3", "Podium", "Dee", "Given"),
    ]


def test_a_past_season_with_a_tie_gives_the_top_three_award_to_all_four(
    web: TestClient, site: Site, web_engine: Engine
) -> None:
    seasonal_board(web_engine)
    sign_in(web, "member")
    links = dict(
        (label, sid) for sid, label in SEASON_LINK.findall(web.get("/leaderboard/seasons").text)
    )
    html = web.get(f"/leaderboard/seasons?season={links['August 2026']}").text
    assert 'aria-current="page">August 2026' in html
    assert rows(html) == [
        (1, "Ama", "1,300"),
        (2, "Ben", "1,200"),
        (3, "Cem", "300"),
        (3, "Dee", "300"),
    ]
    assert [a[2] for a in awards(html) if a[1] == "Podium"] == ["Ama", "Ben", "Cem", "Dee"]


def test_members_do_not_see_the_seasons_of_an_unpublished_board(
    web: TestClient, site: Site, web_engine: Engine
) -> None:
    seasons = seasonal_board(web_engine)
    sign_in(web, "member")
    first = SEASON_LINK.findall(web.get("/leaderboard/seasons").text)[0][0]
    with unit_of_work(build_sessionmaker(web_engine)) as session:
        update_board(session, seasons.board_id, BoardUpdate(published=False), actor=SYSTEM, now=NOW)
    html = web.get("/leaderboard/seasons").text
    assert "No seasonal boards yet" in html
    assert web.get(f"/leaderboard/seasons?board={seasons.board_id}").status_code == 403
    assert web.get(f"/leaderboard/seasons?season={first}").status_code == 403
    web.cookies.clear()
    sign_in(web, "manager")
    assert rows(web.get(f"/leaderboard/seasons?season={first}").text)[0] == (1, "Cem", "1,550")


def test_bad_and_unknown_choices_are_error_pages(
    web: TestClient, site: Site, web_engine: Engine
) -> None:
    sign_in(web, "admin")
    assert "No seasonal boards yet" in web.get("/leaderboard/seasons").text
    assert web.get("/leaderboard/seasons?season=999").status_code == 404
    assert web.get("/leaderboard/seasons?board=999").status_code == 404
    bad = web.get("/leaderboard/seasons?board=abc")
    assert bad.status_code == 422 and "whole number" in bad.text
    assert 'href="/leaderboard/seasons"' in web.get("/leaderboard").text


def test_the_board_form_makes_a_board_seasonal_and_names_a_period_that_cannot_be(
    web: TestClient, site: Site, web_engine: Engine
) -> None:
    sign_in(web, "admin")
    token = csrf_of(web.get("/admin/boards").text)
    form = {"name": "Daily", "measure": "points", "period": "day", "seasonal": "on"}
    refused = web.post("/admin/boards", data={**form, "csrf_token": token})
    assert refused.status_code == 400, refused.text
    assert (
        '<a href="#f-period">' in refused.text and "seasonal board needs a period" in refused.text
    )
    made = web.post("/admin/boards", data={**form, "period": "week", "csrf_token": token})
    assert made.status_code == 303, made.text
    with unit_of_work(build_sessionmaker(web_engine)) as session:
        board = session.query(Board).one()
        assert (board.name, board.seasonal) == ("Daily", True)
        assert board.seasons_closed_through is not None
        board_id = board.id
    edit = web.get(f"/admin/boards/{board_id}").text
    assert re.search(r'id="f-seasonal"[^>]*checked', edit), edit
