"""Query parameters an endpoint does not take are refused with a 422 that names them
(plaudit.http.query_params), on every authenticated API route."""

from __future__ import annotations

import pytest

from plaudit.http.query_params import declared_query_names
from tests.api import routes
from tests.api.test_errors import bad_fields, problem
from tests.conftest import Api
from tests.reference_app import openapi_document


def documented_query_names() -> dict[tuple[str, str], set[str]]:
    """(METHOD, path relative to the base path) -> the query parameters of the OpenAPI document."""
    document = openapi_document()
    out: dict[tuple[str, str], set[str]] = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            out[(method.upper(), path.removeprefix("/api/v1"))] = names
    return out


def test_what_is_refused_is_exactly_what_the_document_does_not_declare() -> None:
    """The names the check allows are the ones the OpenAPI document gives clients, on every
    route: a documented parameter is never refused, an undocumented one never taken."""
    documented = documented_query_names()
    checked = 0
    for path, methods, route in routes.api_routes():
        for method in methods:
            assert declared_query_names(route.dependant) == documented[(method, path)], (
                method,
                path,
            )
            checked += 1
    assert checked > 50, "the route walk found too few routes"
    assert any(documented.values()), "no documented query parameters: the comparison is empty"


@pytest.mark.parametrize(
    ("path", "takes"),
    [
        ("/members?team=1", "this endpoint takes team_id"),
        ("/teams?page=2", "this endpoint takes no query parameters"),
        ("/achievements?activ=true", "this endpoint takes active"),
        ("/audit?limt=5", "this endpoint takes"),
        (
            "/leaderboard?periode=week",
            "this endpoint takes aggregate, at, board, field, limit, period",
        ),
        ("/awards?member=1", "this endpoint takes achievement_id, active"),
    ],
)
def test_an_unknown_query_parameter_is_422_naming_it_and_what_is_taken(
    admin: Api, path: str, takes: str
) -> None:
    name = path.split("?")[1].split("=")[0]
    body = problem(admin.get(path), 422, path)
    assert bad_fields(body) == {f"query.{name}"}
    assert body["errors"][0]["code"] == "extra_forbidden"
    assert takes in body["errors"][0]["message"]
    assert name in body["detail"]


def test_every_unknown_parameter_is_named_and_known_ones_still_work(admin: Api) -> None:
    team = admin.ok("POST", "/teams", 201, json={"name": "Acme"})
    admin.ok("POST", "/members", 201, json={"name": "Ann", "team_id": team["id"]})
    admin.ok("POST", "/members", 201, json={"name": "Bob"})
    body = problem(admin.get(f"/members?team_id={team['id']}&teem=1&x=2"), 422)
    assert bad_fields(body) == {"query.teem", "query.x"}
    assert [m["name"] for m in admin.ok("GET", f"/members?team_id={team['id']}")] == ["Ann"]


def test_a_refused_parameter_changes_nothing(admin: Api) -> None:
    team = admin.ok("POST", "/teams", 201, json={"name": "Acme"})
    group = admin.ok("POST", "/groups", 201, json={"name": "G", "team_ids": [team["id"]]})
    problem(admin.patch(f"/teams/{team['id']}?dry_run=1", json={"name": "Renamed"}), 422)
    problem(admin.delete(f"/groups/{group['id']}?force=true"), 422)
    assert admin.ok("GET", f"/teams/{team['id']}")["name"] == "Acme"
    assert admin.ok("GET", f"/groups/{group['id']}")["name"] == "G"


def test_authentication_is_checked_before_the_query(admin: Api) -> None:
    anonymous = admin.as_token(None)
    assert anonymous.get("/members?bogus=1").status_code == 401
    assert admin.as_token("not-a-token").get("/members?bogus=1").status_code == 401


def test_the_health_endpoint_ignores_its_query(admin: Api) -> None:
    """The public no-op answers load balancers and probes, which may add parameters."""
    assert admin.as_token(None).get("/health?probe=1").status_code == 200
