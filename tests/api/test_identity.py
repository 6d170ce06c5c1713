"""Tokens and users: secrets shown once, stored hashed; roles bound to members; admin token."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, text

from tests.api.test_awards import make_member
from tests.conftest import ADMIN_TOKEN, Api


def token_hashes(engine: Engine) -> dict[int, str]:
    with engine.connect() as conn:
        return {
            row[0]: row[1]
            for row in conn.execute(text("SELECT id, token_hash FROM api_tokens ORDER BY id"))
        }


def test_token_secret_is_shown_once_and_stored_hashed(admin: Api, clean_db: Engine) -> None:
    created = admin.ok("POST", "/tokens", 201, json={"name": "crm sync", "role": "ingest"})
    secret = created["token"]
    assert isinstance(created["id"], int)
    assert (created["name"], created["role"], created["member_id"]) == ("crm sync", "ingest", None)
    assert secret.startswith("pl_")
    assert len(secret) > 40

    stored = token_hashes(clean_db)
    assert stored == {created["id"]: hashlib.sha256(secret.encode()).hexdigest()}
    assert secret not in stored[created["id"]]

    listed = admin.get("/tokens")
    assert listed.status_code == 200
    assert secret not in listed.text
    assert stored[created["id"]] not in listed.text
    [row] = listed.json()
    assert "token" not in row
    assert "token_hash" not in row
    assert row["revoked_at"] is None
    assert (row["id"], row["name"], row["role"]) == (created["id"], "crm sync", "ingest")

    # Two tokens never share a secret.
    again = admin.ok("POST", "/tokens", 201, json={"name": "crm sync", "role": "ingest"})
    assert again["token"] != secret


def test_issued_token_authenticates_with_its_role(admin: Api) -> None:
    manager = admin.as_token(
        admin.ok("POST", "/tokens", 201, json={"name": "m", "role": "manager"})["token"]
    )
    assert manager.get("/members").status_code == 200
    assert manager.get("/tokens").status_code == 403  # tokens are for admins only
    ingest = admin.as_token(
        admin.ok("POST", "/tokens", 201, json={"name": "i", "role": "ingest"})["token"]
    )
    assert ingest.get("/members").status_code == 403


def test_revoked_token_is_refused(admin: Api) -> None:
    created = admin.ok("POST", "/tokens", 201, json={"name": "old", "role": "admin"})
    api = admin.as_token(created["token"])
    assert api.get("/tokens").status_code == 200
    revoked = admin.ok("DELETE", f"/tokens/{created['id']}")
    assert revoked["revoked_at"] == "2026-11-18T13:00:00+00:00"
    refused = api.get("/tokens")
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"
    assert refused.json()["detail"] == "The bearer token is unknown or revoked."
    assert admin.ok("GET", "/tokens")[0]["revoked_at"] == "2026-11-18T13:00:00+00:00"
    # Revoking twice keeps the first time.
    assert admin.ok("DELETE", f"/tokens/{created['id']}")["revoked_at"] == revoked["revoked_at"]
    assert admin.delete("/tokens/999").status_code == 404


def test_member_role_is_bound_to_a_member(admin: Api) -> None:
    ann, bob = make_member(admin, "Ann"), make_member(admin, "Bob")
    unbound = admin.post("/tokens", json={"name": "portal", "role": "member"})
    assert unbound.status_code == 422
    assert "member_id" in unbound.json()["detail"]
    for role in ("admin", "manager", "ingest"):
        response = admin.post("/tokens", json={"name": "x", "role": role, "member_id": ann["id"]})
        assert response.status_code == 422, role
        assert "only for role 'member'" in response.json()["detail"]
    assert (
        admin.post("/tokens", json={"name": "x", "role": "member", "member_id": 999}).status_code
        == 404
    )
    assert admin.post("/tokens", json={"name": "x", "role": "owner"}).status_code == 422
    assert admin.ok("GET", "/tokens") == []

    created = admin.ok(
        "POST", "/tokens", 201, json={"name": "portal", "role": "member", "member_id": ann["id"]}
    )
    assert created["member_id"] == ann["id"]
    member = admin.as_token(created["token"])
    assert member.ok("GET", f"/members/{ann['id']}")["name"] == "Ann"
    assert member.get(f"/members/{bob['id']}").status_code == 403
    assert member.get("/members").status_code == 403
    assert member.post("/tokens", json={"name": "x", "role": "admin"}).status_code == 403


def test_admin_token_from_settings(admin: Api, settings: Any) -> None:
    assert settings.admin_token.get_secret_value() == ADMIN_TOKEN
    assert admin.get("/tokens").status_code == 200
    assert admin.ok("POST", "/tokens", 201, json={"name": "n", "role": "admin"})["token"]
    for bad in ("wrong", ADMIN_TOKEN + "x", ADMIN_TOKEN.upper()):
        assert admin.as_token(bad).get("/tokens").status_code == 401, bad
    missing = admin.as_token(None).get("/tokens")
    assert missing.status_code == 401
    assert missing.headers["content-type"].startswith("application/problem+json")
    basic = admin.client.get("/api/v1/tokens", headers={"Authorization": f"Basic {ADMIN_TOKEN}"})
    assert basic.status_code == 401
    # The admin token acts as admin in the audit log.
    ann = make_member(admin)
    aid = admin.ok(
        "POST", "/achievements", 201, json={"key": "k", "name": "K", "category": "award"}
    )["id"]
    admin.ok("POST", f"/members/{ann['id']}/awards", 201, json={"achievement_id": aid})
    event = admin.ok("GET", "/audit?action=award.give")[0]
    assert (event["actor"], event["actor_role"]) == ("admin-token", "admin")


def test_without_admin_token_setting_only_issued_tokens_work(admin: Api, client: Any) -> None:
    secret = admin.ok("POST", "/tokens", 201, json={"name": "root", "role": "admin"})["token"]
    client.app.state.settings = client.app.state.settings.model_copy(update={"admin_token": None})
    assert admin.get("/tokens").status_code == 401
    assert admin.as_token(secret).get("/tokens").status_code == 200


# --- users ----------------------------------------------------------------------------------


def test_user_password_is_stored_as_argon2(admin: Api, clean_db: Engine) -> None:
    created = admin.ok(
        "POST",
        "/users",
        201,
        json={"username": "alice", "password": "correct horse", "role": "manager"},
    )
    assert (created["username"], created["role"], created["member_id"], created["active"]) == (
        "alice",
        "manager",
        None,
        True,
    )
    assert "password" not in created
    assert "password_hash" not in created
    with clean_db.connect() as conn:
        [(stored,)] = conn.execute(text("SELECT password_hash FROM users")).all()
    assert stored.startswith("$argon2")
    assert "correct horse" not in stored
    assert PasswordHasher().verify(stored, "correct horse")
    # argon2-cffi's recommended costs (the web tests seed a cheaper hash of their own)
    assert not PasswordHasher().check_needs_rehash(stored)
    listed = admin.get("/users")
    assert stored not in listed.text
    assert [u["username"] for u in listed.json()] == ["alice"]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"username": "bob", "password": "short", "role": "admin"}, "body.password"),
        ({"username": "bob", "password": "", "role": "admin"}, "body.password"),
        ({"username": "bob smith", "password": "long enough", "role": "admin"}, "body.username"),
        ({"username": "bob", "password": "long enough", "role": "root"}, "body.role"),
        ({"username": "bob", "password": "long enough", "role": "member"}, "member_id"),
    ],
)
def test_user_bad_input(admin: Api, body: dict[str, Any], words: str) -> None:
    response = admin.post("/users", json=body)
    assert response.status_code == 422, response.text
    assert words in response.json()["detail"]
    assert admin.ok("GET", "/users") == []


def test_duplicate_username(admin: Api) -> None:
    admin.ok(
        "POST", "/users", 201, json={"username": "alice", "password": "first one!", "role": "admin"}
    )
    response = admin.post(
        "/users", json={"username": "alice", "password": "second one", "role": "manager"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_username"
    assert [u["role"] for u in admin.ok("GET", "/users")] == ["admin"]


def test_member_user_is_bound_to_a_member(admin: Api) -> None:
    ann = make_member(admin)
    created = admin.ok(
        "POST",
        "/users",
        201,
        json={
            "username": "ann",
            "password": "ann's secret",
            "role": "member",
            "member_id": ann["id"],
        },
    )
    assert created["member_id"] == ann["id"]
    assert (
        admin.post(
            "/users",
            json={"username": "zed", "password": "long enough", "role": "member", "member_id": 999},
        ).status_code
        == 404
    )


def test_users_and_tokens_are_for_admins_only(admin: Api, tokens: dict[str, str]) -> None:
    for role in ("manager", "ingest", "member"):
        api = admin.as_token(tokens[role])
        assert api.get("/users").status_code == 403, role
        assert (
            api.post(
                "/users", json={"username": "x", "password": "long enough", "role": "admin"}
            ).status_code
            == 403
        ), role
        assert api.get("/tokens").status_code == 403, role


def test_the_openapi_document_declares_the_bearer_scheme(client: Any) -> None:
    """/docs offers an Authorize button; protected operations name the scheme, open ones not."""
    document = client.get("/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["HTTPBearer"]["type"] == "http"
    assert schemes["HTTPBearer"]["scheme"] == "bearer"
    paths = document["paths"]
    protected = paths["/api/v1/sources/{key}/records"]["post"]
    assert protected["security"] == [{"HTTPBearer": []}]
    assert "security" not in paths["/api/v1/health"]["get"]
