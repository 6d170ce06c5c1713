"""Monitoring: a team's summary, and the completion report by achievement and team."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi import APIRouter
from fastapi.routing import APIRoute
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from plaudit.award.service import give_award
from plaudit.bulk.router import router as bulk_router
from plaudit.clock import FixedClock
from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.domain.audience import in_any
from plaudit.domain.origins import AwardOrigin
from plaudit.engine.audiences import load_audiences, member_facts
from plaudit.export.router import router as export_router
from plaudit.http.deps import Allow
from plaudit.kit.roles import STAFF, Principal, Role
from plaudit.models import Achievement, Member
from plaudit.monitoring.router import router as monitoring_router
from plaudit.report.router import router as report_router
from tests.conftest import Api

NOW = datetime(2026, 11, 18, 13, 0, tzinfo=UTC)


def make_team(admin: Api, name: str, **extra: Any) -> dict[str, Any]:
    return admin.ok("POST", "/teams", 201, json={"name": name, **extra})


def make_member(
    admin: Api, name: str, team: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    body = {"name": name, **extra}
    if team is not None:
        body["team_id"] = team["id"]
    return admin.ok("POST", "/members", 201, json=body)


def make_achievement(
    admin: Api, key: str, category: str = "award", period: str = "none", **extra: Any
) -> dict[str, Any]:
    body = {
        "key": key,
        "name": key.replace("-", " ").title(),
        "category": category,
        "period": period,
        "points": 10,
        **extra,
    }
    return admin.ok("POST", "/achievements", 201, json=body)


def give(
    admin: Api, member: dict[str, Any], achievement: dict[str, Any], at: str | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"achievement_id": achievement["id"]}
    if at:
        body["at"] = at
    return admin.ok("POST", f"/members/{member['id']}/awards", 201, json=body)


def record(
    admin: Api, member: dict[str, Any], occurred_at: datetime, ext: str, value: int = 100
) -> None:
    admin.ok(
        "POST",
        "/sources/deals/records",
        json={
            "external_id": ext,
            "member_id": member["id"],
            "occurred_at": occurred_at.isoformat(),
            "data": {"value": value},
        },
    )


@pytest.fixture
def red_team(admin: Api) -> dict[str, Any]:
    """Team Red (Ann, Bob) and team Blue (Cat), a deals source."""
    admin.ok(
        "POST",
        "/sources",
        201,
        json={"key": "deals", "name": "Deals", "fields": [{"name": "value", "type": "number"}]},
    )
    red = make_team(admin, "Red", external_id="crm-red")
    blue = make_team(admin, "Blue")
    return {
        "team": red,
        "ann": make_member(admin, "Ann", red, email="ann@example.com"),
        "bob": make_member(admin, "Bob", red, external_id="hr-bob"),
        "cat": make_member(admin, "Cat", blue),
    }


# --- GET /teams/{id}/summary ----------------------------------------------------------------


def test_recent_activity_is_the_last_month_of_records_and_awards_newest_first(
    admin: Api, clock: FixedClock, red_team: dict[str, Any]
) -> None:
    ann, bob, cat = red_team["ann"], red_team["bob"], red_team["cat"]
    kudos = make_achievement(admin, "kudos")
    record(admin, ann, NOW - timedelta(days=2), "d-1")
    record(admin, bob, NOW - timedelta(days=40), "d-old")  # older than a month
    record(admin, cat, NOW - timedelta(hours=1), "d-blue")  # another team
    record(admin, ann, NOW + timedelta(days=1), "d-future")  # has not happened yet
    clock.now = NOW - timedelta(hours=5)
    bob_award = give(admin, bob, kudos)
    clock.now = NOW - timedelta(hours=3)
    give(admin, cat, kudos)
    clock.now = NOW
    record(admin, bob, NOW - timedelta(minutes=30), "d-2", value=5)

    summary = admin.ok("GET", f"/teams/{red_team['team']['id']}/summary")
    assert summary["team"]["id"] == red_team["team"]["id"]
    assert summary["since"] == (NOW - timedelta(days=30)).isoformat()
    activity = summary["recent_activity"]
    assert [(i["type"], i["member"]["name"]) for i in activity] == [
        ("record", "Bob"),
        ("award", "Bob"),
        ("record", "Ann"),
    ]
    assert [datetime.fromisoformat(i["at"]) for i in activity] == [
        NOW - timedelta(minutes=30),
        NOW - timedelta(hours=5),
        NOW - timedelta(days=2),
    ]
    newest, award_item, older = activity
    assert newest["record"] == {
        "id": newest["record"]["id"],
        "source": "deals",
        "source_name": "Deals",
        "external_id": "d-2",
        "data": {"value": 5},
    }
    assert newest["award"] is None
    assert newest["summary"] == "Bob: Deals record d-2"
    assert award_item["award"]["id"] == bob_award["id"]
    assert award_item["award"]["achievement"]["key"] == "kudos"
    assert award_item["award"]["points"] == 10
    assert award_item["member"] == {
        "id": bob["id"],
        "name": "Bob",
        "email": None,
        "external_id": "hr-bob",
    }
    assert award_item["summary"] == "Bob was given Kudos (+10 points)"
    assert older["record"]["external_id"] == "d-1"

    only_awards = admin.ok("GET", f"/teams/{red_team['team']['id']}/summary?kind=awards")
    assert [i["type"] for i in only_awards["recent_activity"]] == ["award"]
    only_records = admin.ok("GET", f"/teams/{red_team['team']['id']}/summary?kind=records")
    assert [i["type"] for i in only_records["recent_activity"]] == ["record", "record"]
    limited = admin.ok("GET", f"/teams/{red_team['team']['id']}/summary?limit=1")
    assert [i["type"] for i in limited["recent_activity"]] == ["record"]
    since = (NOW - timedelta(days=45)).isoformat().replace("+00:00", "Z")
    longer = admin.ok("GET", f"/teams/{red_team['team']['id']}/summary", params={"since": since})
    assert [
        i["record"]["external_id"] for i in longer["recent_activity"] if i["type"] == "record"
    ] == ["d-2", "d-1", "d-old"]


def test_recent_achievements_are_the_five_newest_and_achievements_count_members(
    admin: Api, clock: FixedClock, red_team: dict[str, Any]
) -> None:
    ann, bob, cat = red_team["ann"], red_team["bob"], red_team["cat"]
    kudos = make_achievement(admin, "kudos", icon="star")
    club = make_achievement(admin, "top-club", "membership", "month")
    eom = make_achievement(admin, "employee-of-the-month", "record", "month")
    given = []
    for hours, member, achievement in [
        (80, ann, kudos),
        (70, ann, kudos),
        (60, bob, kudos),
        (50, ann, club),
        (40, bob, club),
        (30, bob, eom),
        (20, cat, kudos),
    ]:
        clock.now = NOW - timedelta(hours=hours)
        given.append(give(admin, member, achievement))
    clock.now = NOW - timedelta(hours=10)
    newest = give(admin, ann, kudos)
    admin.ok("DELETE", f"/awards/{newest['id']}?reason=mistake")  # revoked: not completed
    clock.now = NOW

    summary = admin.ok("GET", f"/teams/{red_team['team']['id']}/summary")
    recent = summary["recent_achievements"]
    assert [r["award"]["id"] for r in recent] == [given[i]["id"] for i in (5, 4, 3, 2, 1)]
    assert recent[0]["achievement"] == {
        "id": eom["id"],
        "key": "employee-of-the-month",
        "name": "Employee Of The Month",
        "icon": None,
        "category": "record",
        "points": 10,
        "badge_url": None,
        "deleted": False,
    }
    assert recent[0]["member"]["name"] == "Bob"
    assert recent[0]["award"]["source"] == "manual"

    by_key = {a["achievement"]["key"]: a for a in summary["achievements"]}
    assert list(by_key) == ["employee-of-the-month", "top-club", "kudos"]  # newest first
    assert (by_key["kudos"]["members"], by_key["kudos"]["awards"]) == (2, 3)
    assert by_key["kudos"]["points"] == 30
    assert by_key["kudos"]["achievement"]["icon"] == "star"
    assert (by_key["top-club"]["members"], by_key["top-club"]["awards"]) == (2, 2)
    assert datetime.fromisoformat(by_key["kudos"]["last_awarded_at"]) == NOW - timedelta(hours=60)
    # The revoked award still shows as activity, marked.
    revoked = [
        i for i in summary["recent_activity"] if i["type"] == "award" and i["award"]["revoked"]
    ]
    assert [i["award"]["id"] for i in revoked] == [newest["id"]]
    assert revoked[0]["summary"].endswith("since revoked")


def test_summary_of_an_empty_team(admin: Api) -> None:
    team = make_team(admin, "Empty")
    summary = admin.ok("GET", f"/teams/{team['id']}/summary")
    assert (
        summary["recent_activity"],
        summary["recent_achievements"],
        summary["achievements"],
    ) == ([], [], [])


def test_deleted_achievements_stay_in_the_summary(admin: Api, red_team: dict[str, Any]) -> None:
    gone = make_achievement(admin, "gone")
    give(admin, red_team["ann"], gone)
    admin.ok("DELETE", f"/achievements/{gone['id']}", 204)
    summary = admin.ok("GET", f"/teams/{red_team['team']['id']}/summary")
    assert summary["achievements"][0]["achievement"]["deleted"] is True
    assert summary["recent_achievements"][0]["achievement"]["key"] == "gone"


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("?kind=badges", 422),
        ("?limit=0", 422),
        ("?limit=501", 422),
        ("?since=2026-11-01T00:00:00", 422),
        ("?bogus=1", 422),
        ("?since=0001-01-01T00:00:00%2B01:00", 422),
    ],
)
def test_summary_refuses_bad_queries(admin: Api, query: str, status: int) -> None:
    team = make_team(admin, "Red")
    response = admin.get(f"/teams/{team['id']}/summary{query}")
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("team_id", ["999", "99999999999999999999", "0", "abc"])
def test_summary_of_unknown_or_malformed_team(admin: Api, team_id: str) -> None:
    response = admin.get(f"/teams/{team_id}/summary")
    assert response.status_code == (404 if team_id == "999" else 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")


# --- GET /reports/completion ----------------------------------------------------------------


@pytest.fixture
def partners(admin: Api) -> dict[str, Any]:
    """Gold and Silver partner companies, and audiences by attribute, role and listing."""
    gold = make_team(admin, "Gold Corp", attributes={"tier": "gold"})
    silver = make_team(admin, "Silver Ltd", attributes={"tier": "silver"})
    people = {
        "g1": make_member(admin, "G1", gold, role="sales_rep"),
        "g2": make_member(admin, "G2", gold, role="partner_admin"),
        "g3": make_member(admin, "G3", gold, role="sales_rep", active=False),
        "s1": make_member(admin, "S1", silver, role="sales_rep"),
        "s2": make_member(admin, "S2", silver, role="partner_admin"),
        "n1": make_member(admin, "N1", role="sales_rep"),
    }
    gold_group = admin.ok(
        "POST",
        "/groups",
        201,
        json={
            "name": "Gold partners",
            "conditions": [{"attribute": "team.attributes.tier", "op": "eq", "value": "GOLD"}],
        },
    )
    admins = admin.ok(
        "POST",
        "/groups",
        201,
        json={
            "name": "Partner admins",
            "conditions": [{"attribute": "member.role", "value": "partner_admin"}],
        },
    )
    listed = admin.ok(
        "POST", "/groups", 201, json={"name": "Listed", "member_ids": [people["s1"]["id"]]}
    )
    by_team = admin.ok("POST", "/groups", 201, json={"name": "Silver", "team_ids": [silver["id"]]})
    achievements = {
        "everyone": make_achievement(admin, "everyone"),
        "gold-only": make_achievement(admin, "gold-only", audience=[gold_group["id"]]),
        "admins": make_achievement(admin, "admins", audience=[admins["id"]]),
        "mixed": make_achievement(admin, "mixed", audience=[gold_group["id"], listed["id"]]),
        "silver-or-admins": make_achievement(
            admin, "silver-or-admins", audience=[by_team["id"], admins["id"]]
        ),
    }
    return {"gold": gold, "silver": silver, **people, **achievements}


def table(report: dict[str, Any]) -> dict[tuple[str, str | None], tuple[int, int, int]]:
    return {
        (r["achievement"]["key"], r["team"]["name"] if r["team"] else None): (
            r["eligible"],
            r["completed"],
            r["awards"],
        )
        for r in report["rows"]
    }


def test_completion_counts_eligible_members_by_audience(
    admin: Api, partners: dict[str, Any]
) -> None:
    report = admin.ok("GET", "/reports/completion")
    assert report["period"] == "none"
    assert (report["period_start"], report["period_end"]) == (None, None)
    assert table(report) == {
        ("everyone", "Gold Corp"): (2, 0, 0),  # G3 is inactive
        ("everyone", "Silver Ltd"): (2, 0, 0),
        ("everyone", None): (1, 0, 0),
        ("gold-only", "Gold Corp"): (2, 0, 0),
        ("admins", "Gold Corp"): (1, 0, 0),
        ("admins", "Silver Ltd"): (1, 0, 0),
        ("mixed", "Gold Corp"): (2, 0, 0),
        ("mixed", "Silver Ltd"): (1, 0, 0),  # S1 is listed by id
        ("silver-or-admins", "Gold Corp"): (1, 0, 0),
        ("silver-or-admins", "Silver Ltd"): (2, 0, 0),  # S2 in both audiences counts once
    }
    first = report["rows"][0]
    assert first["achievement"]["key"] == "everyone"
    assert first["team"] == {"id": partners["gold"]["id"], "name": "Gold Corp", "external_id": None}


def test_eligible_agrees_with_the_engine_audience_of_each_member(
    admin: Api, partners: dict[str, Any], clean_db: Engine
) -> None:
    report = table(admin.ok("GET", "/reports/completion"))
    with Session(clean_db) as session:
        facts = member_facts(session)
        active = {m.id for m in session.query(Member).filter(Member.active.is_(True))}
        for achievement in session.query(Achievement):
            audiences = load_audiences(session, achievement.audience)
            expected: dict[int | None, int] = {}
            for f in facts:
                if f.member_id in active and in_any(audiences, f):
                    expected[f.team_id] = expected.get(f.team_id, 0) + 1
            got = {
                team: counts[0] for (key, team), counts in report.items() if key == achievement.key
            }
            names = {
                partners["gold"]["id"]: "Gold Corp",
                partners["silver"]["id"]: "Silver Ltd",
                None: None,
            }
            assert got == {names[t]: n for t, n in expected.items()}, achievement.key


def test_completion_counts_distinct_members_with_non_revoked_awards(
    admin: Api, partners: dict[str, Any]
) -> None:
    everyone = partners["everyone"]
    give(admin, partners["g1"], everyone)
    give(admin, partners["g1"], everyone)  # an award category: twice, still one member
    give(admin, partners["s1"], everyone)
    revoked = give(admin, partners["s2"], everyone)
    admin.ok("DELETE", f"/awards/{revoked['id']}")
    give(admin, partners["n1"], everyone)
    give(admin, partners["s2"], partners["admins"])
    report = table(admin.ok("GET", "/reports/completion"))
    assert report[("everyone", "Gold Corp")] == (2, 1, 2)
    assert report[("everyone", "Silver Ltd")] == (2, 1, 1)
    assert report[("everyone", None)] == (1, 1, 1)
    assert report[("admins", "Silver Ltd")] == (1, 1, 1)
    assert report[("admins", "Gold Corp")] == (1, 0, 0)


def test_completion_filters_by_achievement_team_and_period(
    admin: Api, clock: FixedClock, partners: dict[str, Any]
) -> None:
    monthly = make_achievement(admin, "monthly-star", "membership", "month")
    give(admin, partners["g1"], monthly, "2026-10-10T12:00:00+00:00")
    give(admin, partners["g2"], monthly, "2026-10-20T12:00:00+00:00")
    give(admin, partners["g1"], monthly)  # November
    give(admin, partners["s1"], partners["everyone"])

    gold = partners["gold"]["id"]
    one = admin.ok("GET", f"/reports/completion?achievement_id={monthly['id']}&team_id={gold}")
    assert table(one) == {("monthly-star", "Gold Corp"): (2, 2, 3)}
    october = admin.ok(
        "GET",
        "/reports/completion",
        params={
            "achievement_id": monthly["id"],
            "period": "month",
            "at": "2026-10-15T00:00:00+00:00",
        },
    )
    assert october["period_start"] == "2026-10-01T00:00:00+00:00"
    assert october["period_end"] == "2026-11-01T00:00:00+00:00"
    assert table(october)[("monthly-star", "Gold Corp")] == (2, 2, 2)
    this_month = admin.ok("GET", f"/reports/completion?achievement_id={monthly['id']}&period=month")
    assert table(this_month)[("monthly-star", "Gold Corp")] == (2, 1, 1)
    # Awards of period `none` belong to the month they were given in.
    everyone_now = table(admin.ok("GET", "/reports/completion?period=month"))
    assert everyone_now[("everyone", "Silver Ltd")] == (2, 1, 1)
    clock.now = datetime(2027, 1, 5, tzinfo=UTC)
    later = table(admin.ok("GET", "/reports/completion?period=month"))
    assert later[("everyone", "Silver Ltd")] == (2, 0, 0)
    silver = table(admin.ok("GET", f"/reports/completion?team_id={partners['silver']['id']}"))
    assert {team for _, team in silver} == {"Silver Ltd"}


def test_completion_leaves_out_deleted_achievements(admin: Api, partners: dict[str, Any]) -> None:
    gone = make_achievement(admin, "gone")
    give(admin, partners["g1"], gone)
    admin.ok("DELETE", f"/achievements/{gone['id']}", 204)
    assert "gone" not in {key for key, _ in table(admin.ok("GET", "/reports/completion"))}
    assert admin.get(f"/reports/completion?achievement_id={gone['id']}").status_code == 404


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("?achievement_id=999", 404),
        ("?team_id=999", 404),
        ("?period=fortnight", 422),
        ("?at=2026-11-01T00:00:00", 422),
        ("?team_id=99999999999999999999", 422),
        ("?achievement_id=x", 422),
        ("?extra=1", 422),
        ("?period=month&at=9999-12-31T23:00:00-05:00", 422),
    ],
)
def test_completion_refuses_bad_queries(admin: Api, query: str, status: int) -> None:
    response = admin.get(f"/reports/completion{query}")
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("path", ["/reports/completion", "/teams/{team}/summary"])
def test_monitoring_is_for_admins_and_managers(
    admin: Api, tokens: dict[str, str], path: str
) -> None:
    team = make_team(admin, "Red")
    url = path.format(team=team["id"])
    assert admin.as_token(tokens["manager"]).get(url).status_code == 200
    for role in ("ingest", "member"):
        assert admin.as_token(tokens[role]).get(url).status_code == 403, role
    assert admin.as_token(None).get(url).status_code == 401


def _allowed_roles(dependant: Any) -> set[frozenset[Role]]:
    found = set()
    for sub in dependant.dependencies:
        if isinstance(sub.call, Allow):
            found.add(sub.call.roles)
        found |= _allowed_roles(sub)
    return found


@pytest.mark.parametrize("router", [monitoring_router, report_router, export_router, bulk_router])
def test_every_new_route_declares_its_roles(router: APIRouter) -> None:
    for route in router.routes:
        assert isinstance(route, APIRoute)
        assert _allowed_roles(route.dependant) == {frozenset(STAFF)}, route.path


def test_streak_and_season_awards_say_how_they_came(
    admin: Api, clock: FixedClock, red_team: dict[str, Any], clean_db: Engine
) -> None:
    clock.now = NOW
    ann, bob = red_team["ann"], red_team["bob"]
    runner, podium = make_achievement(admin, "runner"), make_achievement(admin, "podium")
    for made in (runner, podium):
        admin.ok("POST", f"/achievements/{made['id']}/activate", 200)
    for member, made, origin, by in (
        (ann, runner, AwardOrigin.streak, "streak:1"),
        (bob, podium, AwardOrigin.season, "season:1"),
    ):
        with unit_of_work(build_sessionmaker(clean_db)) as session:
            give_award(
                session,
                member["id"],
                made["id"],
                at=None,
                actor=Principal(name=by, role=Role.admin),
                now=NOW,
                zone=ZoneInfo("UTC"),
                origin=origin,
            )
    summary = admin.ok("GET", f"/teams/{red_team['team']['id']}/summary?kind=awards")
    said = {(i["award"]["source"], i["summary"]) for i in summary["recent_activity"]}
    assert said == {
        ("streak", "Ann kept a streak for Runner (+10 points)"),
        ("season", "Bob won Podium (+10 points)"),
    }
