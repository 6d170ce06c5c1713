"""The error contract: application/problem+json with status, title, detail and, for bad input,
an `errors` list naming each bad field. Bad input is never a 500 and never half written."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Api

HUGE = 2**70


def problem(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
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
    admin.ok("POST", "/sources", 201, json={
        "key": "deals", "name": "Deals",
        "fields": [{"name": "value", "type": "number"}, {"name": "status", "type": "string"}]})
    return {"team": team, "member": member}


@pytest.mark.parametrize("path", [
    "/teams/999", "/members/999", "/groups/999", "/achievements/999", "/awards/999",
    "/sources/nope", "/members/999/achievements", "/achievements/999/versions",
    f"/teams/{HUGE}", f"/members/{HUGE}", f"/awards/{HUGE}", f"/achievements/{HUGE}",
])
def test_unknown_ids_are_404(admin: Api, path: str) -> None:
    body = problem(admin.get(path), 404) if "999" in path else None
    if body is None:  # a huge id is unknown, or out of range: either way a clear 4xx
        answer = admin.get(path)
        assert answer.status_code in (404, 422), answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")


def test_missing_fields_and_wrong_types_are_named(admin: Api) -> None:
    body = problem(admin.post("/teams", json={}), 422)
    assert any(f.endswith("name") for f in bad_fields(body))
    body = problem(admin.post("/members", json={"name": 5, "team_id": "x"}), 422)
    fields = bad_fields(body)
    assert any(f.endswith("name") for f in fields) and any(f.endswith("team_id") for f in fields)
    assert admin.ok("GET", "/members") == []


def test_malformed_and_non_object_json(admin: Api) -> None:
    problem(admin.post("/teams", content=b'{"name": ', headers={"Content-Type":
                                                               "application/json"}), 400)
    answer = admin.post("/teams", json=[1, 2])
    assert answer.status_code in (400, 422)
    problem(answer, answer.status_code)
    answer = admin.post("/teams", content=b'{"name": NaN}',
                        headers={"Content-Type": "application/json"})
    assert answer.status_code in (400, 422)
    assert admin.ok("GET", "/teams") == []


def test_deeply_nested_json_is_refused_not_a_crash(admin: Api) -> None:
    seed(admin)
    nested = "[" * 50_000 + "]" * 50_000
    raw = ('{"member_id": 1, "occurred_at": "2026-11-18T10:00:00+00:00", "data": {"x": '
           + nested + "}}")
    answer = admin.post("/sources/deals/records", content=raw.encode(),
                        headers={"Content-Type": "application/json"})
    assert 400 <= answer.status_code < 500, answer.text
    problem(answer, answer.status_code)


def test_oversized_body_is_413(admin: Api) -> None:
    big = b'{"name": "' + b"x" * (6 * 1024 * 1024) + b'"}'
    problem(admin.post("/teams", content=big, headers={"Content-Type": "application/json"}), 413)
    assert admin.ok("GET", "/teams") == []


def test_badge_of_the_wrong_type_is_415(admin: Api) -> None:
    aid = admin.ok("POST", "/achievements", 201,
                   json={"key": "k", "name": "K", "category": "award", "points": 1})["id"]
    problem(admin.put(f"/achievements/{aid}/badge", content=b"GIF89a",
                      headers={"Content-Type": "image/gif"}), 415)


@pytest.mark.parametrize("at", ["yesterday", "2026-11-18T10:00:00", "2026-13-01T00:00:00Z",
                                "9999-12-31T23:59:59-05:00"])
def test_bad_times_are_422(admin: Api, at: str) -> None:
    world = seed(admin)
    aid = admin.ok("POST", "/achievements", 201,
                   json={"key": "k", "name": "K", "category": "award", "points": 1})["id"]
    body = problem(admin.post(f"/members/{world['member']['id']}/awards",
                              json={"achievement_id": aid, "at": at}), 422)
    assert any(f.endswith("at") for f in bad_fields(body))
    assert admin.ok("GET", "/awards") == []


@pytest.mark.parametrize("query", ["/awards?member_id=abc", "/awards?active=perhaps",
                                   "/leaderboard?period=fortnight", "/leaderboard?at=soon",
                                   f"/awards?member_id={HUGE}"])
def test_bad_query_parameters_are_422(admin: Api, query: str) -> None:
    problem(admin.get(query), 422)


def test_huge_ids_in_bodies_are_4xx(admin: Api) -> None:
    world = seed(admin)
    answer = admin.post("/members", json={"name": "Bob", "team_id": HUGE})
    assert 400 <= answer.status_code < 500, answer.text
    answer = admin.post(f"/members/{world['member']['id']}/awards", json={"achievement_id": HUGE})
    assert 400 <= answer.status_code < 500, answer.text
    assert [m["name"] for m in admin.ok("GET", "/members")] == ["Ann"]


def test_unknown_method_is_405_problem(admin: Api) -> None:
    problem(admin.put("/teams", json={"name": "x"}), 405)


def test_conflicts_are_409_with_a_way_out(admin: Api) -> None:
    seed(admin)
    problem(admin.post("/sources", json={"key": "deals", "name": "Again", "fields": []}), 409)
    aid = admin.ok("POST", "/achievements", 201,
                   json={"key": "k", "name": "K", "category": "award", "points": 1})["id"]
    admin.ok("POST", f"/achievements/{aid}/activate")
    for answer in (admin.patch(f"/achievements/{aid}", json={"points": 2}),
                   admin.delete(f"/achievements/{aid}")):
        assert "deactivate" in problem(answer, 409)["detail"].lower()
    assert admin.ok("GET", f"/achievements/{aid}")["points"] == 1


def test_a_batch_with_one_bad_record_writes_nothing(admin: Api) -> None:
    world = seed(admin)
    good = {"external_id": "a", "member_id": world["member"]["id"],
            "occurred_at": "2026-11-18T10:00:00+00:00", "data": {"value": 1}}
    bad = {**good, "external_id": "b", "data": {"value": "lots"}}
    body = problem(admin.post("/sources/deals/records", json={"records": [good, bad]}), 422)
    assert any("1" in f and "value" in f for f in bad_fields(body)), body
    assert admin.delete("/sources/deals/records/a").status_code == 404


def test_unicode_names_round_trip(admin: Api) -> None:
    name = "Zoë Ünal 🏆 ‮ 東京"
    team = admin.ok("POST", "/teams", 201, json={"name": name})
    assert admin.ok("GET", f"/teams/{team['id']}")["name"] == name


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**80), 2**80)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                 max_size=4),
    max_leaves=12,
)
FIELDS = ["name", "key", "category", "points", "team_id", "member_id", "occurred_at", "data",
          "records", "requirements", "fields", "conditions", "period", "effective", "email",
          "external_id", "attributes", "role", "audience", "repeatable"]


@pytest.mark.parametrize("path", ["/teams", "/members", "/groups", "/achievements", "/sources",
                                  "/sources/deals/records", "/tokens"])
def test_random_bodies_never_crash(admin: Api, path: str) -> None:
    seed(admin)

    @settings(max_examples=40, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(body=st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6) | json_values)
    def post(body: Any) -> None:
        answer = admin.post(path, json=body)
        assert answer.status_code < 500, (path, body, answer.text)

    post()
