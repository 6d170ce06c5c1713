"""Changing users through the API: role, bound member, password and active state, logged in
the audit log without the password; the last active admin user cannot be demoted or
deactivated. (That a deactivated user's web session ends is tested in tests/web.)"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from plaudit.identity.service import authenticate
from tests.api.test_awards import make_member
from tests.api.test_errors import bad_fields, problem
from tests.conftest import Api


def make_user(admin: Api, name: str, role: str = "manager", **extra: Any) -> dict[str, Any]:
    body = {"username": name, "password": f"{name}'s password", "role": role, **extra}
    created: dict[str, Any] = admin.ok("POST", "/users", 201, json=body)
    return created


def signs_in(engine: Engine, name: str, password: str) -> bool:
    with Session(engine) as session:
        return authenticate(session, name, password) is not None


def test_an_admin_changes_role_and_the_change_is_logged(admin: Api) -> None:
    lin = make_user(admin, "lin")
    changed = admin.ok("PATCH", f"/users/{lin['id']}", json={"role": "admin"})
    assert (changed["role"], changed["active"]) == ("admin", True)
    assert admin.ok("GET", f"/users/{lin['id']}") == changed
    [event] = admin.ok("GET", f"/audit?entity_type=user&entity_id={lin['id']}")
    assert event["action"] == "user.update"
    assert event["details"]["changed"] == ["role"]
    assert event["actor"] == "admin-token"


def test_deactivating_refuses_sign_in_and_reactivating_restores_it(
    admin: Api, clean_db: Engine
) -> None:
    lin = make_user(admin, "lin")
    assert signs_in(clean_db, "lin", "lin's password")
    assert admin.ok("PATCH", f"/users/{lin['id']}", json={"active": False})["active"] is False
    assert not signs_in(clean_db, "lin", "lin's password")
    assert [u["active"] for u in admin.ok("GET", "/users")] == [False]
    admin.ok("PATCH", f"/users/{lin['id']}", json={"active": True})
    assert signs_in(clean_db, "lin", "lin's password")


def test_a_new_password_replaces_the_old_and_is_never_logged(admin: Api, clean_db: Engine) -> None:
    lin = make_user(admin, "lin")
    admin.ok("PATCH", f"/users/{lin['id']}", json={"password": "a brand new one"})
    assert signs_in(clean_db, "lin", "a brand new one")
    assert not signs_in(clean_db, "lin", "lin's password")
    [event] = admin.ok("GET", f"/audit?entity_type=user&entity_id={lin['id']}")
    assert event["details"]["changed"] == ["password"]
    assert "a brand new one" not in str(event)


def test_a_member_user_is_bound_and_unbound_with_its_role(admin: Api) -> None:
    ann = make_member(admin)
    lin = make_user(admin, "lin")
    body = problem(admin.patch(f"/users/{lin['id']}", json={"role": "member"}), 422)
    assert bad_fields(body) == {"body.member_id"}
    bound = admin.ok(
        "PATCH", f"/users/{lin['id']}", json={"role": "member", "member_id": ann["id"]}
    )
    assert (bound["role"], bound["member_id"]) == ("member", ann["id"])
    # Leaving role member leaves the member too.
    unbound = admin.ok("PATCH", f"/users/{lin['id']}", json={"role": "manager"})
    assert (unbound["role"], unbound["member_id"]) == ("manager", None)
    body = problem(admin.patch(f"/users/{lin['id']}", json={"member_id": ann["id"]}), 422)
    assert "only for role 'member'" in body["detail"]
    problem(admin.patch(f"/users/{lin['id']}", json={"role": "member", "member_id": 999}), 404)
    assert admin.ok("GET", f"/users/{lin['id']}")["role"] == "manager"


@pytest.mark.parametrize("change", [{"active": False}, {"role": "manager"}])
def test_the_last_active_admin_user_stays_an_admin(admin: Api, change: dict[str, Any]) -> None:
    root = make_user(admin, "root", role="admin")
    body = problem(admin.patch(f"/users/{root['id']}", json=change), 409)
    assert body["code"] == "last_admin"
    assert "'root' is the only active admin user" in body["detail"]
    assert admin.ok("GET", f"/users/{root['id']}")["role"] == "admin"
    # With a second admin it can go.
    make_user(admin, "backup", role="admin")
    admin.ok("PATCH", f"/users/{root['id']}", json=change)


def test_an_inactive_admin_does_not_count_as_the_remaining_admin(admin: Api) -> None:
    root = make_user(admin, "root", role="admin")
    backup = make_user(admin, "backup", role="admin")
    admin.ok("PATCH", f"/users/{backup['id']}", json={"active": False})
    problem(admin.patch(f"/users/{root['id']}", json={"active": False}), 409)
    assert admin.ok("GET", f"/users/{root['id']}")["active"] is True


def test_unknown_users_and_bad_changes(admin: Api) -> None:
    problem(admin.get("/users/999"), 404)
    problem(admin.patch("/users/999", json={"active": False}), 404)
    lin = make_user(admin, "lin")
    for change, field in [
        ({"active": "no"}, "body.active"),
        ({"password": "short"}, "body.password"),
        ({"role": "root"}, "body.role"),
        ({"username": "renamed"}, "body.username"),
    ]:
        assert bad_fields(problem(admin.patch(f"/users/{lin['id']}", json=change), 422)) == {field}
    assert admin.ok("GET", "/audit?entity_type=user") == []
