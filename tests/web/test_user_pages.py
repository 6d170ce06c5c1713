"""The admin users and API tokens pages: admins only; creating users with errors next to the
fields; issuing a token shows its secret once (and it works on the API); revoking it."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plaudit.models import ApiToken, Member, User
from tests.one_hop_client import TestClient
from tests.web.conftest import sign_in
from tests.web.helpers import PASSWORD, VALIDATOR_WORDS, Site, csrf_of

SECRET = re.compile(r'<output id="secret" class="secret">([^<]+)</output>')


def post(client: TestClient, path: str, data: dict[str, str]) -> httpx.Response:
    token = csrf_of(client.get(path).text)
    return client.post(path, data={**data, "csrf_token": token})


def user_form(**overrides: str) -> dict[str, str]:
    data = {"username": "lin", "password": "long enough pw", "role": "manager", "member_id": ""}
    data.update(overrides)
    return data


def users_named(engine: Engine, name: str) -> list[User]:
    with Session(engine) as session:
        return list(session.scalars(select(User).where(User.username == name)).all())


# ---- users ----------------------------------------------------------------------------


def test_users_list(admin_web: TestClient, site: Site) -> None:
    html = admin_web.get("/admin/users").text
    assert "<caption" in html and 'scope="col"' in html
    for name in ("admin", "manager", "ingest", "member"):
        assert re.search(
            f'data-label="User name"><a href="/admin/users/\\d+">{name}</a></th>', html
        )
    assert f'href="/admin/members/{site.member_id}">Ada Lovelace</a>' in html
    for field in ("f-username", "f-password", "f-role", "f-member_id"):
        assert f'label for="{field}"' in html


def test_create_user_then_they_can_sign_in(
    admin_web: TestClient, web_engine: Engine, web: TestClient
) -> None:
    response = post(admin_web, "/admin/users", user_form())
    assert response.status_code == 303
    assert "Created user “lin” (manager)." in admin_web.get("/admin/users").text
    assert users_named(web_engine, "lin")[0].role == "manager"
    web.cookies.clear()
    sign_in(web, "lin", "long enough pw")


def test_create_member_user_bound_to_a_member(
    admin_web: TestClient, site: Site, web_engine: Engine
) -> None:
    form = user_form(username="grace", role="member", member_id=str(site.other_member_id))
    assert post(admin_web, "/admin/users", form).status_code == 303
    assert users_named(web_engine, "grace")[0].member_id == site.other_member_id


def test_duplicate_user_name_is_a_409_next_to_the_field(admin_web: TestClient, site: Site) -> None:
    response = post(admin_web, "/admin/users", user_form(username="manager"))
    assert response.status_code == 409
    error = response.text.split('id="f-username-error"')[1].split("</p>")[0]
    assert "A user named &#39;manager&#39; already exists." in error


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (user_form(username="bad name!"), "username", "Use letters, digits"),
        (user_form(password="short"), "password", "Type at least 8 characters."),
        (user_form(role="member"), "member_id", "Choose the member this role acts as."),
        (user_form(role="member", member_id="abc"), "member_id", "Choose a member."),
        (user_form(role="member", member_id="424242"), "member_id", "does not exist"),
        (user_form(role="wizard"), "role", "Choose one of the options."),
    ],
)
def test_bad_user_input_is_shown_next_to_the_field(
    admin_web: TestClient, site: Site, form: dict[str, str], field: str, message: str
) -> None:
    response = post(admin_web, "/admin/users", form)
    assert response.status_code == 400, response.text
    error = response.text.split(f'id="f-{field}-error"')[1].split("</p>")[0]
    assert message in error
    assert 'id="error-summary"' in response.text
    assert not VALIDATOR_WORDS.search(response.text), VALIDATOR_WORDS.search(response.text)


def test_a_member_role_ignores_a_member_for_other_roles(
    admin_web: TestClient, site: Site, web_engine: Engine
) -> None:
    form = user_form(username="mo", role="manager", member_id=str(site.member_id))
    assert post(admin_web, "/admin/users", form).status_code == 303
    assert users_named(web_engine, "mo")[0].member_id is None


@pytest.mark.parametrize("path", ["/admin/users", "/admin/tokens"])
def test_manager_gets_the_friendly_403(web: TestClient, site: Site, path: str) -> None:
    sign_in(web, "manager")
    response = web.get(path)
    assert response.status_code == 403
    assert "You are signed in as manager (manager)" in response.text
    token = csrf_of(web.get("/admin/members").text)
    refused = web.post(path, data={**user_form(username="x"), "csrf_token": token})
    assert refused.status_code == 403


def test_nav_shows_admin_entries_to_admins_only(web: TestClient, site: Site) -> None:
    sign_in(web, "admin")
    html = web.get("/admin/members").text
    assert 'href="/admin/users"' in html and 'href="/admin/tokens"' in html
    assert 'href="/admin/teams"' in html
    web.cookies.clear()
    sign_in(web, "manager")
    html = web.get("/admin/members").text
    assert 'href="/admin/users"' not in html and 'href="/admin/tokens"' not in html
    assert 'href="/admin/members" aria-current="page"' in html


def user_id(engine: Engine, name: str) -> int:
    [user] = users_named(engine, name)
    return user.id


def edit_form(**overrides: str) -> dict[str, str]:
    data = {"role": "manager", "member_id": "", "active": "on", "password": ""}
    data.update(overrides)
    return data


def test_the_edit_page_shows_the_user_as_it_is(
    admin_web: TestClient, site: Site, web_engine: Engine
) -> None:
    assert f'href="/admin/users/{user_id(web_engine, "member")}">member</a>' in (
        admin_web.get("/admin/users").text
    )
    html = admin_web.get(f"/admin/users/{user_id(web_engine, 'member')}").text
    assert '<option value="member" selected>' in html
    assert f'<option value="{site.member_id}" selected>' in html
    assert 'id="f-active" name="active" value="on" checked' in html
    assert admin_web.get("/admin/users/999").status_code == 404


def test_deactivating_a_user_signs_them_out_at_once(
    admin_web: TestClient, site: Site, web_engine: Engine
) -> None:
    with TestClient(admin_web.app, follow_redirects=False) as manager_web:
        sign_in(manager_web, "manager")
        assert manager_web.get("/admin/achievements").status_code == 200
        manager = user_id(web_engine, "manager")
        # The form without its checkbox is a cleared checkbox.
        form = edit_form()
        del form["active"]
        response = post(admin_web, f"/admin/users/{manager}", form)
        assert response.status_code == 303
        assert "inactive: they can no longer sign in" in admin_web.get("/admin/users").text
        answer = manager_web.get("/admin/achievements")
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
        assert users_named(web_engine, "manager")[0].active is False
        with pytest.raises(AssertionError):
            sign_in(manager_web, "manager")


def test_a_new_password_is_the_one_that_signs_in(
    admin_web: TestClient, web: TestClient, site: Site, web_engine: Engine
) -> None:
    manager = user_id(web_engine, "manager")
    response = post(admin_web, f"/admin/users/{manager}", edit_form(password="a fresh secret"))
    assert response.status_code == 303
    with TestClient(admin_web.app, follow_redirects=False) as other:
        sign_in(other, "manager", "a fresh secret")
    # An empty password field keeps the password.
    assert post(admin_web, f"/admin/users/{manager}", edit_form(role="admin")).status_code == 303
    with TestClient(admin_web.app, follow_redirects=False) as other:
        sign_in(other, "manager", "a fresh secret")
    assert users_named(web_engine, "manager")[0].role == "admin"


def test_a_member_user_whose_member_left_can_still_be_deactivated(
    admin_web: TestClient, site: Site, web_engine: Engine
) -> None:
    with Session(web_engine) as session:
        ada = session.get(Member, site.member_id)
        assert ada is not None
        ada.active = False
        session.commit()
    member_user = user_id(web_engine, "member")
    html = admin_web.get(f"/admin/users/{member_user}").text
    assert (
        f'<option value="{site.member_id}" selected>Ada Lovelace (#{site.member_id}, inactive)'
        in html
    )
    form = edit_form(role="member", member_id=str(site.member_id))
    del form["active"]
    assert post(admin_web, f"/admin/users/{member_user}", form).status_code == 303
    [user] = users_named(web_engine, "member")
    assert (user.active, user.member_id) == (False, site.member_id)


def test_the_only_admin_cannot_lock_everyone_out(
    admin_web: TestClient, site: Site, web_engine: Engine
) -> None:
    admin = user_id(web_engine, "admin")
    response = post(admin_web, f"/admin/users/{admin}", edit_form(role="manager"))
    assert response.status_code == 409
    assert "the only active admin user" in response.text
    assert users_named(web_engine, "admin")[0].role == "admin"


def test_edit_errors_are_shown_next_to_the_fields(
    admin_web: TestClient, site: Site, web_engine: Engine
) -> None:
    manager = user_id(web_engine, "manager")
    response = post(admin_web, f"/admin/users/{manager}", edit_form(password="short"))
    assert response.status_code == 400
    assert 'id="f-password-error"' in response.text
    response = post(admin_web, f"/admin/users/{manager}", edit_form(role="member"))
    assert response.status_code == 400
    assert "Choose the member this role acts as." in response.text
    assert users_named(web_engine, "manager")[0].role == "manager"


# ---- tokens ---------------------------------------------------------------------------


def issue(client: TestClient, **overrides: str) -> httpx.Response:
    data = {"name": "CRM sync", "role": "admin", "member_id": ""}
    data.update(overrides)
    return post(client, "/admin/tokens", data)


def test_token_secret_is_shown_once_and_works(admin_web: TestClient, site: Site) -> None:
    response = issue(admin_web)
    assert response.status_code == 201
    assert "it will not be shown again" in response.text
    assert response.headers["cache-control"] == "no-store"
    match = SECRET.search(response.text)
    assert match
    secret = match.group(1)
    api = admin_web.get("/api/v1/members", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 200 and "Ada Lovelace" in api.text
    again = admin_web.get("/admin/tokens").text
    assert secret not in again and "CRM sync" in again and "In use" in again
    assert secret not in admin_web.get("/admin/members").text


def test_token_bad_input(admin_web: TestClient, site: Site) -> None:
    response = issue(admin_web, name="")
    assert response.status_code == 400 and 'id="f-name-error"' in response.text
    response = issue(admin_web, role="member")
    assert response.status_code == 400
    assert "Choose the member this role acts as." in response.text
    assert SECRET.search(response.text) is None


def test_member_token_is_bound(admin_web: TestClient, site: Site, web_engine: Engine) -> None:
    response = issue(admin_web, name="Ada's app", role="member", member_id=str(site.member_id))
    assert response.status_code == 201
    with Session(web_engine) as session:
        row = session.scalars(select(ApiToken).where(ApiToken.name == "Ada's app")).one()
        assert row.member_id == site.member_id and row.role == "member"


def test_revoke_token_with_confirmation(
    admin_web: TestClient, site: Site, web_engine: Engine
) -> None:
    match = SECRET.search(issue(admin_web).text)
    assert match
    secret = match.group(1)
    with Session(web_engine) as session:
        token_id = session.scalars(select(ApiToken.id).where(ApiToken.name == "CRM sync")).one()
    path = f"/admin/tokens/{token_id}/revoke"
    confirm = admin_web.get(path)
    assert confirm.status_code == 200 and "Revoke “CRM sync”?" in confirm.text
    done = admin_web.post(path, data={"csrf_token": csrf_of(confirm.text)})
    assert done.status_code == 303
    html = admin_web.get("/admin/tokens").text
    assert "Revoked the token “CRM sync”" in html and "state-revoked" in html
    api = admin_web.get("/api/v1/members", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 401
    assert admin_web.get(path).status_code == 303
    assert admin_web.get("/admin/tokens/abc/revoke").status_code == 404
    assert admin_web.get("/admin/tokens/4242/revoke").status_code == 404


def test_member_user_is_refused_tokens(web: TestClient, site: Site) -> None:
    sign_in(web, "member", PASSWORD)
    assert web.get("/admin/tokens").status_code == 403
