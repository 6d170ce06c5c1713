"""Signing in and out: the session cookie, failure messages, throttling, safe redirects."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import Engine, update

from plaudit.app import create_app
from plaudit.models import User
from plaudit.web.access import safe_next
from tests.one_hop_client import TestClient
from tests.web.conftest import sign_in, sign_in_with_form, web_settings
from tests.web.helpers import PASSWORD, csrf_of


def post_login(
    client: TestClient, username: str, password: str, next_path: str = ""
) -> httpx.Response:
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login",
        data={"username": username, "password": password, "next": next_path, "csrf_token": token},
    )


def test_anonymous_visitor_is_sent_to_login_with_next(web: TestClient) -> None:
    response = web.get("/admin/achievements?state=active")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fadmin%2Fachievements%3Fstate%3Dactive"


def test_sign_in_goes_to_next_and_sets_a_protected_cookie(web: TestClient) -> None:
    response = post_login(web, "admin", PASSWORD, "/admin/achievements")
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/achievements"
    cookie = response.headers["set-cookie"].lower()
    assert "plaudit_session=" in cookie
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" not in cookie
    page = web.get("/admin/achievements")
    assert page.status_code == 200
    assert "Sign out" in page.text


def test_cookie_is_secure_when_configured(site: object, web_database_url: str) -> None:
    app = create_app(web_settings(web_database_url, secure_cookies=True))
    with TestClient(app, follow_redirects=False, base_url="https://testserver") as client:
        response = post_login(client, "admin", PASSWORD)
        assert "; secure" in response.headers["set-cookie"].lower()


def test_wrong_password_is_refused_with_a_message(web: TestClient) -> None:
    response = post_login(web, "admin", "not the password")
    assert response.status_code == 400
    assert "Wrong user name or password." in response.text
    assert web.get("/admin/achievements").status_code == 303


def test_unknown_user_gets_the_same_message(web: TestClient) -> None:
    response = post_login(web, "nobody", PASSWORD)
    assert response.status_code == 400
    assert "Wrong user name or password." in response.text


def test_inactive_user_cannot_sign_in(web: TestClient, web_engine: Engine) -> None:
    with web_engine.begin() as conn:
        conn.execute(update(User).where(User.username == "manager").values(active=False))
    response = post_login(web, "manager", PASSWORD)
    assert response.status_code == 400


def test_deactivating_a_user_ends_their_session(web: TestClient, web_engine: Engine) -> None:
    sign_in(web, "manager")
    assert web.get("/admin/achievements").status_code == 200
    with web_engine.begin() as conn:
        conn.execute(update(User).where(User.username == "manager").values(active=False))
    assert web.get("/admin/achievements").status_code == 303


def test_repeated_failures_are_throttled_even_with_the_right_password(web: TestClient) -> None:
    for _ in range(5):
        assert post_login(web, "admin", "guess").status_code == 400
    response = post_login(web, "admin", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.text
    # Another user name from the same address is still allowed.
    assert post_login(web, "manager", PASSWORD).status_code == 303


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "evil.example",
        "/ok\r\nSet-Cookie: x=1",
        "/" + "a" * 3000,
        "",
    ],
)
def test_next_refuses_anything_but_a_local_path(web: TestClient, target: str) -> None:
    assert safe_next(target) == "/"
    response = post_login(web, "admin", PASSWORD, target)
    assert response.headers["location"] == "/"


@pytest.mark.parametrize("target", ["/admin/achievements", "/admin/achievements/3?x=1&y=%2F"])
def test_next_keeps_local_paths(target: str) -> None:
    assert safe_next(target) == target


def test_login_page_keeps_a_safe_next_only(web: TestClient) -> None:
    page = web.get("/login", params={"next": "https://evil.example/"})
    assert 'name="next" value="/"' in page.text
    page = web.get("/login", params={"next": "/admin/achievements"})
    assert 'name="next" value="/admin/achievements"' in page.text


def test_signed_in_user_visiting_login_is_sent_on(admin_web: TestClient) -> None:
    response = admin_web.get("/login", params={"next": "/admin/achievements"})
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/achievements"


def test_sign_out_needs_post_and_csrf_and_ends_the_session(admin_web: TestClient) -> None:
    assert admin_web.get("/logout").status_code == 405
    assert admin_web.post("/logout").status_code == 403
    assert admin_web.get("/admin/achievements").status_code == 200
    token = csrf_of(admin_web.get("/admin/achievements").text)
    response = admin_web.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert "You are signed out." in admin_web.get("/login").text
    assert admin_web.get("/admin/achievements").status_code == 303


def test_sign_in_starts_a_new_csrf_token(web: TestClient) -> None:
    before = csrf_of(web.get("/login").text)
    sign_in_with_form(web, "admin")
    after = csrf_of(web.get("/admin/achievements").text)
    assert before != after


def test_a_forged_cookie_is_ignored(web: TestClient) -> None:
    web.cookies.set("plaudit_session", "eyJ1aWQiOiAxfQ==.forged.signature")
    assert web.get("/admin/achievements").status_code == 303
