"""Levels over the API: the ladder's CRUD, a member's level and the reached events."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, select

from plaudit.clock import FixedClock
from plaudit.models import LevelReached
from tests.conftest import Api


def make_member(admin: Api, name: str = "Ann") -> dict[str, Any]:
    return admin.ok("POST", "/members", 201, json={"name": name})


def make_kudos(admin: Api, points: int, key: str = "kudos", period: str = "none") -> dict[str, Any]:
    body = {"key": key, "name": key.title(), "category": "award", "points": points}
    body["period"] = period
    return admin.ok("POST", "/achievements", 201, json=body)


def give(admin: Api, member_id: int, achievement_id: int, **extra: Any) -> dict[str, Any]:
    body = {"achievement_id": achievement_id, **extra}
    return admin.ok("POST", f"/members/{member_id}/awards", 201, json=body)


def reached(engine: Engine) -> list[tuple[int, int, str, int]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                LevelReached.member_id,
                LevelReached.level_id,
                LevelReached.scope_key,
                LevelReached.points,
            ).order_by(LevelReached.id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_level_crud(admin: Api) -> None:
    silver = admin.ok("POST", "/levels", 201, json={"name": "Silver", "points": 2000})
    bronze = admin.ok("POST", "/levels", 201, json={"name": "Bronze", "points": 500})
    assert (bronze["name"], bronze["points"], bronze["scope"]) == ("Bronze", 500, "all_time")
    assert [lv["name"] for lv in admin.ok("GET", "/levels")] == ["Bronze", "Silver"]
    assert admin.ok("GET", f"/levels/{silver['id']}") == silver
    changed = admin.ok("PATCH", f"/levels/{silver['id']}", json={"scope": "year", "points": 300})
    assert (changed["scope"], changed["points"]) == ("year", 300)
    assert [lv["name"] for lv in admin.ok("GET", "/levels")] == ["Silver", "Bronze"]
    clash = admin.patch(f"/levels/{silver['id']}", json={"name": "Bronze"})
    assert clash.status_code == 409
    assert clash.json()["code"] == "duplicate_level_name"
    admin.ok("DELETE", f"/levels/{silver['id']}", 204)
    assert admin.get(f"/levels/{silver['id']}").status_code == 404
    assert [lv["name"] for lv in admin.ok("GET", "/levels")] == ["Bronze"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "", "points": 5}, "name"),
        ({"name": "X", "points": 0}, "points"),
        ({"name": "X", "points": "5"}, "points"),
        ({"name": "X", "points": 5, "scope": "month"}, "scope"),
        ({"points": 5}, "name"),
    ],
)
def test_bad_level_is_a_422_naming_the_field(admin: Api, body: dict[str, Any], field: str) -> None:
    response = admin.post("/levels", json=body)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [f"body.{field}"]
    assert admin.ok("GET", "/levels") == []


def test_member_level_and_points_to_next(admin: Api) -> None:
    ann = make_member(admin)
    bronze = admin.ok("POST", "/levels", 201, json={"name": "Bronze", "points": 500})
    silver = admin.ok("POST", "/levels", 201, json={"name": "Silver", "points": 2000})
    kudos = make_kudos(admin, 300)
    start = admin.ok("GET", f"/members/{ann['id']}/level")
    assert start["level"] is None
    assert (start["points"], start["next_level"]["id"], start["points_to_next"]) == (
        0,
        bronze["id"],
        500,
    )
    give(admin, ann["id"], kudos["id"])
    give(admin, ann["id"], kudos["id"])
    now = admin.ok("GET", f"/members/{ann['id']}/level")
    assert now["level"] == bronze
    assert (now["points"], now["next_level"], now["points_to_next"]) == (600, silver, 1400)
    assert admin.get("/members/999/level").status_code == 404


def test_reaching_a_level_is_written_once_and_stays_after_a_revocation(
    admin: Api, clean_db: Engine
) -> None:
    ann, bob = make_member(admin), make_member(admin, "Bob")
    bronze = admin.ok("POST", "/levels", 201, json={"name": "Bronze", "points": 500})
    kudos = make_kudos(admin, 300)
    first = give(admin, ann["id"], kudos["id"])
    assert reached(clean_db) == []
    give(admin, ann["id"], kudos["id"])
    assert reached(clean_db) == [(ann["id"], bronze["id"], "all", 600)]
    admin.ok("DELETE", f"/awards/{first['id']}", json={"reason": "mistake"})
    after = admin.ok("GET", f"/members/{ann['id']}/level")
    assert (after["level"], after["points"]) == (None, 300)
    give(admin, ann["id"], kudos["id"])  # back over the threshold: no second event
    give(admin, bob["id"], kudos["id"])
    assert reached(clean_db) == [(ann["id"], bronze["id"], "all", 600)]


def test_a_new_level_is_reached_at_once_by_members_past_it(admin: Api, clean_db: Engine) -> None:
    ann, bob = make_member(admin), make_member(admin, "Bob")
    kudos = make_kudos(admin, 300)
    give(admin, ann["id"], kudos["id"])
    give(admin, bob["id"], kudos["id"])
    give(admin, bob["id"], kudos["id"])
    bronze = admin.ok("POST", "/levels", 201, json={"name": "Bronze", "points": 500})
    assert reached(clean_db) == [(bob["id"], bronze["id"], "all", 600)]
    admin.ok("PATCH", f"/levels/{bronze['id']}", json={"points": 300})
    assert sorted(reached(clean_db)) == [
        (ann["id"], bronze["id"], "all", 300),
        (bob["id"], bronze["id"], "all", 600),
    ]


def test_a_yearly_level_counts_this_years_points(
    admin: Api, clean_db: Engine, clock: FixedClock
) -> None:
    ann = make_member(admin)
    yearly = admin.ok(
        "POST", "/levels", 201, json={"name": "Star of the year", "points": 500, "scope": "year"}
    )
    kudos = make_kudos(admin, 300, period="month")
    give(admin, ann["id"], kudos["id"], at="2025-06-01T10:00:00Z")  # for a month of last year
    give(admin, ann["id"], kudos["id"])
    mine = admin.ok("GET", f"/members/{ann['id']}/level")
    assert (mine["level"], mine["points"], mine["points_this_year"]) == (None, 600, 300)
    assert mine["points_to_next"] == 200
    give(admin, ann["id"], kudos["id"])
    assert admin.ok("GET", f"/members/{ann['id']}/level")["level"] == yearly
    assert reached(clean_db) == [(ann["id"], yearly["id"], "2026", 600)]


def test_rule_awards_reach_levels_too(admin: Api, clean_db: Engine) -> None:
    ann = make_member(admin)
    admin.ok("POST", "/sources", 201, json={"key": "deals", "name": "Deals", "fields": []})
    body = {
        "key": "closer",
        "name": "Closer",
        "category": "award",
        "points": 500,
        "repeatable": True,
        "requirements": [
            [{"source": "deals", "aggregate": "count", "operator": "at_least", "value": 1}]
        ],
    }
    closer = admin.ok("POST", "/achievements", 201, json=body)
    admin.ok("POST", f"/achievements/{closer['id']}/activate")
    gold = admin.ok("POST", "/levels", 201, json={"name": "Gold", "points": 1000})
    records = [
        {
            "member_id": ann["id"],
            "occurred_at": "2026-11-18T10:00:00Z",
            "external_id": f"d{i}",
            "data": {},
        }
        for i in range(2)
    ]
    admin.ok("POST", "/sources/deals/records", json={"records": records})
    assert reached(clean_db) == [(ann["id"], gold["id"], "all", 1000)]


def test_only_admins_change_levels_and_members_see_only_their_own(
    admin: Api, tokens: dict[str, str]
) -> None:
    other = make_member(admin, "Other")
    manager = admin.as_token(tokens["manager"])
    member = admin.as_token(tokens["member"])
    assert manager.post("/levels", json={"name": "X", "points": 5}).status_code == 403
    assert member.get("/levels").status_code == 200
    assert member.get(f"/members/{tokens['member_id']}/level").status_code == 200
    assert member.get(f"/members/{other['id']}/level").status_code == 403
    assert manager.get(f"/members/{other['id']}/level").status_code == 200


def test_leaderboard_rows_and_portal_show_the_level(admin: Api, tokens: dict[str, str]) -> None:
    ann, bob = make_member(admin), make_member(admin, "Bob")
    kudos = make_kudos(admin, 300)
    give(admin, ann["id"], kudos["id"])
    give(admin, ann["id"], kudos["id"])
    give(admin, bob["id"], kudos["id"])
    assert admin.ok("GET", f"/members/{ann['id']}/achievements")["level"] is None  # no ladder
    bronze = admin.ok("POST", "/levels", 201, json={"name": "Bronze", "points": 500})
    rows = admin.ok("GET", "/leaderboard?period=year")["rows"]
    by_name = {r["member"]["name"]: r["level"] for r in rows}
    assert by_name["Ann"] == {"id": bronze["id"], "name": "Bronze"}
    assert by_name["Bob"] is None
    assert by_name["Token Holder"] is None
    portal = admin.ok("GET", f"/members/{bob['id']}/achievements")
    assert portal["level"]["level"] is None
    assert (portal["level"]["next_level"]["name"], portal["level"]["points_to_next"]) == (
        "Bronze",
        200,
    )
