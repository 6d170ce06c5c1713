"""Contract gaps of issue 17: every 422 names where the input is bad, ids beyond what a
database stores are 422s naming the parameter, and a method no route of a literal path has is
a 405 with that path's `Allow`, even where a parameterised path would match it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api


def located(answer: Any, loc: list[Any]) -> None:
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert loc in [e["loc"] for e in answer.json()["errors"]], answer.json()


@pytest.mark.parametrize("ident", ["0", "-1", "9223372036854775808", "99999999999999999999"])
@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/teams/{}", "team_id"),
        ("/members/{}", "member_id"),
        ("/groups/{}", "group_id"),
        ("/achievements/{}", "achievement_id"),
        ("/awards/{}", "award_id"),
    ],
)
def test_ids_out_of_range_are_422_naming_the_parameter(
    admin: Api, ident: str, path: str, name: str
) -> None:
    located(admin.get(path.format(ident)), ["path", name])


def test_a_body_that_is_not_an_object_is_named(admin: Api) -> None:
    admin.ok("POST", "/sources", 201, json={"key": "deals", "name": "Deals", "fields": []})
    for body in ([1, 2], "text", 3):
        located(admin.post("/sources/deals/records", json=body), ["body"])
        located(admin.post("/teams", json=body), ["body"])


def test_a_date_out_of_range_is_named(admin: Api) -> None:
    answer = admin.get("/awards", params={"awarded_after": "9999-12-31T23:59:59-14:00"})
    located(answer, ["query", "awarded_after"])


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PATCH", "/groups/preview", "POST"),
        ("DELETE", "/groups/preview", "POST"),
        ("PUT", "/notifications/test", "POST"),
        ("GET", "/groups/preview", "POST"),
    ],
)
def test_a_literal_path_answers_405_for_methods_it_lacks(
    admin: Api, method: str, path: str, allow: str
) -> None:
    answer = admin.request(method, path, json={})
    assert answer.status_code == 405, answer.text
    assert answer.headers["allow"] == allow
    assert answer.json()["status"] == 405
