"""Groups: static lists and ad hoc conditions, always evaluated against current data."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.test_awards import make_achievement, make_member
from tests.conftest import Api


def make_team(admin: Api, name: str, **attributes: Any) -> dict[str, Any]:
    created: dict[str, Any] = admin.ok(
        "POST", "/teams", 201, json={"name": name, "attributes": attributes}
    )
    return created


def make_group(admin: Api, **body: Any) -> dict[str, Any]:
    created: dict[str, Any] = admin.ok("POST", "/groups", 201, json={"name": "G", **body})
    return created


def members_of(admin: Api, group_id: int) -> list[int]:
    answer = admin.ok("GET", f"/groups/{group_id}/members")
    assert answer["count"] == len(answer["member_ids"])
    ids: list[int] = answer["member_ids"]
    return ids


def preview(admin: Api, **body: Any) -> list[int]:
    answer = admin.ok("POST", "/groups/preview", json=body)
    assert answer["count"] == len(answer["member_ids"])
    ids: list[int] = answer["member_ids"]
    return ids


@pytest.fixture
def org(admin: Api) -> dict[str, Any]:
    """Three partner companies and their people, plus one person with no team."""
    acme = make_team(admin, "Acme Corp", tier="gold", region="EMEA")
    globex = make_team(admin, "Globex", tier="Silver", region="APAC")
    initech = make_team(admin, "Initech Partners")  # no attributes at all
    people = {
        "ann": make_member(admin, "Ann", team_id=acme["id"], role="partner_admin"),
        "bob": make_member(admin, "Bob", team_id=acme["id"], role="sales_rep"),
        "cid": make_member(admin, "Cid", team_id=globex["id"], role="Partner_Admin"),
        "dee": make_member(admin, "Dee", team_id=initech["id"], role="sales_rep"),
        "eve": make_member(admin, "Eve"),  # no team, no role
    }
    return {
        "acme": acme,
        "globex": globex,
        "initech": initech,
        **{k: v["id"] for k, v in people.items()},
    }


def test_static_lists_of_teams_and_members(admin: Api, org: dict[str, Any]) -> None:
    group = make_group(
        admin,
        name="Acme and Eve",
        team_ids=[org["acme"]["id"]],
        member_ids=[org["eve"], org["eve"]],
    )
    assert group["team_ids"] == [org["acme"]["id"]]
    assert group["member_ids"] == [org["eve"]]
    assert group["conditions"] == []
    assert members_of(admin, group["id"]) == sorted([org["ann"], org["bob"], org["eve"]])
    assert admin.ok("GET", f"/groups/{group['id']}") == group
    assert admin.ok("GET", "/groups") == [group]
    # A member who joins a listed team is in the group from then on.
    admin.ok("PATCH", f"/members/{org['dee']}", json={"team_id": org["acme"]["id"]})
    assert org["dee"] in members_of(admin, group["id"])


def test_an_empty_group_matches_nobody(admin: Api, org: dict[str, Any]) -> None:
    assert members_of(admin, make_group(admin)["id"]) == []


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        # Attribute values and roles compare without regard to case.
        ([{"attribute": "team.attributes.tier", "op": "eq", "value": "GOLD"}], ["ann", "bob"]),
        (
            [{"attribute": "team.attributes.tier", "op": "ne", "value": "gold"}],
            ["cid", "dee", "eve"],
        ),
        (
            [{"attribute": "team.attributes.tier", "op": "in", "value": ["gold", "silver"]}],
            ["ann", "bob", "cid"],
        ),
        (
            [{"attribute": "team.attributes.tier", "op": "not_in", "value": ["silver"]}],
            ["ann", "bob", "dee", "eve"],
        ),
        ([{"attribute": "member.role", "op": "in", "value": ["partner_admin"]}], ["ann", "cid"]),
        ([{"attribute": "member.role", "value": "sales_rep"}], ["bob", "dee"]),  # op defaults to eq
        ([{"attribute": "team.name", "op": "contains", "value": "PARTNER"}], ["dee"]),
        ([{"attribute": "team.name", "op": "eq", "value": "globex"}], ["cid"]),
        ([{"attribute": "team.attributes.region", "op": "exists"}], ["ann", "bob", "cid"]),
        ([{"attribute": "team.attributes.region", "op": "exists", "value": False}], ["dee", "eve"]),
        (
            [{"attribute": "member.role", "op": "exists", "value": True}],
            ["ann", "bob", "cid", "dee"],
        ),
        # Conditions are AND-ed.
        (
            [
                {"attribute": "team.attributes.tier", "op": "eq", "value": "gold"},
                {"attribute": "member.role", "op": "eq", "value": "sales_rep"},
            ],
            ["bob"],
        ),
        (
            [
                {"attribute": "team.name", "op": "contains", "value": "o"},
                {"attribute": "member.role", "op": "eq", "value": "partner_admin"},
            ],
            ["ann", "cid"],
        ),
    ],
)
def test_ad_hoc_conditions(
    admin: Api, org: dict[str, Any], conditions: list[dict[str, Any]], expected: list[str]
) -> None:
    want = sorted(org[name] for name in expected)
    group = make_group(admin, conditions=conditions)
    assert members_of(admin, group["id"]) == want
    assert preview(admin, conditions=conditions) == want


def test_static_and_ad_hoc_together(admin: Api, org: dict[str, Any]) -> None:
    group = make_group(
        admin,
        member_ids=[org["eve"]],
        team_ids=[org["initech"]["id"]],
        conditions=[{"attribute": "member.role", "op": "eq", "value": "partner_admin"}],
    )
    assert members_of(admin, group["id"]) == sorted(
        [org["ann"], org["cid"], org["dee"], org["eve"]]
    )


def test_membership_follows_current_data(admin: Api, org: dict[str, Any]) -> None:
    gold = make_group(
        admin,
        name="Gold",
        conditions=[{"attribute": "team.attributes.tier", "op": "eq", "value": "gold"}],
    )
    admins = make_group(
        admin,
        name="Admins",
        conditions=[{"attribute": "member.role", "op": "eq", "value": "partner_admin"}],
    )
    before = admin.ok("GET", f"/groups/{gold['id']}")
    assert members_of(admin, gold["id"]) == sorted([org["ann"], org["bob"]])

    # Globex is promoted, Acme demoted: the group follows without being touched.
    admin.ok("PATCH", f"/teams/{org['globex']['id']}", json={"attributes": {"tier": "Gold"}})
    admin.ok("PATCH", f"/teams/{org['acme']['id']}", json={"attributes": {"tier": "bronze"}})
    assert members_of(admin, gold["id"]) == [org["cid"]]
    # A new member of a gold team is in at once.
    fay = make_member(admin, "Fay", team_id=org["globex"]["id"])
    assert members_of(admin, gold["id"]) == sorted([org["cid"], fay["id"]])
    # Roles change too.
    admin.ok("PATCH", f"/members/{org['bob']}", json={"role": "partner_admin"})
    assert members_of(admin, admins["id"]) == sorted([org["ann"], org["bob"], org["cid"]])
    assert admin.ok("GET", f"/groups/{gold['id']}") == before


def test_audience_uses_the_group_as_it_is_now(admin: Api, org: dict[str, Any]) -> None:
    gold = make_group(
        admin, conditions=[{"attribute": "team.attributes.tier", "op": "eq", "value": "gold"}]
    )
    vip = make_achievement(admin, "vip", "award", audience=[gold["id"]])
    give = {"achievement_id": vip["id"]}
    refused = admin.post(f"/members/{org['cid']}/awards", json=give)
    assert refused.status_code == 409
    assert refused.json()["code"] == "not_in_audience"
    admin.ok("POST", f"/members/{org['ann']}/awards", 201, json=give)
    admin.ok("PATCH", f"/teams/{org['globex']['id']}", json={"attributes": {"tier": "gold"}})
    admin.ok("POST", f"/members/{org['cid']}/awards", 201, json=give)


def test_preview_writes_nothing(admin: Api, org: dict[str, Any]) -> None:
    existing = make_group(admin, name="Existing", member_ids=[org["eve"]])
    body = {
        "team_ids": [org["globex"]["id"]],
        "member_ids": [org["eve"]],
        "conditions": [{"attribute": "team.attributes.tier", "op": "eq", "value": "gold"}],
    }
    assert preview(admin, **body) == sorted([org["ann"], org["bob"], org["cid"], org["eve"]])
    assert preview(admin) == []
    assert admin.ok("GET", "/groups") == [existing]
    bad = admin.post("/groups/preview", json={"team_ids": [9999]})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "team_ids"
    assert admin.post("/groups/preview", json={"name": "x"}).status_code == 422


def test_patch_replaces_what_is_sent(admin: Api, org: dict[str, Any]) -> None:
    group = make_group(
        admin,
        name="Old",
        team_ids=[org["acme"]["id"]],
        member_ids=[org["eve"]],
        conditions=[{"attribute": "team.name", "op": "eq", "value": "Globex"}],
    )
    assert members_of(admin, group["id"]) == sorted(
        [org["ann"], org["bob"], org["cid"], org["eve"]]
    )
    renamed = admin.ok("PATCH", f"/groups/{group['id']}", json={"name": "New"})
    assert renamed == {**group, "name": "New"}

    changed = admin.ok(
        "PATCH",
        f"/groups/{group['id']}",
        json={
            "team_ids": [],
            "conditions": [{"attribute": "member.role", "op": "eq", "value": "sales_rep"}],
        },
    )
    assert changed["team_ids"] == []
    assert changed["member_ids"] == [org["eve"]]  # not sent: kept
    assert changed["conditions"] == [{"attribute": "member.role", "op": "eq", "value": "sales_rep"}]
    assert members_of(admin, group["id"]) == sorted([org["bob"], org["dee"], org["eve"]])

    bad = admin.patch(f"/groups/{group['id']}", json={"member_ids": [9999]})
    assert bad.status_code == 422
    assert admin.ok("GET", f"/groups/{group['id']}")["member_ids"] == [org["eve"]]
    assert admin.patch("/groups/9999", json={"name": "X"}).status_code == 404


def test_delete_refused_while_an_achievement_uses_the_group(
    admin: Api, org: dict[str, Any]
) -> None:
    group = make_group(admin, name="Partners", team_ids=[org["acme"]["id"]])
    vip = make_achievement(admin, "vip", "award", audience=[group["id"]])
    refused = admin.delete(f"/groups/{group['id']}")
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["code"] == "group_in_use"
    assert "vip" in problem["detail"]
    assert admin.ok("GET", f"/groups/{group['id']}")["name"] == "Partners"

    admin.ok("PATCH", f"/achievements/{vip['id']}", json={"audience": []})
    assert admin.ok("DELETE", f"/groups/{group['id']}", 204) is None
    assert admin.get(f"/groups/{group['id']}").status_code == 404
    assert admin.get(f"/groups/{group['id']}/members").status_code == 404
    assert admin.delete(f"/groups/{group['id']}").status_code == 404
    assert admin.ok("GET", "/groups") == []


def test_a_deleted_achievement_does_not_hold_its_group(admin: Api, org: dict[str, Any]) -> None:
    group = make_group(admin, team_ids=[org["acme"]["id"]])
    vip = make_achievement(admin, "vip", "award", audience=[group["id"]])
    admin.ok("DELETE", f"/achievements/{vip['id']}", 204)
    assert admin.delete(f"/groups/{group['id']}").status_code == 204


@pytest.mark.parametrize(
    ("condition", "field"),
    [
        ({"attribute": "team.colour", "op": "eq", "value": "red"}, "body.conditions.0.attribute"),
        (
            {"attribute": "team.attributes.", "op": "eq", "value": "x"},
            "body.conditions.0.attribute",
        ),
        (
            {"attribute": "team.attributes.tier; drop", "op": "eq", "value": "x"},
            "body.conditions.0.attribute",
        ),
        ({"attribute": "member.email", "op": "eq", "value": "x"}, "body.conditions.0.attribute"),
        ({"attribute": "member.role", "op": "in", "value": "sales_rep"}, "body.conditions.0"),
        ({"attribute": "member.role", "op": "in", "value": []}, "body.conditions.0"),
        ({"attribute": "member.role", "op": "eq", "value": ["a", "b"]}, "body.conditions.0"),
        ({"attribute": "member.role", "op": "eq"}, "body.conditions.0"),
        ({"attribute": "member.role", "op": "exists", "value": "yes"}, "body.conditions.0"),
        ({"attribute": "member.role", "op": "gt", "value": "a"}, "body.conditions.0.op"),
        (
            {"attribute": "member.role", "op": "eq", "value": "a", "extra": 1},
            "body.conditions.0.extra",
        ),
    ],
)
def test_condition_validation(admin: Api, condition: dict[str, Any], field: str) -> None:
    response = admin.post(
        "/groups",
        json={
            "name": "Bad",
            "conditions": [{"attribute": "team.name", "op": "eq", "value": "ok"}, condition],
        },
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    fields = [e["field"] for e in response.json()["errors"]]
    assert fields == [field.replace("conditions.0", "conditions.1")]
    assert admin.ok("GET", "/groups") == []
    assert admin.post("/groups/preview", json={"conditions": [condition]}).status_code == 422


def test_unknown_ids_in_lists(admin: Api, org: dict[str, Any]) -> None:
    response = admin.post("/groups", json={"name": "X", "member_ids": [org["ann"], 9999]})
    assert response.status_code == 422
    assert "9999" in response.json()["detail"]
    assert response.json()["errors"][0]["field"] == "member_ids"
    assert admin.ok("GET", "/groups") == []


def test_groups_are_for_staff(admin: Api, tokens: dict[str, str]) -> None:
    manager = admin.as_token(tokens["manager"])
    group = manager.ok("POST", "/groups", 201, json={"name": "By manager"})
    assert manager.ok("GET", f"/groups/{group['id']}/members") == {"count": 0, "member_ids": []}
    for role in ("ingest", "member"):
        api = admin.as_token(tokens[role])
        assert api.get("/groups").status_code == 403
        assert api.post("/groups/preview", json={}).status_code == 403
