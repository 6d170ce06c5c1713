"""The whole matrix of roles against every API route.

EXPECTED is the specification (PRODUCT.md, "Who may do what"), written out by hand: admin does
everything; manager runs achievements, notifications, groups, giving and revoking, monitoring
and export (and reads teams, members and sources to do so); ingest only writes records; member
sees their own member, portal page and explanations, the badges shown there, and the
leaderboard (points and published boards: tests/api/test_boards.py). The routes and their
role checks are read from the application itself (`app.routes`, each route's dependency
tree), so a route added without an entry here, or without an `Allow` role check, fails these
tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest
from sqlalchemy import Engine

from plaudit.app import API_PREFIX
from plaudit.http.deps import Allow
from tests.api import routes
from tests.conftest import Api, role_tokens
from tests.snapshot import WorldCache

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
    "DELETE /achievements/{achievement_id}/badge": STAFF,
    "GET /achievements/{achievement_id}/background": {A, M, ME},
    "PUT /achievements/{achievement_id}/background": STAFF,
    "DELETE /achievements/{achievement_id}/background": STAFF,
    "POST /achievements/{achievement_id}/deactivate": STAFF,
    "POST /achievements/{achievement_id}/preview": STAFF,
    "GET /achievements/{achievement_id}/versions": STAFF,
    "GET /audit": {A},
    "GET /calendar": {A, M, ME},
    "PUT /calendar": {A},
    "POST /calendar/holidays": {A},
    "DELETE /calendar/holidays/{day}": {A},
    "GET /streaks": STAFF,
    "POST /streaks": {A},
    "GET /streaks/{streak_id}": STAFF,
    "PATCH /streaks/{streak_id}": {A},
    "DELETE /streaks/{streak_id}": {A},
    "GET /members/{member_id}/streaks": {A, M, ME},
    "GET /awards": STAFF,
    "DELETE /awards/{award_id}": STAFF,
    "GET /awards/{award_id}": STAFF,
    "POST /awards/{award_id}/publish": {A, M, ME},
    "DELETE /awards/{award_id}/publish": {A, M, ME},
    "GET /issuer": {A},
    "PUT /issuer": {A},
    "POST /deliveries/{delivery_id}/retry": STAFF,
    "POST /embeds": {A, M, ME},
    "GET /exports/awards.csv": STAFF,
    "GET /groups": STAFF,
    "POST /groups": STAFF,
    "POST /groups/preview": STAFF,
    "DELETE /groups/{group_id}": STAFF,
    "GET /groups/{group_id}": STAFF,
    "PATCH /groups/{group_id}": STAFF,
    "GET /groups/{group_id}/members": STAFF,
    "GET /leaderboard": {A, M, ME},
    "GET /leaderboard/boards": {A, M, ME},
    "POST /leaderboard/boards": STAFF,
    "DELETE /leaderboard/boards/{board_id}": STAFF,
    "GET /leaderboard/boards/{board_id}": {A, M, ME},
    "PATCH /leaderboard/boards/{board_id}": STAFF,
    "GET /leaderboard/seasons": {A, M, ME},
    "GET /levels": {A, M, ME},
    "POST /levels": {A},
    "DELETE /levels/{level_id}": {A},
    "GET /levels/{level_id}": {A, M, ME},
    "PATCH /levels/{level_id}": {A},
    "GET /tv/playlists": STAFF,
    "POST /tv/playlists": STAFF,
    "DELETE /tv/playlists/{playlist_id}": STAFF,
    "GET /tv/playlists/{playlist_id}": STAFF,
    "PATCH /tv/playlists/{playlist_id}": STAFF,
    "POST /tv/playlists/{playlist_id}/link": STAFF,
    "DELETE /tv/playlists/{playlist_id}/link": STAFF,
    "GET /members": STAFF,
    "POST /members": {A},
    "GET /members/{member_id}": {A, M, ME},
    "PATCH /members/{member_id}": {A},
    "GET /members/{member_id}/achievements": {A, M, ME},
    "GET /members/{member_id}/achievements/{achievement_id}/explain": {A, M, ME},
    "GET /members/{member_id}/level": {A, M, ME},
    "POST /members/{member_id}/awards": STAFF,
    "GET /notifications": STAFF,
    "POST /notifications": STAFF,
    "POST /notifications/test": STAFF,
    "DELETE /notifications/{notification_id}": STAFF,
    "GET /notifications/{notification_id}": STAFF,
    "PATCH /notifications/{notification_id}": STAFF,
    "POST /notifications/{notification_id}/activate": STAFF,
    "POST /notifications/{notification_id}/deactivate": STAFF,
    "GET /notifications/{notification_id}/deliveries": STAFF,
    "GET /notifications/{notification_id}/firings": STAFF,
    "POST /notifications/{notification_id}/test": STAFF,
    "GET /reports/completion": STAFF,
    "GET /sources": STAFF,
    "POST /sources": {A},
    "GET /sources/{key}": STAFF,
    "PATCH /sources/{key}": {A},
    "GET /sources/{key}/values": STAFF,
    "POST /sources/{key}/fields": {A},
    "POST /sources/{key}/records": {A, I},
    "DELETE /sources/{key}/records/{external_id}": {A, I},
    "GET /intake/dead-letters": STAFF,
    "POST /intake/dead-letters/{letter_id}/retry": STAFF,
    "POST /issuer/keys/rotate": {A},
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
    "GET /users/{user_id}": {A},
    "PATCH /users/{user_id}": {A},
}
PUBLIC = {"GET /health", "GET /ready"}
MEMBER_OWN = {
    "GET /members/{member_id}",
    "GET /members/{member_id}/achievements",
    "GET /members/{member_id}/achievements/{achievement_id}/explain",
    "GET /members/{member_id}/streaks",
    "GET /members/{member_id}/level",
}
MEMBER_OWN_AWARD = {"POST /awards/{award_id}/publish", "DELETE /awards/{award_id}/publish"}
"""Routes a member may call on their own award only: the member token calls them on one."""


BADGE = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
    b'<rect width="100" height="100" fill="gold"/></svg>'
)


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
    achievement = admin.ok(
        "POST",
        "/achievements",
        201,
        json={"key": "kudos", "name": "Kudos", "category": "award", "points": 5},
    )
    award = admin.ok(
        "POST", f"/members/{other['id']}/awards", 201, json={"achievement_id": achievement["id"]}
    )
    own_award = admin.ok(
        "POST",
        f"/members/{tokens['member_id']}/awards",
        201,
        json={"achievement_id": achievement["id"]},
    )
    group = admin.ok("POST", "/groups", 201, json={"name": "All of Acme", "team_ids": [team["id"]]})
    spare = admin.ok("POST", "/tokens", 201, json={"name": "spare", "role": "ingest"})
    user = admin.ok(
        "POST",
        "/users",
        201,
        json={"username": "lin", "password": "long enough", "role": "manager"},
    )
    hook = admin.ok(
        "POST",
        "/notifications",
        201,
        json={
            "name": "Deal in",
            "trigger": {"type": "record", "source": "deals"},
            "action": {"type": "webhook", "url": "https://hooks.invalid/hook"},
        },
    )
    admin.ok(
        "PUT",
        f"/achievements/{achievement['id']}/badge",
        content=BADGE,
        headers={"Content-Type": "image/svg+xml"},
    )
    admin.ok(
        "PUT",
        f"/achievements/{achievement['id']}/background",
        content=BADGE,
        headers={"Content-Type": "image/svg+xml"},
    )
    admin.ok(
        "POST",
        "/sources/deals/records",
        200,
        json={
            "external_id": "x1",
            "member_id": other["id"],
            "occurred_at": "2026-11-18T10:00:00+00:00",
            "data": {"value": 1},
        },
    )
    board = admin.ok(
        "POST",
        "/leaderboard/boards",
        201,
        json={"name": "Deals", "measure": {"source": "deals"}, "published": True},
    )
    admin.ok("POST", "/calendar/holidays", 201, json={"date": "2026-12-25", "name": "Christmas"})
    streak = admin.ok(
        "POST",
        "/streaks",
        201,
        json={
            "name": "Daily deal",
            "rule": {"source": "deals", "aggregate": "count", "operator": "at_least", "value": 1},
            "period": "day",
            "target": 3,
        },
    )
    return World(
        {
            "achievement_id": str(achievement["id"]),
            "streak_id": str(streak["id"]),
            "day": "2026-12-25",
            "board_id": str(board["id"]),
            "playlist_id": str(
                admin.ok(
                    "POST",
                    "/tv/playlists",
                    201,
                    json={"name": "Wall", "items": [{"board_id": board["id"]}]},
                )["id"]
            ),
            "award_id": str(award["id"]),
            "own_award_id": str(own_award["id"]),
            "group_id": str(group["id"]),
            "level_id": str(
                admin.ok("POST", "/levels", 201, json={"name": "Bronze", "points": 5})["id"]
            ),
            "member_id": str(other["id"]),
            "team_id": str(team["id"]),
            "token_id": str(spare["id"]),
            "user_id": str(user["id"]),
            "notification_id": str(hook["id"]),
            "delivery_id": str(admin.ok("GET", f"/notifications/{hook['id']}/deliveries")[0]["id"]),
            "key": "deals",
            "external_id": "x1",
            # No dead letter exists: the retry answers 404 to those allowed to ask.
            "letter_id": "1",
        }
    )


QUERIES = {
    "GET /sources/{key}/values": {"field": "value"},
    "GET /leaderboard/seasons": {"period": "month"},
}
"""Query parameters a route cannot answer without."""


def call(api: Api, route: str, url: str) -> Any:
    method, _ = route.split(" ", 1)
    body: dict[str, Any] = {"json": {}} if method in ("POST", "PATCH", "PUT") else {}
    return api.request(method, url, params=QUERIES.get(route), **body)


def role_checks(dependant: Any) -> list[frozenset[str]]:
    """The roles of every `Allow` anywhere in a route's dependency tree (router-level,
    decorator-level or a parameter's, at any depth)."""
    found: list[frozenset[str]] = []
    stack = [dependant]
    while stack:
        dep = stack.pop()
        if isinstance(dep.call, Allow):
            found.append(frozenset(role.value for role in dep.call.roles))
        stack.extend(dep.dependencies)
    return found


@cache
def api_routes() -> dict[str, tuple[frozenset[str], ...]]:
    """`METHOD /path` (relative to the base path) -> the role checks, for every API route."""
    out: dict[str, tuple[frozenset[str], ...]] = {}
    for path, methods, route in routes.api_routes():
        dependant = getattr(route, "dependant", None)
        checks = tuple(role_checks(dependant)) if dependant is not None else ()
        for method in sorted(methods):
            out[f"{method} {path}"] = checks
    return out


def test_every_api_route_but_health_has_a_role_check() -> None:
    routes = api_routes()
    assert len(routes) > len(PUBLIC), "no API routes found: the route walk is broken"
    unguarded = {key for key, checks in routes.items() if not checks}
    assert unguarded == PUBLIC, f"API routes without an Allow role check: {unguarded - PUBLIC}"
    assert all(all(roles for roles in checks) for checks in routes.values())


def test_the_table_covers_every_route_and_matches_the_code() -> None:
    routes = api_routes()
    missing, gone = set(routes) - set(EXPECTED) - PUBLIC, set(EXPECTED) - set(routes)
    assert not missing and not gone, f"not in EXPECTED: {missing}; no such route: {gone}"
    for key, roles in EXPECTED.items():
        admitted = frozenset.intersection(*routes[key])  # every check must pass
        assert admitted == frozenset(roles), (key, sorted(admitted), sorted(roles))


def test_health_needs_no_token(client: Any) -> None:
    answer = client.get(API_PREFIX + "/health")
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "ok"


def assert_problem(answer: Any, status: int, context: object) -> None:
    assert answer.status_code == status, (context, answer.status_code, answer.text)
    assert answer.headers["content-type"].startswith("application/problem+json"), context
    assert answer.json()["status"] == status, context


WORLDS: WorldCache[tuple[dict[str, str], World]] = WorldCache()
"""The tokens and the world, made through the API once per worker and database."""


@pytest.fixture
def matrix(admin: Api, engine: Engine) -> tuple[dict[str, str], World]:
    """A token of every role and one of each thing a route can name: built once, then put
    back from its snapshot before each test (so an allowed write of the test before is gone)."""

    def build() -> tuple[dict[str, str], World]:
        tokens = role_tokens(admin)
        return tokens, make_world(admin, tokens)

    return WORLDS.get(engine, build)


@pytest.mark.parametrize("route", sorted(EXPECTED))
def test_every_role_against_the_route(
    admin: Api, matrix: tuple[dict[str, str], World], route: str
) -> None:
    tokens, world = matrix
    method, path = route.split(" ", 1)
    allowed = EXPECTED[route]
    for token in (None, "not-a-real-token"):
        answer = call(admin.as_token(token), route, world.url(path))
        assert_problem(answer, 401, (route, token))
        assert answer.headers["www-authenticate"] == "Bearer"
    # Refused roles first: a refusal must change nothing, so the allowed calls after it still
    # find the world as it was made.
    for role in sorted(ROLES, key=lambda r: r in allowed):
        own = tokens["member_id"] if role == "member" and route in MEMBER_OWN else None
        url = world.url(path, own)
        if role == "member" and route in MEMBER_OWN_AWARD:
            url = path.format(**{**world.ids, "award_id": world.ids["own_award_id"]})
        answer = call(admin.as_token(tokens[role]), route, url)
        if role not in allowed:
            assert_problem(answer, 403, (route, role))
        elif method == "GET":  # real ids: every allowed read succeeds
            assert answer.status_code == 200, (route, role, answer.text)
        else:  # an empty body may be refused as input, but never for who is asking
            assert answer.status_code not in (401, 403), (route, role, answer.text)
            assert answer.status_code < 500, (route, role, answer.text)


@pytest.mark.parametrize(
    "header",
    [
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer ",
        "Token test-admin-token",
        "test-admin-token",
        "Bearer test-admin-token-but-longer",
        "Bearer TEST-ADMIN-TOKEN",
    ],
)
def test_malformed_or_wrong_authorization_is_401(client: Any, header: str) -> None:
    answer = client.get(API_PREFIX + "/achievements", headers={"Authorization": header})
    assert_problem(answer, 401, header)
    assert (
        client.get(
            API_PREFIX + "/achievements", headers={"Authorization": "bearer test-admin-token"}
        ).status_code
        == 200
    )


@pytest.mark.parametrize("route", sorted(MEMBER_OWN))
def test_a_member_never_sees_another_member(
    admin: Api, matrix: tuple[dict[str, str], World], route: str
) -> None:
    tokens, world = matrix
    _, path = route.split(" ", 1)
    member = admin.as_token(tokens["member"])
    answer = member.get(world.url(path))  # world's member is not the token's member
    assert_problem(answer, 403, route)
    assert "Other" not in answer.text
    # An unknown member is refused the same way: no probing for which ids exist.
    assert_problem(member.get(world.url(path, "999999")), 403, route)
    assert member.get(world.url(path, tokens["member_id"])).status_code == 200
    assert admin.get(world.url(path)).status_code == 200  # the staff see it


def test_a_revoked_token_stops_working(admin: Api) -> None:
    made = admin.ok("POST", "/tokens", 201, json={"name": "short-lived", "role": "manager"})
    manager = admin.as_token(made["token"])
    assert manager.get("/achievements").status_code == 200
    assert admin.ok("DELETE", f"/tokens/{made['id']}")["revoked_at"] is not None
    assert manager.get("/achievements").status_code == 401
