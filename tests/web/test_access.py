"""Every page route, from the route table: CSRF on every unsafe method, sign-in required,
and roles. A new page is covered without anyone adding it here."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute

from plaudit.kit.roles import STAFF, Role
from plaudit.web.csrf import verify_csrf
from plaudit.web.errors import is_page_path
from plaudit.web.routes.embed import link_token
from tests.one_hop_client import TestClient
from tests.reference_app import route_contexts
from tests.web.conftest import sign_in

PUBLIC = {("GET", "/login"), ("POST", "/login"), ("GET", "/badges/{public_id:public_id}")}
"""Open to anyone: the sign-in page, and the public page of a published badge (publishing
is what makes it public: tests/web/test_public_badge_pages.py)."""
EMBED = {
    ("GET", "/embed/portal"),
    ("GET", "/embed/leaderboard"),
    ("GET", "/embed/badges/{achievement_id}"),
}
"""Embed pages open without signing in: the signed link (`?t=`) is their credential
(tests/web/test_embed_pages.py)."""


def page_routes() -> list[tuple[str, str, APIRoute]]:
    """(method, path, route) of every page, also where FastAPI keeps included routers apart."""
    flat = [(getattr(ctx, "original_route", ctx), ctx.path or "") for ctx in route_contexts()]
    out = []
    for route, path in flat:
        if isinstance(route, APIRoute) and is_page_path(path):
            for method in sorted(route.methods - {"HEAD"}):
                out.append((method, path, route))
    return out


ROUTES = page_routes()
ROUTE_IDS = [f"{m} {p}" for m, p, _ in ROUTES]


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def roles_of(route: APIRoute) -> frozenset[Role] | None:
    for dependency in route.dependant.dependencies:
        roles = getattr(dependency.call, "roles", None)
        if roles is not None:
            return frozenset(roles)
    return None


def test_there_are_page_routes_and_none_are_in_the_api_docs() -> None:
    assert len(ROUTES) >= 10
    assert all(not route.include_in_schema for _, _, route in ROUTES)
    assert all(not path.startswith("/api") for _, path, _ in ROUTES)


@pytest.mark.parametrize(("method", "path", "route"), ROUTES, ids=ROUTE_IDS)
def test_every_page_route_checks_csrf(method: str, path: str, route: APIRoute) -> None:
    assert any(d.call is verify_csrf for d in route.dependant.dependencies), (
        f"{method} {path} is not on a page_router(): its forms would not be CSRF-checked"
    )


@pytest.mark.parametrize(("method", "path", "route"), ROUTES, ids=ROUTE_IDS)
def test_every_page_but_login_needs_a_role(method: str, path: str, route: APIRoute) -> None:
    if (method, path) in PUBLIC or path == "/logout":
        return
    if (method, path) in EMBED:
        assert any(d.call is link_token for d in route.dependant.dependencies), path
        return
    assert roles_of(route) is not None, f"{method} {path} does not say which roles may open it"


def test_only_the_embed_pages_open_with_a_link_instead_of_a_sign_in() -> None:
    linked = {
        (m, p)
        for m, p, route in ROUTES
        if any(d.call is link_token for d in route.dependant.dependencies)
    }
    assert linked == EMBED
    assert {(m, p) for m, p, _ in ROUTES if p.startswith("/embed")} == EMBED


UNSAFE = [(m, p) for m, p, _ in ROUTES if m != "GET"]


@pytest.mark.parametrize(("method", "path"), UNSAFE, ids=[f"{m} {p}" for m, p in UNSAFE])
def test_unsafe_requests_without_the_token_are_refused(
    admin_web: TestClient, method: str, path: str
) -> None:
    for data in ({}, {"csrf_token": "wrong"}):
        response = admin_web.request(method, concrete(path), data=data)
        assert response.status_code == 403, (method, path, response.status_code)
        assert "Form expired" in response.text
        assert response.headers["content-type"].startswith("text/html")


def test_token_in_header_is_accepted(admin_web: TestClient) -> None:
    from tests.web.helpers import csrf_of

    token = csrf_of(admin_web.get("/admin/achievements").text)
    response = admin_web.post("/logout", headers={"X-CSRF-Token": token})
    assert response.status_code == 303


def test_login_form_is_csrf_protected_too(web: TestClient) -> None:
    response = web.post("/login", data={"username": "admin", "password": "x"})
    assert response.status_code == 403


GETS = [(p, route) for m, p, route in ROUTES if m == "GET" and (m, p) not in PUBLIC | EMBED]


@pytest.mark.parametrize(("path", "route"), GETS, ids=[p for p, _ in GETS])
def test_anonymous_get_redirects_to_login(web: TestClient, path: str, route: APIRoute) -> None:
    response = web.get(concrete(path))
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


ADMIN_GETS = [(p, route) for p, route in GETS if p.startswith("/admin")]


@pytest.mark.parametrize("username", ["member", "ingest"])
@pytest.mark.parametrize(("path", "route"), ADMIN_GETS, ids=[p for p, _ in ADMIN_GETS])
def test_admin_pages_refuse_other_roles_with_a_friendly_page(
    web: TestClient, username: str, path: str, route: APIRoute
) -> None:
    roles = roles_of(route)
    assert roles and roles <= frozenset(STAFF)  # admin pages are for staff, some for admins only
    sign_in(web, username)
    response = web.get(concrete(path))
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "This page is not for your role" in response.text
    assert f"signed in as {username}" in response.text
    assert 'href="/admin/achievements"' not in response.text  # no admin menu for them


@pytest.mark.parametrize("username", ["admin", "manager"])
def test_staff_see_the_admin_pages(web: TestClient, username: str) -> None:
    sign_in(web, username)
    response = web.get("/admin/achievements")
    assert response.status_code == 200
    assert 'aria-current="page"' in response.text


def test_member_home_has_no_admin_links(web: TestClient) -> None:
    sign_in(web, "member")
    response = web.get("/")
    assert response.status_code == 200
    assert "/admin/" not in response.text


def test_pages_carry_security_headers_and_the_api_keeps_json(admin_web: TestClient) -> None:
    page = admin_web.get("/admin/achievements")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"
    api = admin_web.get("/api/v1/achievements")
    assert api.status_code == 401  # a page session is no API credential
    assert api.headers["content-type"] == "application/problem+json"
    assert "content-security-policy" not in api.headers


def test_unknown_pages_are_html_and_unknown_api_paths_json(admin_web: TestClient) -> None:
    page = admin_web.get("/no/such/page")
    assert page.status_code == 404
    assert "Page not found" in page.text
    assert "Sign out" in page.text  # the error page knows who is signed in
    assert admin_web.get("/api/v1/no/such").headers["content-type"] == "application/problem+json"
