"""Teams and members: create, list, filter, change; unique external ids and emails."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.conftest import Api


def make_team(admin: Api, name: str = "Acme", **extra: Any) -> dict[str, Any]:
    created: dict[str, Any] = admin.ok("POST", "/teams", 201, json={"name": name, **extra})
    return created


def make_member(admin: Api, name: str = "Ann", **extra: Any) -> dict[str, Any]:
    created: dict[str, Any] = admin.ok("POST", "/members", 201, json={"name": name, **extra})
    return created


# --- teams ----------------------------------------------------------------------------------


def test_team_create_get_list(admin: Api) -> None:
    acme = make_team(
        admin,
        "Acme",
        external_id="crm-1",
        attributes={"tier": "gold", "region": "EMEA", "seats": 12},
    )
    assert isinstance(acme["id"], int)
    assert (acme["name"], acme["external_id"]) == ("Acme", "crm-1")
    assert acme["attributes"] == {"tier": "gold", "region": "EMEA", "seats": 12}
    assert datetime.fromisoformat(acme["created_at"]).utcoffset() is not None
    bare = make_team(admin, "Globex")
    assert (bare["external_id"], bare["attributes"]) == (None, {})
    assert admin.ok("GET", f"/teams/{acme['id']}") == acme
    assert admin.ok("GET", "/teams") == [acme, bare]
    assert admin.get("/teams/999").status_code == 404


def test_team_patch(admin: Api) -> None:
    acme = make_team(admin, "Acme", external_id="crm-1", attributes={"tier": "gold"})
    renamed = admin.ok("PATCH", f"/teams/{acme['id']}", json={"name": "Acme Corp"})
    assert renamed == {**acme, "name": "Acme Corp"}
    moved = admin.ok("PATCH", f"/teams/{acme['id']}", json={"attributes": {"tier": "silver"}})
    assert moved["attributes"] == {"tier": "silver"}  # replaced, not merged
    assert moved["external_id"] == "crm-1"
    cleared = admin.ok("PATCH", f"/teams/{acme['id']}", json={"external_id": None})
    assert cleared["external_id"] is None
    # null for a required field leaves it alone rather than breaking the row.
    kept = admin.ok("PATCH", f"/teams/{acme['id']}", json={"name": None, "attributes": None})
    assert (kept["name"], kept["attributes"]) == ("Acme Corp", {"tier": "silver"})
    assert admin.ok("GET", f"/teams/{acme['id']}") == kept
    assert admin.patch("/teams/999", json={"name": "X"}).status_code == 404


def test_team_external_id_is_unique(admin: Api) -> None:
    acme = make_team(admin, "Acme", external_id="crm-1")
    globex = make_team(admin, "Globex", external_id="crm-2")
    duplicate = admin.post("/teams", json={"name": "Other", "external_id": "crm-1"})
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "duplicate_external_id"
    assert f"id {acme['id']}" in duplicate.json()["detail"]
    clash = admin.patch(f"/teams/{globex['id']}", json={"external_id": "crm-1"})
    assert clash.status_code == 409
    # Keeping one's own external id is no clash.
    admin.ok("PATCH", f"/teams/{acme['id']}", json={"external_id": "crm-1", "name": "Acme 2"})
    assert len(admin.ok("GET", "/teams")) == 2
    # Teams without an external id are many.
    make_team(admin, "A")
    make_team(admin, "B")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": ""},
        {"name": "x" * 201},
        {"name": "A", "attributes": ["tier"]},
        {"name": "A", "colour": "red"},
    ],
)
def test_team_bad_input(admin: Api, body: dict[str, Any]) -> None:
    response = admin.post("/teams", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["errors"]
    assert admin.ok("GET", "/teams") == []


# --- members --------------------------------------------------------------------------------


def test_member_create_get_list(admin: Api) -> None:
    acme = make_team(admin)
    ann = make_member(
        admin,
        "Ann",
        email="ann@acme.example",
        external_id="hr-7",
        team_id=acme["id"],
        role="partner_admin",
        attributes={"level": 3},
    )
    assert {
        k: ann[k]
        for k in ("name", "email", "external_id", "team_id", "role", "attributes", "active")
    } == {
        "name": "Ann",
        "email": "ann@acme.example",
        "external_id": "hr-7",
        "team_id": acme["id"],
        "role": "partner_admin",
        "attributes": {"level": 3},
        "active": True,
    }
    bob = make_member(admin, "Bob")
    assert (
        bob["email"],
        bob["external_id"],
        bob["team_id"],
        bob["role"],
        bob["attributes"],
        bob["active"],
    ) == (None, None, None, None, {}, True)
    assert admin.ok("GET", f"/members/{ann['id']}") == ann
    assert admin.ok("GET", "/members") == [ann, bob]
    assert admin.get("/members/999").status_code == 404


def test_members_filtered_by_team(admin: Api) -> None:
    acme, globex, empty = (
        make_team(admin, "Acme"),
        make_team(admin, "Globex"),
        make_team(admin, "Empty"),
    )
    ann = make_member(admin, "Ann", team_id=acme["id"])
    bob = make_member(admin, "Bob", team_id=globex["id"])
    cid = make_member(admin, "Cid", team_id=acme["id"])
    make_member(admin, "Dee")
    assert [m["id"] for m in admin.ok("GET", f"/members?team_id={acme['id']}")] == [
        ann["id"],
        cid["id"],
    ]
    assert [m["id"] for m in admin.ok("GET", f"/members?team_id={globex['id']}")] == [bob["id"]]
    assert admin.ok("GET", f"/members?team_id={empty['id']}") == []
    assert len(admin.ok("GET", "/members")) == 4
    unknown = admin.get("/members?team_id=999")
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "team 999 does not exist"
    assert admin.get("/members?team_id=abc").status_code == 422
    # Moving a member moves them between the filtered lists.
    admin.ok("PATCH", f"/members/{bob['id']}", json={"team_id": acme["id"]})
    assert [m["id"] for m in admin.ok("GET", f"/members?team_id={acme['id']}")] == [
        ann["id"],
        bob["id"],
        cid["id"],
    ]
    assert admin.ok("GET", f"/members?team_id={globex['id']}") == []


def test_member_unknown_team(admin: Api) -> None:
    response = admin.post("/members", json={"name": "Ann", "team_id": 999})
    assert response.status_code == 404
    assert response.json()["detail"] == "team 999 does not exist"
    assert admin.ok("GET", "/members") == []
    ann = make_member(admin)
    assert admin.patch(f"/members/{ann['id']}", json={"team_id": 999}).status_code == 404
    assert admin.ok("GET", f"/members/{ann['id']}")["team_id"] is None


def test_member_patch(admin: Api) -> None:
    acme = make_team(admin)
    ann = make_member(
        admin, "Ann", team_id=acme["id"], email="ann@x.example", role="rep", attributes={"a": 1}
    )
    changed = admin.ok(
        "PATCH",
        f"/members/{ann['id']}",
        json={"name": "Ann B", "role": "partner_admin", "attributes": {"b": 2}},
    )
    assert changed == {**ann, "name": "Ann B", "role": "partner_admin", "attributes": {"b": 2}}
    left = admin.ok("PATCH", f"/members/{ann['id']}", json={"team_id": None, "email": None})
    assert (left["team_id"], left["email"]) == (None, None)
    inactive = admin.ok("PATCH", f"/members/{ann['id']}", json={"active": False})
    assert inactive["active"] is False
    assert admin.ok("GET", f"/members/{ann['id']}") == inactive
    assert admin.patch("/members/999", json={"name": "X"}).status_code == 404
    assert admin.patch(f"/members/{ann['id']}", json={"email": "nope"}).status_code == 422


@pytest.mark.parametrize("column", ["external_id", "email"])
def test_member_external_id_and_email_are_unique(admin: Api, column: str) -> None:
    value = "ann@acme.example" if column == "email" else "hr-1"
    other = "bob@acme.example" if column == "email" else "hr-2"
    ann = make_member(admin, "Ann", **{column: value})
    bob = make_member(admin, "Bob", **{column: other})
    duplicate = admin.post("/members", json={"name": "Ann again", column: value})
    assert duplicate.status_code == 409
    problem = duplicate.json()
    assert problem["code"] == f"duplicate_{column}"
    assert f"id {ann['id']}" in problem["detail"]
    assert problem["errors"][0]["field"] == column
    clash = admin.patch(f"/members/{bob['id']}", json={column: value})
    assert clash.status_code == 409
    assert admin.ok("GET", f"/members/{bob['id']}")[column] == other
    admin.ok("PATCH", f"/members/{ann['id']}", json={column: value, "name": "Ann 2"})
    assert len(admin.ok("GET", "/members")) == 2


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": ""},
        {"name": "A", "email": "not-an-email"},
        {"name": "A", "team_id": "x"},
        {"name": "A", "role": ""},
        {"name": "A", "nickname": "a"},
    ],
)
def test_member_bad_input(admin: Api, body: dict[str, Any]) -> None:
    response = admin.post("/members", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["errors"]
    assert admin.ok("GET", "/members") == []


def test_who_may_see_and_change_people(admin: Api, tokens: dict[str, str]) -> None:
    team = make_team(admin)
    holder = int(tokens["member_id"])
    other = make_member(admin, "Other")
    manager = admin.as_token(tokens["manager"])
    assert len(manager.ok("GET", "/members")) == 2
    assert manager.ok("GET", f"/teams/{team['id']}")["name"] == "Acme"
    assert manager.post("/teams", json={"name": "X"}).status_code == 403
    assert manager.post("/members", json={"name": "X"}).status_code == 403
    assert manager.patch(f"/members/{other['id']}", json={"name": "Y"}).status_code == 403
    member = admin.as_token(tokens["member"])
    assert member.ok("GET", f"/members/{holder}")["name"] == "Token Holder"
    assert member.get(f"/members/{other['id']}").status_code == 403
    assert member.get("/members").status_code == 403
    assert member.get("/teams").status_code == 403
    ingest = admin.as_token(tokens["ingest"])
    assert ingest.get(f"/members/{holder}").status_code == 403
