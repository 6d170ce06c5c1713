"""Embed pages and their headers (issue 19, embedding): who may frame what, the Embed page
(/admin/embeds) and its form, and the setting that lists the framing sites. The API and the
links themselves, on both databases: tests/api/test_embeds.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from pydantic import ValidationError

from plaudit.clock import FixedClock
from plaudit.config import Settings
from tests.app_cache import app_for
from tests.one_hop_client import TestClient
from tests.web.conftest import sign_in, web_settings
from tests.web.helpers import Site, csrf_of

PARTNER = "https://portal.partner.example"
LINK = re.compile(r'id="embed-url"[^>]*value="([^"]+)"')


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 18, 13, 0, tzinfo=UTC))


@pytest.fixture
def embed_web(site: Site, web_database_url: str, clock: FixedClock) -> Iterator[TestClient]:
    settings = web_settings(
        web_database_url, embed_allowed_origins=f"{PARTNER}/, http://x.test:8080"
    )
    with TestClient(app_for(settings, clock), follow_redirects=False) as client:
        yield client


def make_link(client: TestClient, **fields: str) -> tuple[int, str]:
    """Post the Embed page's form as a signed-in admin: (status, the link shown)."""
    page = client.get("/admin/embeds")
    assert page.status_code == 200, page.text
    form = {"csrf_token": csrf_of(page.text), "expires_in": "3600", **fields}
    answer = client.post("/admin/embeds", data=form)
    found = LINK.search(answer.text)
    return answer.status_code, unescape(found.group(1)) if found else ""


def local(url: str) -> str:
    return url.removeprefix("http://testserver")


def test_embed_pages_may_be_framed_by_the_configured_sites_only(
    embed_web: TestClient, site: Site
) -> None:
    sign_in(embed_web, "admin")
    status, url = make_link(embed_web, kind="portal", member_id=str(site.member_id))
    assert status == 200 and url.startswith("http://testserver/embed/portal?t=")
    embed_web.cookies.clear()  # the frame on the other site has no Plaudit cookie
    page = embed_web.get(local(url))
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert csp.endswith(f"frame-ancestors 'self' {PARTNER} http://x.test:8080")
    assert "x-frame-options" not in page.headers
    assert "set-cookie" not in page.headers
    # the refusal is framed as well, so that the other site shows why
    refused = embed_web.get("/embed/portal?t=nonsense")
    assert refused.status_code == 403
    assert "frame-ancestors 'self' " + PARTNER in refused.headers["content-security-policy"]
    # every other page still refuses every frame
    for path in ("/login", "/static/css/embed.css", "/no-such-page"):
        other = embed_web.get(path)
        assert other.headers["x-frame-options"] == "DENY", path
        assert other.headers["content-security-policy"].endswith("frame-ancestors 'none'")


def test_without_origins_embed_pages_refuse_every_frame(web: TestClient) -> None:
    page = web.get("/embed/leaderboard?t=x")
    assert page.status_code == 403
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["content-security-policy"].endswith("frame-ancestors 'none'")


def test_the_embed_page_says_when_embedding_is_off(admin_web: TestClient) -> None:
    page = admin_web.get("/admin/embeds")
    assert page.status_code == 200
    assert "Embedding is off" in page.text and "PLAUDIT_EMBED_ALLOWED_ORIGINS" in page.text
    assert 'action="/admin/embeds"' not in page.text


def test_a_leaderboard_link_from_the_form(embed_web: TestClient, clock: FixedClock) -> None:
    sign_in(embed_web, "manager")
    status, url = make_link(
        embed_web,
        kind="leaderboard",
        measure="deals/count",
        period="week",
        theme_primary="#aa0000",
        theme_secondary="#ffffff",
    )
    assert status == 200, url
    page = embed_web.get(local(url))
    assert page.status_code == 200
    assert "Deals: number of records · This week" in page.text
    assert "--org-primary: #aa0000;" in page.text
    clock.now += timedelta(hours=1)
    assert embed_web.get(local(url)).status_code == 403


def test_the_snippet_is_an_iframe_of_the_link(embed_web: TestClient, site: Site) -> None:
    sign_in(embed_web, "admin")
    page = embed_web.get("/admin/embeds?kind=portal&member_id=" + str(site.member_id))
    answer = embed_web.post(
        "/admin/embeds",
        data={
            "csrf_token": csrf_of(page.text),
            "kind": "portal",
            "member_id": str(site.member_id),
            "expires_in": "86400",
        },
    )
    shown = re.search(r'id="embed-snippet"[^>]*>([^<]*)<', answer.text)
    link = LINK.search(answer.text)
    assert shown is not None and link is not None, answer.text
    snippet, url = unescape(shown.group(1)), unescape(link.group(1))
    assert snippet == (
        f'<iframe src="{url}" title="Achievements of Ada Lovelace" width="100%" height="720" '
        'style="border:0" loading="lazy"></iframe>'
    )
    assert "It works until 2026-11-19 13:00 (UTC)" in answer.text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "portal", "member_id": ""}, "Choose a member from the list."),
        ({"kind": "portal", "member_id": "99999"}, "member 99999 does not exist"),
        ({"kind": "leaderboard", "measure": "board-777"}, "board 777 does not exist"),
        ({"kind": "leaderboard", "measure": "points", "period": "last-month"}, "current period"),
        ({"kind": "leaderboard", "measure": "nope/count"}, "source 'nope' does not exist"),
        ({"kind": "portal", "member_id": "1", "expires_in": "60000000"}, "at most"),
    ],
)
def test_bad_choices_are_named_and_make_no_link(
    embed_web: TestClient, fields: dict[str, str], message: str
) -> None:
    sign_in(embed_web, "admin")
    status, url = make_link(embed_web, **fields)
    assert status == 400 and url == ""
    page = embed_web.post(
        "/admin/embeds",
        data={
            "csrf_token": csrf_of(embed_web.get("/admin/embeds").text),
            "expires_in": "3600",
            **fields,
        },
    )
    assert message.lower() in unescape(page.text).lower(), page.text
    assert "Please fix" in page.text


def test_the_portal_and_leaderboard_link_to_the_embed_page_for_staff_only(
    embed_web: TestClient, site: Site
) -> None:
    sign_in(embed_web, "admin")
    portal = embed_web.get(f"/portal?member_id={site.member_id}").text
    assert f'href="/admin/embeds?kind=portal&amp;member_id={site.member_id}"' in portal
    assert (
        'href="/admin/embeds?kind=leaderboard&amp;measure=points"'
        in embed_web.get("/leaderboard").text
    )
    embed_web.post("/logout", headers={"X-CSRF-Token": csrf_of(portal)})
    sign_in(embed_web, "member")
    assert "/admin/embeds" not in embed_web.get("/portal").text
    assert "/admin/embeds" not in embed_web.get("/leaderboard").text


@pytest.mark.parametrize(
    "value",
    [
        "portal.example.com",
        "https://portal.example.com/path",
        "https://a.example; script-src *",
        "https://'self'",
        "ftp://files.example.com",
        "https://example.com:70000",
    ],
)
def test_a_bad_origin_stops_the_start_naming_it(value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(embed_allowed_origins=value)
    assert "is not a web origin" in str(caught.value) or "port" in str(caught.value)
    assert value.split(",")[0] in str(caught.value)


def test_origins_are_normalised() -> None:
    settings = Settings(
        embed_allowed_origins=" https://Portal.Example.com/ ,http://127.0.0.1:8001,, "
        "https://*.partner.example, https://portal.example.com"
    )
    assert settings.embed_origins == (
        "https://portal.example.com",
        "http://127.0.0.1:8001",
        "https://*.partner.example",
    )


def test_embed_colours_must_be_colours() -> None:
    with pytest.raises(ValidationError, match="not a colour"):
        Settings(embed_background_color="white")
    assert Settings(embed_primary_color=" #ABC ").embed_primary_color == "#ABC"
