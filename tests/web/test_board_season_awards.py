"""Season awards on the board form: rows of "top N get achievement X" read into the board
service as the API takes them (blank rows skipped), shown again on the edit page, and refused
row by row with words a person can act on, nothing saved."""

from __future__ import annotations

import re

from sqlalchemy import Engine

from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.models import Board
from tests.one_hop_client import TestClient
from tests.web.conftest import sign_in
from tests.web.helpers import Site, csrf_of
from tests.web.portal_data import achievement

ROW = re.compile(
    r'id="season-top-(\d+)" name="season_top" value="([^"]*)".*?'
    r'<select id="season-achievement-\1" name="season_achievement"[^>]*>(.*?)</select>',
    re.S,
)


def rows_shown(html: str) -> list[tuple[str, str]]:
    """(top, chosen achievement id) of each row of the form, blank rows included."""
    out = []
    for _, top, options in ROW.findall(html):
        chosen = re.search(r'<option value="([^"]*)" selected>', options)
        out.append((top, chosen.group(1) if chosen else ""))
    return out


def stored_awards(engine: Engine) -> list[tuple[str, list[dict[str, int]]]]:
    with unit_of_work(build_sessionmaker(engine)) as session:
        return [(b.name, list(b.season_awards or [])) for b in session.query(Board).all()]


def medals(engine: Engine) -> tuple[int, int]:
    champion = achievement(
        engine, active=False, key="champion", name="Champion", category="record",
        period="month", requirements=[],
    )  # fmt: skip
    podium = achievement(
        engine, active=False, key="podium", name="Podium", category="membership",
        period="month", requirements=[],
    )  # fmt: skip
    return champion, podium


def post(web: TestClient, path: str, **form: object) -> object:
    token = csrf_of(web.get("/admin/boards").text)
    return web.post(path, data={**form, "csrf_token": token})


def test_season_awards_are_saved_from_rows_and_shown_again(
    web: TestClient, site: Site, web_engine: Engine
) -> None:
    champion, podium = medals(web_engine)
    sign_in(web, "admin")
    assert rows_shown(web.get("/admin/boards").text) == [("", ""), ("", "")]
    made = web.post(
        "/admin/boards",
        data={
            "name": "Monthly points",
            "measure": "points",
            "period": "month",
            "seasonal": "on",
            "season_top": ["3", "", "1"],
            "season_achievement": [str(podium), "", str(champion)],
            "csrf_token": csrf_of(web.get("/admin/boards").text),
        },
    )
    assert made.status_code == 303, made.text
    expected = [{"top": 3, "achievement_id": podium}, {"top": 1, "achievement_id": champion}]
    assert stored_awards(web_engine) == [("Monthly points", expected)]
    with unit_of_work(build_sessionmaker(web_engine)) as session:
        board_id = session.query(Board).one().id
    edit = web.get(f"/admin/boards/{board_id}").text
    assert rows_shown(edit) == [("3", str(podium)), ("1", str(champion)), ("", ""), ("", "")]
    # Emptying a row takes its award away; the other stays.
    saved = web.post(
        f"/admin/boards/{board_id}",
        data={
            "name": "Monthly points",
            "measure": "points",
            "period": "month",
            "seasonal": "on",
            "season_top": ["", "1"],
            "season_achievement": ["", str(champion)],
            "csrf_token": csrf_of(edit),
        },
    )
    assert saved.status_code == 303, saved.text
    assert stored_awards(web_engine) == [("Monthly points", expected[1:])]


def test_bad_rows_are_refused_row_by_row_and_nothing_is_saved(
    web: TestClient, site: Site, web_engine: Engine
) -> None:
    champion, _ = medals(web_engine)
    sign_in(web, "admin")
    token = csrf_of(web.get("/admin/boards").text)
    base = {"name": "Weekly", "measure": "points", "period": "week", "csrf_token": token}
    refused = web.post(
        "/admin/boards",
        data={
            **base,
            "seasonal": "on",
            "season_top": ["0", "2", "lots"],
            "season_achievement": [str(champion), "", str(champion)],
        },
    )
    assert refused.status_code == 400, refused.text
    page = refused.text
    assert "Row 1: Enter how many top places get it: a whole number from 1 to 1000." in page
    assert "Row 2: choose the achievement the top 2 get." in page
    assert "Row 3: Enter how many top places" in page
    assert '<a href="#f-season_awards">Season awards</a>' in page
    assert rows_shown(page)[:3] == [("0", str(champion)), ("2", ""), ("lots", str(champion))]
    assert page.count('aria-invalid="true" aria-describedby="f-season_awards-error"') == 6
    # Awards on a board that is not seasonal would never be given.
    plain = web.post(
        "/admin/boards",
        data={**base, "season_top": ["1"], "season_achievement": [str(champion)]},
    )
    assert plain.status_code == 400
    assert "Season awards are given when a season ends: tick Seasonal too" in plain.text
    # An achievement deleted since the page was shown: the service's words, on its row.
    stale = web.post(
        "/admin/boards",
        data={**base, "seasonal": "on", "season_top": ["1"], "season_achievement": ["999"]},
    )
    assert stale.status_code == 400
    assert re.search(r"Row 1: [^<]*999", stale.text), stale.text
    assert stored_awards(web_engine) == []
