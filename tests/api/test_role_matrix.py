"""The whole matrix of roles against every API route.

EXPECTED is the specification (PRODUCT.md, "Who may do what"), written out by hand: admin does
everything; manager runs achievements, groups, giving and revoking, monitoring and export;
ingest only writes records; member sees their own portal page and the leaderboard. A route
added without an entry here, or without a role check, fails these tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import Api
from tests.test_docs import api_routes

ROLES = ("admin", "manager", "ingest", "member")
A, M, I, ME = "admin", "manager", "ingest", "member"  # noqa: E741
STAFF = {A, M}

EXPECTED: dict[str, set[str]] = {
    "GET /achievements": STAFF,
    "POST /achievements": STAFF,
    "DELETE /achievements/{achievement_id}": STAFF,
    "GET /achievements/{achievement_id}": STAFF,
    "PATCH /achievements/{achievement_id}": STAFF,
    "POST /achievements/{achievement_id}/activate": STAFF,
    "POST /achievements/{achievement_id}/awards/bulk": STAFF,
    "GET /achievements/{achievement_id}/badge": {A, M, ME},
    "PUT /achievements/{achievement_id}/badge": STAFF,
    "POST /achievements/{achievement_id}/deactivate": STAFF,
    "POST /achievements/{achievement_id}/preview": STAFF,
    "GET /achievements/{achievement_id}/versions": STAFF,
    "GET /audit": {A},
    "GET /awards": STAFF,
    "DELETE /awards/{award_id}": STAFF,
    "GET /awards/{award_id}": STAFF,
    "GET /exports/awards.csv": STAFF,
    "GET /groups": STAFF,
    "POST /groups": STAFF,
    "POST /groups/preview": STAFF,
    "DELETE /groups/{group_id}": STAFF,
    "GET /groups/{group_id}": STAFF,
    "PATCH /groups/{group_id}": STAFF,
    "GET /groups/{group_id}/members": STAFF,
    "GET /leaderboard": {A, M, ME},
    "GET /members": STAFF,
    "POST /members": {A},
    "GET /members/{member_id}": {A, M, ME},
    "PATCH /members/{member_id}": {A},
    "GET /members/{member_id}/achievements": {A, M, ME},
    "GET /members/{member_id}/achievements/{achievement_id}/explain": {A, M, ME},
    "POST /members/{member_id}/awards": STAFF,
    "GET /reports/completion": STAFF,
    "GET /sources": STAFF,
    "POST /sources": {A},
    "GET /sources/{key}": STAFF,
    "POST /sources/{key}/fields": {A},
    "POST /sources/{key}/records": {A, I},
    "DELETE /sources/{key}/records/{external_id}": {A, I},
    "GET /teams": STAFF,
    "POST /teams": {A},
    "GET /teams/{team_id}": STAFF,
    "PATCH /teams/{team_id}": {A},
    "GET /teams/{team_id}/summary": STAFF,
    "GET /tokens": {A},
    "POST /tokens": {A},
    "DELETE /tokens/{token_id}": {A},
    "GET /users": {A},
    "POST /users": {A},
}
PUBLIC = {"GET /health"}
MEMBER_OWN = {
    "GET /members/{member_id}",
    "GET /members/{member_id}/achievements",
    "GET /members/{member_id}/achievements/{achievement_id}/explain",
}


@dataclass
class World:
    ids: dict[str, str]

    def url(self, path: str, member_id: str | None = None) -> str:
        values = dict(self.ids)
        if member_id is not None:
            values["member_id"] = member_id
        return path.format(**values)


def make_world(admin: Api, tokens: dict[str, str]) -> World:
    team = admin.ok("POST", "/teams", 201, json={"name": "Acme"})
    other = admin.ok("POST", "/members", 201, json={"name": "Other", "team_id": team["id"]})
    fields = [{"name": "value", "type": "number"}]
    admin.ok("POST", "/sources", 201, json={"key": "deals", "name": "Deals", "fields": fields})
    achievement = admin.ok("POST", "/achievements", 201,
                           json={"key": "kudos", "name": "Kudos", "category": "award",
                                 "points": 5})
    award = admin.ok("POST", f"/members/{other['id']}/awards", 201,
                     json={"achievement_id": achievement["id"]})
    group = admin.ok("POST", "/groups", 201, json={"name": "All of Acme",
                                                   "team_ids": [team["id"]]})
    spare = admin.ok("POST", "/tokens", 201, json={"name": "spare", "role": "ingest"})
    admin.ok("POST", "/sources/deals/records", 200,
             json={"external_id": "x1", "member_id": other["id"],
                   "occurred_at": "2026-11-18T10:00:00+00:00", "data": {"value": 1}})
    return World({
        "achievement_id": str(achievement["id"]),
        "award_id": str(award["id"]),
        "group_id": str(group["id"]),
        "member_id": str(other["id"]),
        "team_id": str(team["id"]),
        "token_id": str(spare["id"]),
        "key": "deals",
        "external_id": "x1",
    })


def call(api: Api, route: str, url: str) -> Any:
    method, _ = route.split(" ", 1)
    body: dict[str, Any] = {"json": {}} if method in ("POST", "PATCH", "PUT") else {}
    return api.request(method, url, **body)


def test_the_table_covers_every_route_and_matches_the_code() -> None:
    found = {r.key: r.roles for r in api_routes()}
    assert set(found) == set(EXPECTED) | PUBLIC, "a route is missing from EXPECTED (or gone)"
    for key, roles in EXPECTED.items():
        assert found[key] == frozenset(roles), key


def test_only_health_answers_without_a_role_check() -> None:
    unguarded = {r.key for r in api_routes() if r.roles is None}
    assert unguarded == PUBLIC


@pytest.mark.parametrize("route", sorted(EXPECTED))
def test_every_role_against_the_route(admin: Api, tokens: dict[str, str], route: str) -> None:
    world = make_world(admin, tokens)
    _, path = route.split(" ", 1)
    allowed = EXPECTED[route]
    for token in (None, "not-a-real-token"):
        answer = call(admin.as_token(token), route, world.url(path))
        assert answer.status_code == 401, (route, token, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
    for role in ROLES:
        own = tokens["member_id"] if role == "member" and route in MEMBER_OWN else None
        answer = call(admin.as_token(tokens[role]), route, world.url(path, own))
        if role in allowed:
            assert answer.status_code not in (401, 403), (route, role, answer.text)
            assert answer.status_code < 500, (route, role, answer.text)
        else:
            assert answer.status_code == 403, (route, role, answer.text)
            assert answer.json()["status"] == 403


@pytest.mark.parametrize("route", sorted(MEMBER_OWN))
def test_a_member_never_sees_another_member(
    admin: Api, tokens: dict[str, str], route: str
) -> None:
    world = make_world(admin, tokens)
    _, path = route.split(" ", 1)
    member = admin.as_token(tokens["member"])
    answer = member.get(world.url(path))  # world's member is not the token's member
    assert answer.status_code in (403, 404), (route, answer.text)
    assert "Other" not in answer.text
    assert member.get(world.url(path, tokens["member_id"])).status_code == 200


def test_a_revoked_token_stops_working(admin: Api) -> None:
    made = admin.ok("POST", "/tokens", 201, json={"name": "short-lived", "role": "manager"})
    manager = admin.as_token(made["token"])
    assert manager.get("/achievements").status_code == 200
    assert admin.ok("DELETE", f"/tokens/{made['id']}")["revoked_at"] is not None
    assert manager.get("/achievements").status_code == 401
