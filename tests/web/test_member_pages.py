"""The admin member pages: the searchable list, a member's page, giving an achievement from it
(with the category limits as refusals on the page) and revoking an award with a reason."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plaudit.achievement.schemas import AchievementCreate
from plaudit.achievement.service import activate_achievement, create_achievement
from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.kit.roles import SYSTEM
from plaudit.member.schemas import MemberCreate, MemberUpdate
from plaudit.member.service import create_member, update_member
from plaudit.models import Award
from plaudit.team.schemas import TeamCreate
from plaudit.team.service import create_team
from tests.one_hop_client import TestClient
from tests.web.conftest import sign_in
from tests.web.helpers import Site, csrf_of

NOW = datetime(2026, 11, 18, 13, 0, tzinfo=UTC)
DEALS_50K = {
    "source": "deals",
    "aggregate": "sum",
    "field": "value",
    "operator": "at_least",
    "value": 50000,
}


@dataclass(frozen=True)
class People:
    team_id: int
    ada: int
    grace: int
    star: int  # award, no period
    seller: int  # record, monthly
    draft: int  # inactive


def make_achievement(session: Session, key: str, *, active: bool = True, **extra: Any) -> int:
    body: dict[str, Any] = {
        "key": key,
        "name": key.replace("-", " ").capitalize(),
        "category": "award",
        "points": 10,
        "requirements": [[DEALS_50K]],
    }
    body.update(extra)
    row = create_achievement(
        session, AchievementCreate.model_validate(body), actor=SYSTEM, now=NOW, zone=UTC_ZONE
    )
    if active:
        activate_achievement(session, row.id, actor=SYSTEM, now=NOW, zone=UTC_ZONE)
    return row.id


UTC_ZONE = ZoneInfo("UTC")


def make_people(engine: Engine, site: Site) -> People:
    """Team Blue with Ada and Grace; an award, a monthly record and an inactive draft."""
    with unit_of_work(build_sessionmaker(engine)) as session:
        team = create_team(session, TeamCreate(name="Blue", external_id="T-BLUE"))
        for member_id in (site.member_id, site.other_member_id):
            update_member(session, member_id, MemberUpdate(team_id=team.id))
        update_member(
            session, site.member_id, MemberUpdate(email="ada@example.com", external_id="A-1")
        )
        return People(
            team_id=team.id,
            ada=site.member_id,
            grace=site.other_member_id,
            star=make_achievement(session, "star-closer", points=25),
            seller=make_achievement(
                session, "top-seller", category="record", period="month", points=100
            ),
            draft=make_achievement(session, "draft-one", active=False),
        )


@pytest.fixture
def people(site: Site, web_engine: Engine) -> People:
    return make_people(web_engine, site)


def post(client: TestClient, path: str, data: dict[str, str]) -> httpx.Response:
    token = csrf_of(client.get("/admin/members").text)
    return client.post(path, data={**data, "csrf_token": token})


def give(client: TestClient, member_id: int, achievement_id: int | str, **extra: str) -> Any:
    data = {"achievement_id": str(achievement_id), "period": "current", **extra}
    return post(client, f"/admin/members/{member_id}/awards", data)


def awards_of(engine: Engine, member_id: int) -> list[Award]:
    with Session(engine) as session:
        return list(session.scalars(select(Award).where(Award.member_id == member_id)).all())


def test_list_shows_members_with_team_points_and_awards(
    admin_web: TestClient, people: People
) -> None:
    assert give(admin_web, people.ada, people.star).status_code == 303
    html = admin_web.get("/admin/members").text
    assert "<caption" in html and 'scope="col"' in html
    assert f'href="/admin/members/{people.ada}">Ada Lovelace</a>' in html
    assert 'data-label="Team"' in html and "Blue" in html
    assert "ada@example.com" in html and "A-1" in html
    row = html.split(f'/admin/members/{people.ada}"')[1].split("</tr>")[0]
    assert re.search(r'data-label="Points" class="num">25<', row)
    assert re.search(r'data-label="Awards" class="num">1<', row)


@pytest.mark.parametrize("query", ["lovelace", "ADA@example", "a-1"])
def test_search_by_name_email_or_external_id(
    admin_web: TestClient, people: People, query: str
) -> None:
    html = admin_web.get("/admin/members", params={"q": query}).text
    assert "Ada Lovelace" in html and "Grace Hopper" not in html


def test_team_filter_and_junk_query_values(admin_web: TestClient, people: People) -> None:
    html = admin_web.get("/admin/members", params={"team": str(people.team_id)}).text
    assert "Ada Lovelace" in html and "Grace Hopper" in html
    html = admin_web.get("/admin/members", params={"team": str(people.team_id + 99)}).text
    assert "No member matches" in html
    for params in ({"team": "x"}, {"page": "-3"}, {"page": "abc"}, {"q": "%_\\"}):
        assert admin_web.get("/admin/members", params=params).status_code == 200


def test_pagination(admin_web: TestClient, site: Site, web_engine: Engine) -> None:
    with unit_of_work(build_sessionmaker(web_engine)) as session:
        for n in range(55):
            create_member(session, MemberCreate(name=f"Zed {n:02d}"))
    first = admin_web.get("/admin/members").text
    assert 'rel="next"' in first and 'rel="prev"' not in first
    assert "Zed 47" in first and "Zed 48" not in first  # Ada, Grace, Zed 00..47
    second = admin_web.get("/admin/members", params={"page": "2"}).text
    assert "Zed 48" in second and "Zed 54" in second and "Ada Lovelace" not in second
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert "No more members" in admin_web.get("/admin/members?page=9").text


def test_member_page_details_and_give_form(admin_web: TestClient, people: People) -> None:
    html = admin_web.get(f"/admin/members/{people.ada}").text
    assert "<h1>Ada Lovelace" in html
    assert f'href="/portal?member_id={people.ada}"' in html
    assert f'href="/admin/teams/{people.team_id}">Blue</a>' in html
    assert '<optgroup label="Award">' in html and '<optgroup label="Record">' in html
    assert "Star closer (25 points)" in html and "Top seller (100 points, monthly)" in html
    assert "Draft one" not in html  # inactive achievements are not offered
    assert 'label for="f-period"' in html and 'label for="f-achievement_id"' in html
    assert "No awards yet." in html


def test_give_then_the_award_appears(
    admin_web: TestClient, people: People, web_engine: Engine
) -> None:
    response = give(admin_web, people.ada, people.seller, reason="Best month ever")
    assert response.status_code == 303
    assert response.headers["location"] == f"/admin/members/{people.ada}#awards"
    html = admin_web.get(f"/admin/members/{people.ada}").text
    assert "Gave “Top seller” to Ada Lovelace for the period of 2026-11-01." in html
    assert "month of 2026-11-01" in html and "user:admin" in html
    assert "state-active" in html and "/revoke" in html
    (award,) = awards_of(web_engine, people.ada)
    assert award.period_key == "2026-11-01" and award.given_by == "user:admin"


def test_give_for_the_previous_period(
    admin_web: TestClient, people: People, web_engine: Engine
) -> None:
    assert give(admin_web, people.ada, people.seller, period="previous").status_code == 303
    (award,) = awards_of(web_engine, people.ada)
    assert award.period_key == "2026-10-01"
    assert "Expired" in admin_web.get(f"/admin/members/{people.ada}").text


def test_record_already_held_by_another_member_is_refused(
    admin_web: TestClient, people: People, web_engine: Engine
) -> None:
    assert give(admin_web, people.ada, people.seller).status_code == 303
    response = give(admin_web, people.grace, people.seller)
    assert response.status_code == 409
    assert "is a record: one holder per period" in response.text
    assert 'class="form-error"' in response.text
    assert f'<option value="{people.seller}" selected>' in response.text
    assert awards_of(web_engine, people.grace) == []


@pytest.mark.parametrize("value", ["", "abc", "999999", "-1", "99999999999999999999999"])
def test_unknown_or_junk_achievement_is_refused_next_to_the_field(
    admin_web: TestClient, people: People, value: str
) -> None:
    response = give(admin_web, people.ada, value)
    assert response.status_code == 400
    assert "Choose one of the active achievements." in response.text
    assert 'aria-invalid="true"' in response.text


def test_inactive_achievement_and_bad_period_are_refused(
    admin_web: TestClient, people: People
) -> None:
    assert give(admin_web, people.ada, people.draft).status_code == 400
    response = give(admin_web, people.ada, people.star, period="forever")
    assert response.status_code == 400
    assert "Choose the current or the previous period." in response.text


def test_junk_member_ids_are_pages_not_500(admin_web: TestClient, people: People) -> None:
    for junk in ("abc", "0", "-1", "99999999999999999999999", "1.5"):
        page = admin_web.get(f"/admin/members/{junk}")
        assert page.status_code == 404 and "There is no page at this address." in page.text
    missing = admin_web.get("/admin/members/424242")
    assert missing.status_code == 404 and "<html" in missing.text
    assert give(admin_web, 424242, people.star).status_code == 404
    assert admin_web.get(f"/admin/members/{people.ada}/awards/abc/revoke").status_code == 404
    assert admin_web.get(f"/admin/members/{people.ada}/awards/4242/revoke").status_code == 404


def test_revoke_with_a_reason(admin_web: TestClient, people: People, web_engine: Engine) -> None:
    give(admin_web, people.ada, people.star)
    (award,) = awards_of(web_engine, people.ada)
    path = f"/admin/members/{people.ada}/awards/{award.id}/revoke"
    confirm = admin_web.get(path)
    assert confirm.status_code == 200
    assert "Revoke “Star closer” from Ada Lovelace?" in confirm.text
    assert '<textarea id="f-reason" name="reason"' in confirm.text and "required" in confirm.text
    empty = post(admin_web, path, {"reason": "  "})
    assert empty.status_code == 400 and "Enter the reason" in empty.text
    assert not awards_of(web_engine, people.ada)[0].revoked
    done = post(admin_web, path, {"reason": "Given by mistake"})
    assert done.status_code == 303
    (award,) = awards_of(web_engine, people.ada)
    assert award.revoked and award.revoke_reason == "Given by mistake"
    assert award.revoked_by == "user:admin"
    html = admin_web.get(f"/admin/members/{people.ada}").text
    assert "Award revoked." in html and "state-revoked" in html and "Given by mistake" in html
    assert path not in html
    assert admin_web.get(path).status_code == 303  # already revoked: back to the page


def test_revoke_refuses_another_members_award(
    admin_web: TestClient, people: People, web_engine: Engine
) -> None:
    give(admin_web, people.ada, people.star)
    (award,) = awards_of(web_engine, people.ada)
    path = f"/admin/members/{people.grace}/awards/{award.id}/revoke"
    assert admin_web.get(path).status_code == 404
    assert post(admin_web, path, {"reason": "x"}).status_code == 404
    assert not awards_of(web_engine, people.ada)[0].revoked


def test_manager_may_use_the_member_pages(web: TestClient, people: People) -> None:
    sign_in(web, "manager")
    assert web.get("/admin/members").status_code == 200
    assert give(web, people.ada, people.star).status_code == 303


def test_member_role_is_refused(web: TestClient, people: People) -> None:
    sign_in(web, "member")
    response = web.get(f"/admin/members/{people.ada}")
    assert response.status_code == 403
    assert web.get("/admin/members").status_code == 403


def test_inactive_member_refusal_is_shown_with_its_status(
    admin_web: TestClient, people: People, web_engine: Engine
) -> None:
    with unit_of_work(build_sessionmaker(web_engine)) as session:
        update_member(session, people.grace, MemberUpdate(active=False))
    response = give(admin_web, people.grace, people.star)
    assert response.status_code == 409
    assert "is inactive and cannot receive awards" in response.text
    assert awards_of(web_engine, people.grace) == []
