"""Saved boards on the pages: members are offered points and published boards only, and
refused any other measure (page and TV); admins and managers create, edit, publish,
unpublish and delete boards with the usual forms (CSRF included)."""

from __future__ import annotations

import re

from sqlalchemy import Engine

from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.kit.roles import SYSTEM
from plaudit.leaderboard.board.schemas import BoardCreate, BoardMeasure
from plaudit.leaderboard.board.service import create_board
from plaudit.models import Board
from plaudit.periods import Period
from plaudit.rules.model import Aggregate, Filter
from tests.one_hop_client import TestClient
from tests.web.conftest import sign_in
from tests.web.helpers import Site, csrf_of
from tests.web.portal_data import NOW, deals, member, team
from tests.web.test_leaderboard_pages import rows

OPTION = re.compile(r'<option value="([^"]*)"[^>]*>([^<]+)</option>')


def switch_to(web: TestClient, username: str) -> None:
    web.cookies.clear()
    sign_in(web, username)


def saved(engine: Engine, name: str, *, published: bool, **fields: object) -> int:
    with unit_of_work(build_sessionmaker(engine)) as session:
        return create_board(
            session,
            BoardCreate.model_validate({"name": name, "published": published, **fields}),
            actor=SYSTEM,
            now=NOW,
        ).id


def approved_value(engine: Engine, *, published: bool = True, name: str = "Approved value") -> int:
    measure = BoardMeasure(
        source="deals",
        aggregate=Aggregate.SUM,
        field="value",
        where=[Filter.model_validate({"field": "status", "op": "eq", "value": "Approved"})],
    )
    return saved(engine, name, published=published, measure=measure, period=Period.none)


def measure_options(html: str) -> list[tuple[str, str]]:
    select = re.search(r'<select id="f-measure" name="measure"[^>]*>(.*?)</select>', html, re.S)
    assert select, html
    return [(v, label.strip()) for v, label in OPTION.findall(select.group(1))]


def test_members_are_offered_points_and_published_boards_only(
    web: TestClient, site: Site, web_engine: Engine
) -> None:
    shown = approved_value(web_engine)
    hidden = approved_value(web_engine, published=False, name="Largest deal")
    sign_in(web, "member")
    page = web.get("/leaderboard")
    assert page.status_code == 200
    assert measure_options(page.text) == [
        ("points", "Points"),
        (f"board-{shown}", "Approved value"),
    ]
    assert "Manage boards" not in page.text
    switch_to(web, "manager")
    staff = measure_options(web.get("/leaderboard").text)
    assert staff[:3] == [
        ("points", "Points"),
        (f"board-{shown}", "Approved value"),
        (f"board-{hidden}", "Largest deal (not published)"),
    ]
    assert ("deals/sum/value", "Deals: sum of value") in staff


def test_a_member_reads_a_published_board_as_staff_rank_its_measure(
    web: TestClient, site: Site, web_engine: Engine
) -> None:
    board = approved_value(web_engine)
    deals(web_engine, site.member_id, 100, status="Approved")
    deals(web_engine, site.other_member_id, 900, status="Pending")
    deals(web_engine, site.other_member_id, 40, status="Approved")
    sign_in(web, "member")
    page = web.get(f"/leaderboard?measure=board-{board}")
    assert page.status_code == 200, page.text
    assert rows(page.text) == [(1, "Ada Lovelace", "100"), (2, "Grace Hopper", "40")]
    assert "<caption>Approved value · All time</caption>" in page.text
    assert '<option value="" selected>The board&#39;s period</option>' in page.text
    week = web.get(f"/leaderboard?measure=board-{board}&period=week")
    assert "<caption>Approved value · This week</caption>" in week.text
    fragment = web.get(f"/leaderboard/tv/board?board=board-{board}")
    assert fragment.status_code == 200 and rows(fragment.text)[0] == (1, "Ada Lovelace", "100")
    tv = web.get(f"/leaderboard/tv?board=board-{board}&board=points:month")
    assert tv.status_code == 200 and f'data-boards="board-{board} points:month"' in tv.text
    switch_to(web, "manager")
    direct = web.get("/leaderboard?measure=deals/sum/value&period=all")
    assert rows(direct.text)[0] == (1, "Grace Hopper", "940")  # every status: not the board


def test_a_board_with_a_team_shows_it_unless_the_reader_chooses(
    web: TestClient, site: Site, web_engine: Engine
) -> None:
    red = team(web_engine, "Red team")
    member(web_engine, "Alan Turing", team_id=red)
    board = saved(web_engine, "Red points", published=True, team_id=red)
    sign_in(web, "member")
    own = web.get(f"/leaderboard?measure=board-{board}")
    assert "<caption>Red points · This month · Red team</caption>" in own.text
    assert rows(own.text) == [(1, "Alan Turing", "0")]
    everyone = web.get(f"/leaderboard?measure=board-{board}&team=all")
    assert [name for _, name, _ in rows(everyone.text)] == [
        "Ada Lovelace",
        "Alan Turing",
        "Grace Hopper",
    ]
    assert "<caption>Red points · This month</caption>" in everyone.text


def test_members_are_refused_other_measures_and_unpublished_boards(
    web: TestClient, site: Site, web_engine: Engine
) -> None:
    hidden = approved_value(web_engine, published=False)
    deals(web_engine, site.other_member_id, 900)
    sign_in(web, "member")
    for query in ("measure=deals/max/value", "measure=deals*/count", f"measure=board-{hidden}"):
        page = web.get(f"/leaderboard?{query}&period=all")
        assert page.status_code == 403, query
        assert 'class="field-error"' in page.text and "published board" in page.text, query
        assert "900" not in page.text and "Grace Hopper" not in page.text, query
    for path in (
        "/leaderboard/tv/board?board=deals/max/value:all",
        "/leaderboard/tv?board=deals/sum/value:all",
        f"/leaderboard/tv/board?board=board-{hidden}",
    ):
        answer = web.get(path)
        assert answer.status_code == 403, path
        assert "900" not in answer.text, path
    assert web.get("/leaderboard?measure=board-424242").status_code == 404
    assert web.get("/leaderboard?measure=board-x").status_code == 400


def test_staff_create_edit_publish_and_delete_boards(
    web: TestClient, site: Site, web_engine: Engine
) -> None:
    sign_in(web, "manager")
    page = web.get("/admin/boards")
    assert page.status_code == 200 and "No boards yet" in page.text
    token = csrf_of(page.text)
    form = {"name": "Won deals", "measure": "deals/count", "period": "week", "team": ""}
    made = web.post("/admin/boards", data={**form, "csrf_token": token})
    assert made.status_code == 303, made.text
    with unit_of_work(build_sessionmaker(web_engine)) as session:
        board = session.query(Board).one()
        board_id, published = board.id, board.published
        assert (board.source, board.aggregate, board.period) == ("deals", "count", "week")
    assert published is False
    listed = web.get("/admin/boards").text
    assert "Won deals" in listed and "Deals: number of records" in listed
    assert "count(deals.*)" not in listed and "Not published" in listed
    publish = web.post(
        f"/admin/boards/{board_id}/publish", data={"published": "on", "csrf_token": token}
    )
    assert publish.status_code == 303
    switch_to(web, "member")
    assert (f"board-{board_id}", "Won deals") in measure_options(web.get("/leaderboard").text)
    switch_to(web, "admin")
    token = csrf_of(web.get(f"/admin/boards/{board_id}").text)
    edit = {
        "name": "Deal value",
        "measure": "deals/sum/value",
        "period": "none",
        "team": "",
        "published": "on",
        "csrf_token": token,
    }
    assert web.post(f"/admin/boards/{board_id}", data=edit).status_code == 303
    with unit_of_work(build_sessionmaker(web_engine)) as session:
        board = session.get(Board, board_id)
        assert board is not None
        assert (board.name, board.aggregate, board.field, board.period) == (
            "Deal value",
            "sum",
            "value",
            "none",
        )
        assert board.published is True
    confirm = web.get(f"/admin/boards/{board_id}/delete")
    assert confirm.status_code == 200 and "cannot be undone" in confirm.text
    gone = web.post(f"/admin/boards/{board_id}/delete", data={"csrf_token": token})
    assert gone.status_code == 303
    with unit_of_work(build_sessionmaker(web_engine)) as session:
        assert session.query(Board).count() == 0


def test_bad_board_forms_name_the_field(web: TestClient, site: Site, web_engine: Engine) -> None:
    approved_value(web_engine, name="Taken")
    sign_in(web, "admin")
    token = csrf_of(web.get("/admin/boards").text)
    cases = [
        ({"name": "", "measure": "points", "period": "month"}, 400, "name"),
        ({"name": "B", "measure": "deals/sum/status", "period": "month"}, 400, "measure"),
        ({"name": "B", "measure": "deals/sum", "period": "month"}, 400, "measure"),
        ({"name": "B", "measure": "nowhere/count", "period": "month"}, 400, "measure"),
        ({"name": "B", "measure": "points", "period": "fortnight"}, 400, "period"),
        ({"name": "B", "measure": "points", "period": "month", "team": "999"}, 400, "team"),
        ({"name": "Taken", "measure": "points", "period": "month"}, 409, "name"),
    ]
    for form, status, field in cases:
        page = web.post("/admin/boards", data={**form, "csrf_token": token})
        assert page.status_code == status, (form, page.text)
        assert re.search(rf'<a href="#f-{field}">', page.text), (form, page.text)
    with unit_of_work(build_sessionmaker(web_engine)) as session:
        assert [b.name for b in session.query(Board)] == ["Taken"]


def test_board_pages_need_staff_and_csrf(web: TestClient, site: Site, web_engine: Engine) -> None:
    board = approved_value(web_engine)
    assert web.get("/admin/boards").status_code == 303
    sign_in(web, "member")
    for path in ("/admin/boards", f"/admin/boards/{board}", f"/admin/boards/{board}/delete"):
        assert web.get(path).status_code == 403, path
    refused = web.post(f"/admin/boards/{board}/delete", data={"csrf_token": "forged"})
    assert refused.status_code == 403
    switch_to(web, "admin")
    assert web.post(f"/admin/boards/{board}/delete", data={}).status_code == 403  # no token
    with unit_of_work(build_sessionmaker(web_engine)) as session:
        assert session.get(Board, board) is not None
