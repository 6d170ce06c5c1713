"""Contract gaps of issue 17: every 422 names where the input is bad, ids beyond what a
database stores are 422s naming the parameter, and a method no route of a literal path has is
a 405 with that path's `Allow`, even where a parameterised path would match it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema_rs import Draft202012Validator  # schemathesis's validator
from pydantic import StringConstraints, TypeAdapter, ValidationError

from plaudit.kit.schemas import MAX_ID
from tests.conftest import Api
from tests.hypothesis_profiles import examples
from tests.reference_app import openapi_document


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


# The OpenAPI document states the constraints the server enforces (schemathesis's
# positive_data_acceptance, ST202, found each of these as a schema-valid request refused).


DOCUMENT = openapi_document()


def _schemas(node: Any) -> Iterator[dict[str, Any]]:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    """`schema` with the document's components, as a JSON Schema validator."""
    resolvable = {**schema, "components": DOCUMENT["components"]}
    return Draft202012Validator(resolvable)


def _component(name: str) -> Draft202012Validator:
    return _validator({"$ref": f"#/components/schemas/{name}"})


def test_integer_bounds_are_json_schema_words_with_exact_values() -> None:
    for schema in _schemas(DOCUMENT):
        # pydantic writes bounds put outside an alias with a validator as `ge`/`le`
        assert not {"ge", "le", "gt", "lt"} & set(schema), schema
        if schema.get("type") == "integer":
            for key in ("minimum", "maximum"):
                bound = schema.get(key)
                assert bound is None or (type(bound) is int and 0 <= bound <= MAX_ID), schema


@pytest.mark.parametrize(
    ("path", "method", "name"),
    [
        ("/api/v1/teams/{team_id}", "get", "team_id"),
        ("/api/v1/tokens/{token_id}", "delete", "token_id"),
        ("/api/v1/members", "get", "team_id"),
        ("/api/v1/audit", "get", "before_id"),
        ("/api/v1/notifications/{notification_id}/firings", "get", "member_id"),
    ],
)
def test_ids_in_paths_and_queries_are_declared_1_to_max_id(
    path: str, method: str, name: str
) -> None:
    (parameter,) = [p for p in DOCUMENT["paths"][path][method]["parameters"] if p["name"] == name]
    check = _validator(parameter["schema"])
    assert check.is_valid(1) and check.is_valid(MAX_ID)
    assert not check.is_valid(0) and not check.is_valid(MAX_ID + 1)


def test_ids_in_bodies_are_declared_up_to_max_id_exactly() -> None:
    board = _component("BoardCreate")
    assert board.is_valid({"name": "b", "team_id": MAX_ID})
    assert not board.is_valid({"name": "b", "team_id": MAX_ID + 1})


@pytest.mark.parametrize(
    ("condition", "valid"),
    [
        ({"attribute": "team.name", "value": "Acme"}, True),
        ({"attribute": "team.name", "op": "in", "value": ["Acme", 3, True]}, True),
        ({"attribute": "team.name", "op": "exists"}, True),
        ({"attribute": "team.name", "op": "eq", "value": {}}, False),
        ({"attribute": "team.name", "op": "eq"}, False),
        ({"attribute": "team.name", "op": "in", "value": []}, False),
        ({"attribute": "team.name", "op": "in", "value": [{}]}, False),
        ({"attribute": "team.name", "op": "exists", "value": 1}, False),
    ],
)
def test_group_condition_values_are_declared_by_op(
    admin: Api, condition: dict[str, Any], valid: bool
) -> None:
    assert _component("Condition").is_valid(condition) is valid
    answer = admin.post("/groups/preview", json={"conditions": [condition]})
    assert (answer.status_code == 200) is valid, answer.text


@pytest.mark.parametrize(
    ("where", "valid"),
    [
        ({"field": "status", "op": "eq", "value": "Approved"}, True),
        ({"field": "value", "op": "in", "value": [1, 2]}, True),
        ({"field": "won", "op": "exists", "value": True}, True),
        ({"field": "status", "op": "eq", "value": {}}, False),
        ({"field": "status", "op": "not_in", "value": "Approved"}, False),
        ({"field": "status", "op": "gt", "value": None}, False),
    ],
)
def test_filter_values_are_declared_by_op(admin: Api, where: dict[str, Any], valid: bool) -> None:
    assert _component("Filter").is_valid(where) is valid
    fields = [{"name": n, "type": t} for n, t in [("status", "string"), ("value", "number")]]
    fields.append({"name": "won", "type": "boolean"})
    body = {"key": "deals", "name": "Deals", "fields": fields, "default_where": [where]}
    assert (admin.post("/sources", json=body).status_code == 201) is valid


@pytest.mark.parametrize(
    ("body", "valid"),
    [
        ({"name": "n", "role": "admin"}, True),
        ({"name": "n", "role": "member", "member_id": 1}, True),
        ({"name": "n", "role": "admin", "member_id": 1}, False),
        ({"name": "n", "role": "member"}, False),
        ({"name": "n", "role": "member", "member_id": 0}, False),
    ],
)
def test_a_member_binding_is_declared(admin: Api, body: dict[str, Any], valid: bool) -> None:
    assert _component("TokenCreate").is_valid(body) is valid
    admin.ok("POST", "/members", 201, json={"name": "Ann"})  # member 1
    assert (admin.post("/tokens", json=body).status_code == 201) is valid


def test_the_records_body_is_declared() -> None:
    operation = DOCUMENT["paths"]["/api/v1/sources/{key}/records"]["post"]
    check = _validator(operation["requestBody"]["content"]["application/json"]["schema"])
    record: dict[str, Any] = {"member_id": 1, "occurred_at": "2026-11-18T10:00:00Z", "data": {}}
    assert check.is_valid(record) and check.is_valid({"records": [record]})
    bad: Any
    for bad in (None, [record], {"records": []}, {**record, "member_external_id": "x"}):
        assert not check.is_valid(bad), bad


def test_a_board_update_does_not_offer_null_where_null_is_refused(admin: Api) -> None:
    check = _component("BoardUpdate")
    assert check.is_valid({"team_id": None, "measure": None})
    board = admin.ok("POST", "/leaderboard/boards", 201, json={"name": "Points"})
    for name in ("name", "period", "published"):
        assert not check.is_valid({name: None})
        located(
            admin.patch(f"/leaderboard/boards/{board['id']}", json={name: None}), ["body", name]
        )


PATTERNS = sorted({s["pattern"] for s in _schemas(DOCUMENT) if isinstance(s.get("pattern"), str)})
SPACES_AND_CONTROLS = (
    "".join(map(chr, [*range(0x21), *range(0x7F, 0xA1), 0x1680, 0x180E, *range(0x2000, 0x200C)]))
    + "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
"""Characters some regex engine calls a space (or that are controls): where engines differ."""
DISPUTED = "\x1c\x1d\x1e\x1f\x85\u180e\u200b\ufeff"
"""Those that Unicode, Python's `str.isspace`, Rust's `\\s` and ECMA-262's `\\s` classify
differently: drawn half of the time."""


def test_the_document_has_patterns_to_compare() -> None:
    assert len(PATTERNS) >= 5, PATTERNS
    assert all(not re.search(r"\\[sSdDwWbB]", pattern) for pattern in PATTERNS), PATTERNS


@pytest.mark.parametrize("pattern", PATTERNS)
@settings(max_examples=examples(40), deadline=None)
@given(data=st.data())
def test_a_pattern_means_the_same_to_the_schema_and_the_server(
    pattern: str, data: st.DataObject
) -> None:
    """JSON Schema's patterns are ECMA-262 regexes (what a client validating against the
    document runs, like schemathesis's validator); the server checks them with pydantic's. A
    string the published pattern admits must be one the server admits, and the other way
    round, near the characters where engines disagree (`\\s` takes U+0085 in one and not in
    the other: a client was once refused an issuer URL the document allowed)."""
    matching = data.draw(st.from_regex(pattern, fullmatch=True).filter(lambda s: len(s) < 60))
    position = data.draw(st.integers(min_value=0, max_value=len(matching)))
    odd = data.draw(st.sampled_from(DISPUTED) | st.sampled_from(SPACES_AND_CONTROLS))
    probe = matching[:position] + odd + matching[position:]
    server = TypeAdapter(Annotated[str, StringConstraints(pattern=pattern)])
    for text in (matching, probe):
        try:
            server.validate_python(text)
            admitted = True
        except ValidationError:
            admitted = False
        assert Draft202012Validator({"type": "string", "pattern": pattern}).is_valid(text) == (
            admitted
        ), (pattern, text)
