"""The error contract: application/problem+json with status, title, detail and, for bad input,
an `errors` list naming each bad field. Bad input is never a 500 and never half written."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from tests.conftest import Api
from tests.hypothesis_profiles import examples
from tests.snapshot import WorldCache

HUGE = 2**70
JSON = {"Content-Type": "application/json"}
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
    b'<rect width="100" height="100"/></svg>'
)
LISTS = (
    "/teams",
    "/members",
    "/groups",
    "/achievements",
    "/sources",
    "/awards",
    "/tokens",
    "/audit",
)


def problem(answer: Any, status: int, context: object = None) -> dict[str, Any]:
    assert answer.status_code == status, (context, answer.status_code, answer.text)
    assert answer.headers["content-type"].startswith("application/problem+json"), context
    body: dict[str, Any] = answer.json()
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    return body


def bad_fields(body: dict[str, Any]) -> set[str]:
    return {".".join(str(p) for p in e["loc"]) for e in body["errors"]}


def seed(admin: Api) -> dict[str, Any]:
    team = admin.ok("POST", "/teams", 201, json={"name": "Acme"})
    member = admin.ok("POST", "/members", 201, json={"name": "Ann", "team_id": team["id"]})
    admin.ok(
        "POST",
        "/sources",
        201,
        json={
            "key": "deals",
            "name": "Deals",
            "fields": [{"name": "value", "type": "number"}, {"name": "status", "type": "string"}],
        },
    )
    return {"team": team, "member": member}


def snapshot(admin: Api) -> dict[str, Any]:
    """Everything the API lists (and the records, counted per member): equal before and after
    a refused request means that nothing was half written. Needs `seed`."""
    out = {path: admin.ok("GET", path) for path in LISTS}
    out["records"] = admin.ok("GET", "/leaderboard?period=none&source=deals&aggregate=count")
    return out


WORLDS: WorldCache[tuple[dict[str, Any], dict[str, Any]]] = WorldCache()
"""The seeded data and what the API lists of it: made once per worker and database."""


def _make_world(admin: Api) -> tuple[dict[str, Any], dict[str, Any]]:
    made = seed(admin)
    made["achievement"] = admin.ok(
        "POST",
        "/achievements",
        201,
        json={"key": "kudos", "name": "Kudos", "category": "award", "points": 5},
    )
    admin.ok(
        "POST",
        f"/members/{made['member']['id']}/awards",
        201,
        json={"achievement_id": made["achievement"]["id"]},
    )
    admin.ok(
        "POST",
        "/sources/deals/records",
        200,
        json={
            "external_id": "d1",
            "member_id": made["member"]["id"],
            "occurred_at": "2026-11-18T10:00:00+00:00",
            "data": {"value": 3},
        },
    )
    return made, snapshot(admin)


@pytest.fixture
def world(admin: Api, engine: Engine) -> Iterator[dict[str, Any]]:
    """Seeded data with one of everything, and a check afterwards that the test changed none of
    it: every request of a test using this fixture must be refused without a trace. Made
    through the API once per worker and database, then put back from its snapshot before each
    test (tests/snapshot.py)."""
    made, before = WORLDS.get(engine, lambda: _make_world(admin))
    assert snapshot(admin) == before, "the world was not put back as it was made"
    yield made
    assert snapshot(admin) == before, "a refused request changed data"


def fill(value: Any, ids: dict[str, int]) -> Any:
    """`value` with the placeholders "{m}" (member) and "{a}" (achievement) made real ids."""
    if isinstance(value, str) and value in ids:
        return ids[value]
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    return value


RECORD = {
    "external_id": "x",
    "member_id": "{m}",
    "occurred_at": "2026-11-18T10:00:00+00:00",
    "data": {"value": 1},
}
UNKNOWN: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/teams/999", {}),
    ("PATCH", "/teams/999", {"json": {"name": "x"}}),
    ("GET", "/teams/999/summary", {}),
    ("GET", "/members/999", {}),
    ("PATCH", "/members/999", {"json": {"name": "x"}}),
    ("PATCH", "/members/{m}", {"json": {"team_id": 999}}),
    ("POST", "/members", {"json": {"name": "New", "team_id": 999}}),
    ("GET", "/members/999/achievements", {}),
    ("GET", "/members/999/achievements/{a}/explain", {}),
    ("GET", "/members/{m}/achievements/999/explain", {}),
    ("POST", "/members/999/awards", {"json": {"achievement_id": "{a}"}}),
    ("POST", "/members/{m}/awards", {"json": {"achievement_id": 999}}),
    ("GET", "/groups/999", {}),
    ("PATCH", "/groups/999", {"json": {"name": "x"}}),
    ("DELETE", "/groups/999", {}),
    ("GET", "/groups/999/members", {}),
    ("GET", "/achievements/999", {}),
    ("PATCH", "/achievements/999", {"json": {"name": "x"}}),
    ("DELETE", "/achievements/999", {}),
    ("POST", "/achievements/999/activate", {}),
    ("POST", "/achievements/999/deactivate", {}),
    ("POST", "/achievements/999/preview", {}),
    ("GET", "/achievements/999/versions", {}),
    ("GET", "/achievements/999/badge", {}),
    ("GET", "/achievements/{a}/badge", {}),  # an achievement without a badge
    (
        "PUT",
        "/achievements/999/badge",
        {"content": SVG, "headers": {"Content-Type": "image/svg+xml"}},
    ),
    (
        "POST",
        "/achievements/999/awards/bulk",
        {"content": b"member_id\n1\n", "headers": {"Content-Type": "text/csv"}},
    ),
    ("GET", "/awards/999", {}),
    ("DELETE", "/awards/999", {}),
    ("GET", "/sources/nope", {}),
    ("POST", "/sources/nope/fields", {"json": {"fields": [{"name": "a", "type": "number"}]}}),
    ("POST", "/sources/nope/records", {"json": RECORD}),
    ("DELETE", "/sources/nope/records/d1", {}),
    ("DELETE", "/sources/deals/records/nope", {}),
    ("DELETE", "/tokens/999", {}),
    ("POST", "/tokens", {"json": {"name": "t", "role": "member", "member_id": 999}}),
    ("GET", "/leaderboard?team_id=999", {}),
    ("GET", "/leaderboard?board=999", {}),
    ("GET", "/leaderboard/boards/999", {}),
    ("PATCH", "/leaderboard/boards/999", {"json": {"name": "x"}}),
    ("DELETE", "/leaderboard/boards/999", {}),
]


def test_unknown_ids_of_every_kind_are_404(admin: Api, world: dict[str, Any]) -> None:
    ids = {"{m}": world["member"]["id"], "{a}": world["achievement"]["id"]}
    for method, path, kwargs in UNKNOWN:
        url = path.replace("{m}", str(ids["{m}"])).replace("{a}", str(ids["{a}"]))
        body = problem(admin.request(method, url, **fill(kwargs, ids)), 404)
        # The resource is unknown, not the path: a typo in a route would be "no such path".
        assert body.get("code", "").endswith("not_found"), (method, path, body)


@pytest.mark.parametrize(
    "path",
    [
        f"/teams/{HUGE}",
        f"/members/{HUGE}",
        f"/awards/{HUGE}",
        f"/achievements/{HUGE}",
        f"/groups/{HUGE}",
        f"/members/{HUGE}/achievements",
        f"/teams/{-HUGE}",
        f"/members/1/achievements/{HUGE}/explain",
        f"/members?team_id={HUGE}",
        f"/leaderboard?team_id={HUGE}",
        f"/leaderboard?board={HUGE}",
        f"/leaderboard/boards/{HUGE}",
        f"/awards?limit={HUGE}",
        f"/audit?limit={HUGE}",
    ],
)
def test_ids_beyond_what_a_database_holds_are_422(admin: Api, path: str) -> None:
    problem(admin.get(path), 422)


@pytest.mark.parametrize(
    ("path", "named"),
    [
        ("/teams/{t}.0", "path.team_id"),
        ("/teams/1_{t}", "path.team_id"),
        ("/members/{m}.0/achievements", "path.member_id"),
        ("/achievements/{a}e0", "path.achievement_id"),
        ("/members?team_id={t}.0", "query.team_id"),
    ],
)
def test_ids_are_whole_numbers_as_written(
    admin: Api, world: dict[str, Any], path: str, named: str
) -> None:
    """Lax parsing would read "1.0" and "1_0" as ids (team 1, team 10): refused, naming them."""
    ids = {"{t}": world["team"]["id"], "{m}": world["member"]["id"]}
    ids["{a}"] = world["achievement"]["id"]
    for placeholder, value in ids.items():
        path = path.replace(placeholder, str(value))
    body = problem(admin.get(path), 422, path)
    assert bad_fields(body) == {named}
    assert body["errors"][0]["message"].startswith("must be a whole number"), body


@pytest.mark.parametrize(
    ("path", "sent", "named"),
    [
        ("/teams", {}, {"body.name"}),
        (
            "/teams",
            {"name": 5, "attributes": [1], "external_id": {}},
            {"body.name", "body.attributes", "body.external_id"},
        ),
        (
            "/members",
            {"name": 5, "team_id": "x", "email": 3},
            {"body.name", "body.team_id", "body.email"},
        ),
        (
            "/achievements",
            {"points": "many"},
            {"body.key", "body.name", "body.category", "body.points"},
        ),
        (
            "/achievements",
            {
                "key": "Not A Key",
                "name": "",
                "category": "trophy",
                "period": "decade",
                "repeatable": "often",
                "audience": ["x"],
            },
            {
                "body.key",
                "body.name",
                "body.category",
                "body.period",
                "body.repeatable",
                "body.audience.0",
            },
        ),
        (
            "/sources",
            {"key": "k", "name": "K", "fields": [{"name": "a", "type": "blob"}, {}]},
            {"body.fields.0.type", "body.fields.1.name", "body.fields.1.type"},
        ),
        (
            "/groups",
            {"name": "G", "team_ids": "all", "conditions": [{"attribute": "x"}]},
            {"body.team_ids", "body.conditions.0.attribute"},
        ),
        ("/tokens", {"name": "t", "role": "overlord"}, {"body.role"}),
        (
            "/sources/deals/records",
            {"member_id": "me", "occurred_at": 5, "data": []},
            {"records.0.member_id", "records.0.occurred_at", "records.0.data"},
        ),
        (
            "/sources/deals/records",
            {
                "records": [
                    {"member_id": "{m}"},
                    {"member_id": "{m}", "occurred_at": "2026-11-18T10:00:00+00:00", "bogus": 1},
                ]
            },
            {"records.0.occurred_at", "records.1.bogus"},
        ),
    ],
)
def test_missing_fields_and_wrong_types_are_named(
    admin: Api, world: dict[str, Any], path: str, sent: dict[str, Any], named: set[str]
) -> None:
    body = problem(admin.post(path, json=fill(sent, {"{m}": world["member"]["id"]})), 422)
    assert bad_fields(body) >= named, body
    assert all(e["message"] for e in body["errors"])


def test_patch_with_wrong_types_names_the_fields(admin: Api, world: dict[str, Any]) -> None:
    aid, mid = world["achievement"]["id"], world["member"]["id"]
    body = problem(admin.patch(f"/achievements/{aid}", json={"points": -1, "unknown": 1}), 422)
    assert bad_fields(body) >= {"body.points", "body.unknown"}
    body = problem(admin.patch(f"/members/{mid}", json={"active": "maybe"}), 422)
    assert bad_fields(body) >= {"body.active"}


LAX_VALUES = [
    # (method, path, body with one wrong-typed value, the field it names)
    ("POST", "/sources/deals/records", {"member_id": True}, "records.0.member_id"),
    ("POST", "/sources/deals/records", {"member_id": "{m}s"}, "records.0.member_id"),
    ("POST", "/sources/deals/records", {"member_id": 1.0}, "records.0.member_id"),
    ("POST", "/members", {"name": "Bo", "team_id": True}, "body.team_id"),
    ("POST", "/members", {"name": "Bo", "active": 0}, "body.active"),
    ("PATCH", "/members/{m}", {"active": "true"}, "body.active"),
    ("POST", "/groups", {"name": "G", "team_ids": ["1"]}, "body.team_ids.0"),
    ("POST", "/achievements", {"key": "k", "name": "K", "points": "3"}, "body.points"),
    ("PATCH", "/achievements/{a}", {"points": 2.0}, "body.points"),
    ("PATCH", "/achievements/{a}", {"show_next_to_name": 1}, "body.show_next_to_name"),
    ("PATCH", "/achievements/{a}", {"repeatable": "yes"}, "body.repeatable"),
    ("PATCH", "/achievements/{a}", {"audience": [True]}, "body.audience.0"),
    ("POST", "/members/{m}/awards", {"achievement_id": "{a}s"}, "body.achievement_id"),
    ("POST", "/tokens", {"name": "t", "role": "member", "member_id": "{m}s"}, "body.member_id"),
    ("POST", "/notifications/test", {"member_id": True}, "body.member_id"),
    (
        "POST",
        "/notifications",
        {
            "name": "n",
            "trigger": {"type": "formula", "formula": "count(deals)", "threshold": "5"},
            "action": {"type": "webhook", "url": "https://example.org/hook"},
        },
        "body.trigger.formula.threshold",
    ),
]


@pytest.mark.parametrize(("method", "path", "sent", "named"), LAX_VALUES)
def test_json_bodies_take_json_numbers_and_flags_only(
    admin: Api, world: dict[str, Any], method: str, path: str, sent: dict[str, Any], named: str
) -> None:
    """`true` is not the id 1, "3" is not 3 and 0 is not false: each is refused, naming the
    field, where pydantic's lax mode would take it. ("{m}s" is the member id as a string.)"""
    ids = {"{m}": world["member"]["id"], "{a}": world["achievement"]["id"]}
    as_text = {"{m}s": str(ids["{m}"]), "{a}s": str(ids["{a}"])}
    body = {k: as_text.get(v, v) if isinstance(v, str) else v for k, v in sent.items()}
    if path.endswith("/records"):
        body |= {"occurred_at": "2026-11-18T10:00:00+00:00"}
    for placeholder, value in ids.items():
        path = path.replace(placeholder, str(value))
    answer = problem(admin.request(method, path, json=body), 422, sent)
    assert named in bad_fields(answer), answer


@pytest.mark.parametrize(
    "raw",
    [
        b'{"name": ',
        b'{"name": "x",}',
        b"{'name': 'x'}",
        b"\xff\xfe",
        b'{"name": "x"} trailing',
        b"nul\x00l",
    ],
)
def test_malformed_json_is_400(admin: Api, world: dict[str, Any], raw: bytes) -> None:
    for path in ("/teams", "/sources/deals/records"):
        body = problem(admin.post(path, content=raw, headers=JSON), 400)
        assert body["code"] == "malformed_json"


@pytest.mark.parametrize(
    "raw", [b"[1, 2]", b'"a team"', b"null", b"42", b"true", b"[]", b'[{"name": "x"}]']
)
def test_a_body_that_is_not_an_object_is_422(admin: Api, world: dict[str, Any], raw: bytes) -> None:
    body = problem(admin.post("/teams", content=raw, headers=JSON), 422)
    assert bad_fields(body) == {"body"}
    problem(admin.post("/sources/deals/records", content=raw, headers=JSON), 422)


def test_an_empty_or_non_json_body_is_refused(admin: Api, world: dict[str, Any]) -> None:
    body = problem(admin.post("/teams", content=b"", headers=JSON), 422)
    assert bad_fields(body) == {"body"}
    for media_type in ("text/plain", "application/x-www-form-urlencoded"):
        problem(
            admin.post("/teams", content=b'{"name": "x"}', headers={"Content-Type": media_type}),
            422,
        )


@pytest.mark.parametrize("number", [b"NaN", b"Infinity", b"-Infinity", b"1e999"])
def test_nan_and_infinity_are_refused_everywhere(
    admin: Api, world: dict[str, Any], number: bytes
) -> None:
    """Python's JSON parser admits them; no database stores them the same way (SQLite made them
    null, PostgreSQL refused): 422 naming the field, on every database."""
    m = str(world["member"]["id"]).encode()
    rule = b'[[{"source": "deals", "aggregate": "sum", "field": "value", "operator": "at_least"'
    cases = [
        ("/teams", b'{"name": "T", "attributes": {"tier": %s}}', "body.attributes"),
        ("/members", b'{"name": "M", "attributes": {"score": [1, %s]}}', "body.attributes"),
        (
            "/achievements",
            b'{"key": "n", "name": "N", "category": "award", "points": %s}',
            "body.points",
        ),
        (
            "/achievements",
            b'{"key": "n", "name": "N", "category": "award", "requirements": '
            + rule
            + b', "value": %s}]]}',
            "body.requirements.0.0.value",
        ),
        (
            "/groups",
            b'{"name": "G", "conditions": [{"attribute": "team.attributes.tier", '
            b'"op": "eq", "value": %s}]}',
            "body.conditions.0.value",
        ),
        (
            "/sources/deals/records",
            b'{"member_id": ' + m + b', "occurred_at": '
            b'"2026-11-18T10:00:00+00:00", "data": {"value": %s}}',
            "records.0.data",
        ),
        (
            "/sources/deals/records",
            b'{"member_id": ' + m + b', "occurred_at": '
            b'"2026-11-18T10:00:00+00:00", "data": {"status": %s}}',
            "records.0.data",
        ),
    ]
    for path, template, field in cases:
        body = problem(admin.post(path, content=template % number, headers=JSON), 422)
        assert any(f.startswith(field) for f in bad_fields(body)), (path, body)


def test_deeply_nested_json_is_refused_not_a_crash(admin: Api, world: dict[str, Any]) -> None:
    m = world["member"]["id"]
    for depth in (50_000, 2_000):  # deeper than the parser goes
        nested = "[" * depth + "]" * depth
        raw = (
            f'{{"member_id": {m}, "occurred_at": "2026-11-18T10:00:00+00:00", '
            f'"data": {{"status": {nested}}}}}'
        )
        problem(admin.post("/sources/deals/records", content=raw.encode(), headers=JSON), 400)
    for depth in (100, 300, 600):  # parsed, but too deep to store and answer
        nested = "[" * depth + "]" * depth
        raw = f'{{"name": "Deep", "attributes": {{"x": {nested}}}}}'
        body = problem(admin.post("/teams", content=raw.encode(), headers=JSON), 422)
        assert bad_fields(body) == {"body.attributes"}
        assert "nested" in body["detail"]


def test_moderately_nested_attributes_round_trip(admin: Api) -> None:
    value: Any = {"leaf": ["x", 1.5, None, True]}
    for _ in range(30):
        value = {"in": [value]}
    team = admin.ok("POST", "/teams", 201, json={"name": "Nested", "attributes": {"x": value}})
    assert admin.ok("GET", f"/teams/{team['id']}")["attributes"] == {"x": value}


def test_oversized_body_is_413(admin: Api, world: dict[str, Any]) -> None:
    big = b'{"name": "' + b"x" * (6 * 1024 * 1024) + b'"}'
    body = problem(admin.post("/teams", content=big, headers=JSON), 413)
    assert "limit" in body["detail"]


def test_oversized_chunked_body_without_a_length_is_413(admin: Api, world: dict[str, Any]) -> None:
    """No Content-Length to refuse up front: the bytes are counted as they arrive."""

    def chunks() -> Iterator[bytes]:
        yield b'{"name": "'
        for _ in range(700):
            yield b"x" * 10_000
        yield b'"}'

    answer = admin.post("/teams", content=chunks(), headers=JSON)
    assert "content-length" not in answer.request.headers
    problem(answer, 413)


def test_too_many_records_in_a_batch_is_413(admin: Api, world: dict[str, Any]) -> None:
    record = {
        "member_id": world["member"]["id"],
        "occurred_at": "2026-11-18T10:00:00+00:00",
        "data": {"value": 1},
    }
    body = problem(admin.post("/sources/deals/records", json={"records": [record] * 5001}), 413)
    assert "5000" in body["detail"]


def test_badges_have_their_own_larger_limit(admin: Api, world: dict[str, Any]) -> None:
    aid = world["achievement"]["id"]
    png = {"Content-Type": "image/png"}
    # Above the JSON limit, below the badge limit: read, and refused for what it is.
    problem(
        admin.put(f"/achievements/{aid}/badge", content=b"x" * (6 * 1024 * 1024), headers=png), 422
    )
    problem(
        admin.put(f"/achievements/{aid}/badge", content=b"x" * (31 * 1024 * 1024), headers=png), 413
    )


def test_badge_of_the_wrong_type_is_415(admin: Api, world: dict[str, Any]) -> None:
    aid = world["achievement"]["id"]
    for media_type in (
        "image/gif",
        "text/plain",
        "application/json",
        "",
        "image/jpeg",
        "image/svg",
    ):
        headers = {"Content-Type": media_type} if media_type else {}
        answer = admin.put(f"/achievements/{aid}/badge", content=SVG, headers=headers)
        assert "image/png" in problem(answer, 415, media_type)["detail"]
    problem(admin.get(f"/achievements/{aid}/badge"), 404)  # still no badge


BAD_TIMES: list[Any] = [
    "yesterday",
    "2026-11-18T10:00:00",
    "2026-13-01T00:00:00Z",
    "9999-12-31T23:59:59-05:00",
    "0001-01-01T00:00:00+01:00",
    "2026-11-18T10:00:00+25:00",
    "2026-11-18T10:00:00+01:60",
    "2026-11-18T10:00:00 Europe/Paris",
    "2026-11-18T10:00:00[Europe/Nowhere]",
    "2026-11-18",
    "",
    1763460000,
    1.5e9,
    "20261118",
    True,
    [],
    {},
]


def test_bad_times_are_422(admin: Api, world: dict[str, Any]) -> None:
    """A time without an offset (or with an impossible one), outside the years periods can be
    computed for, or a bare number (which would be read as seconds since 1970) is refused."""
    for at in BAD_TIMES:
        body = problem(
            admin.post(
                f"/members/{world['member']['id']}/awards",
                json={"achievement_id": world["achievement"]["id"], "at": at},
            ),
            422,
            at,
        )
        assert bad_fields(body) == {"body.at"}, at
        record = {"member_id": world["member"]["id"], "occurred_at": at, "data": {"value": 1}}
        body = problem(admin.post("/sources/deals/records", json=record), 422, at)
        assert bad_fields(body) == {"records.0.occurred_at"}, at


def test_a_time_with_an_offset_is_accepted_and_kept(admin: Api) -> None:
    made = seed(admin)
    aid = admin.ok(
        "POST",
        "/achievements",
        201,
        json={"key": "weekly", "name": "W", "category": "award", "points": 1, "period": "week"},
    )["id"]
    # Sunday evening in New York is Monday in the organisation's zone (UTC): Monday's week.
    award = admin.ok(
        "POST",
        f"/members/{made['member']['id']}/awards",
        201,
        json={"achievement_id": aid, "at": "2026-11-08T23:30:00-05:00"},
    )
    assert award["period_start"] == "2026-11-09T00:00:00+00:00"


BAD_QUERIES = [
    "/awards?member_id=abc",
    "/awards?active=perhaps",
    f"/awards?member_id={HUGE}",
    "/awards?member_id=1.5",
    "/awards?source=robot",
    "/awards?limit=0",
    "/awards?limit=abc",
    "/awards?offset=-1",
    "/awards?awarded_after=2026",
    "/awards?awarded_before=soon",
    "/awards?bogus=1",
    "/awards?limit=1.0",
    "/audit?before_id=%2B0.0",
    "/members?team_id=1_000",
    "/leaderboard?period=fortnight",
    "/leaderboard?at=soon",
    "/leaderboard?at=2026-11-18T10:00:00",
    "/leaderboard?at=1700000000",
    "/leaderboard?limit=0",
    "/leaderboard?aggregate=median&source=deals",
    "/leaderboard?aggregate=sum&source=deals",
    "/leaderboard?source=deals&field=nope",
    "/leaderboard?source=de%00als",
    "/members?team_id=abc",
    "/achievements?active=perhaps",
    "/exports/awards.csv?member_id=abc",
    "/exports/awards.csv?bom=perhaps",
    "/audit?limit=abc",
    "/members/{m}/achievements/{a}/explain?at=soon",
]


def test_bad_query_parameters_are_422(admin: Api, world: dict[str, Any]) -> None:
    for query in BAD_QUERIES:
        url = query.replace("{m}", str(world["member"]["id"]))
        problem(admin.get(url.replace("{a}", str(world["achievement"]["id"]))), 422, query)


def test_paging_the_awards_works(admin: Api, world: dict[str, Any]) -> None:
    assert len(admin.ok("GET", "/awards?limit=1&offset=0")) == 1
    assert admin.ok("GET", "/awards?limit=1&offset=1") == []
    member_id = world["member"]["id"]
    assert len(admin.ok("GET", f"/awards?member_id={member_id}&limit=5")) == 1


@pytest.mark.parametrize(
    ("path", "sent"),
    [
        ("/members", {"name": "Bob", "team_id": HUGE}),
        ("/members/{m}/awards", {"achievement_id": HUGE}),
        ("/members/{m}/awards", {"achievement_id": -HUGE}),
        ("/groups", {"name": "G", "member_ids": [HUGE]}),
        ("/groups", {"name": "G", "team_ids": [2**63]}),
        ("/achievements", {"key": "big", "name": "Big", "category": "award", "points": HUGE}),
        ("/achievements", {"key": "big", "name": "Big", "category": "award", "audience": [HUGE]}),
        ("/tokens", {"name": "t", "role": "member", "member_id": HUGE}),
        ("/sources/deals/records", {"member_id": HUGE, "occurred_at": "2026-11-18T10:00:00Z"}),
        (
            "/sources/deals/records",
            {"member_id": "{m}", "occurred_at": "2026-11-18T10:00:00Z", "data": {"value": 10**400}},
        ),
        (
            "/sources/deals/records",
            {
                "member_id": "{m}",
                "occurred_at": "2026-11-18T10:00:00Z",
                "data": {"value": -(2**53) - 1},
            },
        ),
        (
            "/sources/deals/records",
            {"member_id": "{m}", "occurred_at": "2026-11-18T10:00:00Z", "data": {"value": 1e308}},
        ),
    ],
)
def test_huge_numbers_in_bodies_are_422(
    admin: Api, world: dict[str, Any], path: str, sent: dict[str, Any]
) -> None:
    ids = {"{m}": world["member"]["id"]}
    problem(admin.post(path.replace("{m}", str(ids["{m}"])), json=fill(sent, ids)), 422)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/teams", "GET, POST"),
        ("DELETE", "/leaderboard", "GET"),
        ("PATCH", "/health", "GET"),
        ("DELETE", "/members/1", "GET, PATCH"),
        ("POST", "/awards/1", "DELETE, GET"),
        ("PURGE", "/achievements", "GET, POST"),
        ("OPTIONS", "/tokens", "GET, POST"),
        ("PUT", "/teams/1", "GET, PATCH"),
        ("PUT", "/groups/1", "DELETE, GET, PATCH"),
        ("GET", "/sources/deals/records/d1", "DELETE"),
    ],
)
def test_unknown_method_is_405_problem(
    admin: Api, world: dict[str, Any], method: str, path: str, allowed: str
) -> None:
    answer = admin.request(method, path, json={"name": "x"})
    problem(answer, 405)
    # Every method of the path, although each is a route of its own (Starlette alone names
    # those of the first route it tried: GET for /members/1, without PATCH).
    assert answer.headers["allow"] == allowed


def test_the_openapi_document_declares_the_problem_answers(admin: Api) -> None:
    """FastAPI would document a 422 of its own shape, which this API never sends, and no
    other error: every operation declares its errors as problems instead."""
    document = admin.client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert set(schemas["Problem"]["required"]) == {"type", "status", "title", "detail"}
    assert schemas["Problem"]["properties"]["errors"]["items"] == {
        "$ref": "#/components/schemas/FieldProblem"
    }
    answer = {"schema": {"$ref": "#/components/schemas/Problem"}}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status in ("422", "4XX", "503"):
                content = operation["responses"][status]["content"]
                assert content == {"application/problem+json": answer}, (method, path, status)
    body = problem(admin.post("/teams", json={"name": 5}), 422)
    assert set(schemas["Problem"]["required"]) <= set(body)
    assert set(schemas["FieldProblem"]["required"]) <= set(body["errors"][0])


def test_conflicts_are_409_with_a_way_out(admin: Api) -> None:
    seed(admin)
    aid = admin.ok(
        "POST",
        "/achievements",
        201,
        json={"key": "k", "name": "K", "category": "award", "points": 1},
    )["id"]
    admin.ok("POST", f"/achievements/{aid}/activate")
    before = snapshot(admin)
    for answer in (
        admin.patch(f"/achievements/{aid}", json={"points": 2}),
        admin.delete(f"/achievements/{aid}"),
    ):
        assert "deactivate" in problem(answer, 409)["detail"].lower()
    assert snapshot(admin) == before
    # The way out the answer names works.
    admin.ok("POST", f"/achievements/{aid}/deactivate")
    assert admin.ok("PATCH", f"/achievements/{aid}", json={"points": 2})["points"] == 2
    admin.ok("DELETE", f"/achievements/{aid}", 204)


def test_duplicate_keys_are_409_naming_the_field(admin: Api) -> None:
    member_id = seed(admin)["member"]["id"]
    admin.ok(
        "POST", "/achievements", 201, json={"key": "kudos", "name": "Kudos", "category": "award"}
    )
    admin.ok("POST", "/teams", 201, json={"name": "T", "external_id": "t-1"})
    admin.ok(
        "POST", "/members", 201, json={"name": "M", "external_id": "m-1", "email": "m@example.org"}
    )
    before = snapshot(admin)
    for path, method, sent, field in [
        ("/sources", "POST", {"key": "deals", "name": "Again", "fields": []}, "key"),
        ("/achievements", "POST", {"key": "kudos", "name": "Again", "category": "award"}, "key"),
        ("/teams", "POST", {"name": "Other", "external_id": "t-1"}, "external_id"),
        ("/members", "POST", {"name": "Other", "external_id": "m-1"}, "external_id"),
        ("/members", "POST", {"name": "Other", "email": "m@example.org"}, "email"),
        (f"/members/{member_id}", "PATCH", {"external_id": "m-1"}, "external_id"),
    ]:
        body = problem(admin.request(method, path, json=sent), 409)
        assert bad_fields(body) == {field}, (path, body)
    assert snapshot(admin) == before


def test_a_second_record_holder_is_409(admin: Api) -> None:
    made = seed(admin)
    other = admin.ok("POST", "/members", 201, json={"name": "Bo"})
    aid = admin.ok(
        "POST",
        "/achievements",
        201,
        json={
            "key": "eotm",
            "name": "Employee of the month",
            "category": "record",
            "points": 10,
            "period": "month",
        },
    )["id"]
    admin.ok("POST", f"/members/{made['member']['id']}/awards", 201, json={"achievement_id": aid})
    before = snapshot(admin)
    problem(admin.post(f"/members/{other['id']}/awards", json={"achievement_id": aid}), 409)
    assert snapshot(admin) == before


def test_a_batch_with_one_bad_record_writes_nothing(admin: Api, world: dict[str, Any]) -> None:
    good = {
        "external_id": "a",
        "member_id": world["member"]["id"],
        "occurred_at": "2026-11-18T10:00:00+00:00",
        "data": {"value": 1},
    }
    bad = {**good, "external_id": "b", "data": {"value": "lots"}}
    nul = {**good, "external_id": "c", "data": {"status": "ok\u0000"}}
    body = problem(admin.post("/sources/deals/records", json={"records": [good, bad, nul]}), 422)
    assert bad_fields(body) == {"records.1.data.value", "records.2.data"}, body
    assert "record 1" in body["detail"] and "nothing was written" in body["detail"]
    problem(admin.delete("/sources/deals/records/a"), 404)


@pytest.mark.parametrize(
    "name",
    [
        "Zoë Ünal 🏆 \u202e 東京",
        "e\u0301 (combining)",
        "👩\u200d👩\u200d👧 family",
        "\U0001d54f" * 200,
        "\ufeffBOM",
        "tab\tand\nnewline",
        "\U0010fffd plane 16",
        "ﷺ Arabic ligature",
    ],
)
def test_unicode_names_round_trip(admin: Api, name: str) -> None:
    team = admin.ok("POST", "/teams", 201, json={"name": name})
    assert admin.ok("GET", f"/teams/{team['id']}")["name"] == name.strip()
    member = admin.ok("POST", "/members", 201, json={"name": name, "attributes": {name: name}})
    assert admin.ok("GET", f"/members/{member['id']}")["attributes"] == {name: name}


def test_names_that_cannot_be_stored_are_422_on_every_database(
    admin: Api, world: dict[str, Any]
) -> None:
    """PostgreSQL refuses NUL in text; an unpaired surrogate is not Unicode at all. SQLite
    would take both: refused up front, so that every database answers alike."""
    for path, raw, field in [
        ("/teams", b'{"name": "a\\u0000b"}', "body.name"),
        ("/teams", b'{"name": "a\\ud800b"}', "body.name"),
        ("/teams", b'{"name": "T", "attributes": {"k": "\\udc00"}}', "body.attributes"),
        ("/teams", b'{"name": "T", "attributes": {"k\\u0000": 1}}', "body.attributes"),
        ("/members", b'{"name": "M", "external_id": "x\\u0000"}', "body.external_id"),
        (
            "/groups",
            b'{"name": "G", "conditions": [{"attribute": "team.name", "op": "eq", '
            b'"value": "\\u0000"}]}',
            "body.conditions",
        ),
        (
            "/sources/deals/records",
            b'{"external_id": "r\\u0000", "member_id": 1, "occurred_at": "2026-11-18T10:00:00Z"}',
            "records.0.external_id",
        ),
    ]:
        body = problem(admin.post(path, content=raw, headers=JSON), 422)
        assert any(f.startswith(field) for f in bad_fields(body)), (path, body)
    problem(admin.post("/teams", json={"name": "\U0001d54f" * 201}), 422)  # characters, not bytes
    problem(admin.post("/teams", json={"name": " \u3000\n "}), 422)  # only white space


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**80), 2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = [
    "name",
    "key",
    "category",
    "points",
    "team_id",
    "member_id",
    "occurred_at",
    "data",
    "records",
    "requirements",
    "fields",
    "conditions",
    "period",
    "effective",
    "email",
    "external_id",
    "attributes",
    "role",
    "audience",
    "repeatable",
]


def assert_handled(answer: Any, context: object) -> None:
    """Bad input is a 4xx problem, never a crash; good input may well be accepted."""
    assert answer.status_code < 500, (context, answer.text)
    if answer.status_code >= 400:
        assert answer.headers["content-type"].startswith("application/problem+json"), context
        assert answer.json()["status"] == answer.status_code, context


@pytest.mark.parametrize(
    "path",
    [
        "/teams",
        "/members",
        "/groups",
        "/achievements",
        "/sources",
        "/sources/deals/records",
        "/tokens",
        "/groups/preview",
        "/members/{m}/awards",
    ],
)
def test_random_bodies_never_crash(admin: Api, path: str) -> None:
    url = path.replace("{m}", str(seed(admin)["member"]["id"]))

    @settings(
        max_examples=examples(40),
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(body=st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6) | json_values)
    def post(body: Any) -> None:
        assert_handled(admin.post(url, json=body), (url, body))

    post()


@pytest.mark.parametrize("path", ["/teams/{t}", "/members/{m}", "/achievements/{a}"])
def test_random_patches_never_crash(admin: Api, path: str) -> None:
    made = seed(admin)
    aid = admin.ok(
        "POST", "/achievements", 201, json={"key": "k", "name": "K", "category": "award"}
    )["id"]
    url = path.format(t=made["team"]["id"], m=made["member"]["id"], a=aid)

    @settings(
        max_examples=examples(30),
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(body=st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=4))
    def patch(body: Any) -> None:
        assert_handled(admin.patch(url, json=body), (url, body))

    patch()


def test_random_bytes_never_crash(admin: Api) -> None:
    seed(admin)

    @settings(
        max_examples=examples(40),
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(
        raw=st.binary(max_size=64) | st.text(max_size=64).map(str.encode),
        path=st.sampled_from(["/teams", "/sources/deals/records", "/achievements"]),
        media_type=st.sampled_from(["application/json", "text/plain", ""]),
    )
    def post(raw: bytes, path: str, media_type: str) -> None:
        headers = {"Content-Type": media_type} if media_type else {}
        assert_handled(admin.post(path, content=raw, headers=headers), (path, raw, media_type))

    post()
