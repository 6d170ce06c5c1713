"""Embedding (issue 19, "Beyond the seeds: Embedding"): POST /embeds issues a signed,
expiring link to a member's portal or a leaderboard, and the link opens /embed/... without
signing in, on SQLite and PostgreSQL. Headers and framing: tests/web/test_embed_pages.py;
framing from another origin in chromium: tests/web/test_browser_embed.py."""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from pydantic import SecretStr
from sqlalchemy.engine import Engine

from plaudit.app import create_app
from plaudit.clock import FixedClock
from plaudit.config import Settings
from tests.api.test_errors import bad_fields, problem
from tests.api.test_role_matrix import BADGE
from tests.app_cache import app_for
from tests.conftest import ADMIN_TOKEN, Api
from tests.one_hop_client import TestClient

ORIGINS = "https://portal.example.com, http://127.0.0.1:8001"


@pytest.fixture
def embed_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"embed_allowed_origins": ORIGINS})


@pytest.fixture
def client(clean_db: Engine, embed_settings: Settings, clock: FixedClock) -> Iterator[TestClient]:
    """The app with embedding on (the conftest's `client` has no allowed origins)."""
    with TestClient(app_for(embed_settings, clock)) as test_client:
        yield test_client


def page_of(client: TestClient, url: str) -> Any:
    parts = urlsplit(url)
    assert parts.scheme == "http" and parts.netloc == "testserver"
    return client.get(f"{parts.path}?{parts.query}")


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["t"][0]


def payload_of(token: str) -> dict[str, Any]:
    """The signed payload, read as anyone holding the link can read it (it is not secret)."""
    compressed = token.startswith(".")  # itsdangerous zips a payload when that is shorter
    head = token.removeprefix(".").split(".")[0]
    raw = base64.urlsafe_b64decode(head + "=" * (-len(head) % 4))
    data: dict[str, Any] = json.loads(zlib.decompress(raw) if compressed else raw)
    return data


def with_payload(token: str, payload: dict[str, Any]) -> str:
    """The token with another payload and the original signature: a forgery."""
    raw = json.dumps(payload, separators=(",", ":")).encode()
    head = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return head + "." + token.rsplit(".", 1)[1]


def member(admin: Api, name: str) -> int:
    return int(admin.ok("POST", "/members", 201, json={"name": name})["id"])


def test_staff_issue_a_portal_link_that_shows_that_member_only(
    admin: Api, tokens: dict[str, str], client: TestClient, clock: FixedClock
) -> None:
    ada, bo = member(admin, "Ada Lovelace"), member(admin, "Bo Diddley")
    made = admin.ok(
        "POST",
        "/achievements",
        201,
        json={"key": "kudos", "name": "Kudos", "category": "award", "points": 5},
    )
    admin.ok("POST", f"/members/{ada}/awards", 201, json={"achievement_id": made["id"]})
    for role in ("admin", "manager"):
        answer = admin.as_token(tokens[role]).ok(
            "POST", "/embeds", 201, json={"kind": "portal", "member_id": ada}
        )
        assert answer["kind"] == "portal"
        assert answer["url"].startswith("http://testserver/embed/portal?t=")
        assert answer["expires_at"] == (clock.now + timedelta(hours=1)).isoformat()
        page = page_of(client, answer["url"])
        assert page.status_code == 200, page.text
        assert "Achievements of Ada Lovelace" in page.text
        assert "Kudos" in page.text and "+5 points" in page.text
        assert "Bo Diddley" not in page.text
        assert "set-cookie" not in page.headers  # no session: nothing for a third-party frame
        assert "<form" not in page.text and "site-nav" not in page.text  # read-only, no menu
    assert payload_of(token_of(answer["url"])).keys() == {"kind", "member_id", "exp"}
    assert bo  # the other member exists, and is nowhere in the link or the page


def test_the_link_expires_by_the_servers_clock(
    admin: Api, client: TestClient, clock: FixedClock
) -> None:
    ada = member(admin, "Ada")
    url = admin.ok(
        "POST", "/embeds", 201, json={"kind": "portal", "member_id": ada, "expires_in": 120}
    )["url"]
    clock.now += timedelta(seconds=119)
    assert page_of(client, url).status_code == 200
    clock.now += timedelta(seconds=1)
    refused = page_of(client, url)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    assert "Embed link expired" in refused.text
    assert "expired on 2026-11-18 at 13:02 (UTC)" in refused.text
    assert "Ada" not in refused.text


def test_an_altered_or_misused_link_is_a_clear_403(admin: Api, client: TestClient) -> None:
    ada, bo = member(admin, "Ada"), member(admin, "Bo")
    url = admin.ok("POST", "/embeds", 201, json={"kind": "portal", "member_id": ada})["url"]
    token = token_of(url)
    forged = with_payload(token, {**payload_of(token), "member_id": bo})
    longer = with_payload(token, {**payload_of(token), "exp": payload_of(token)["exp"] + 10**6})
    flipped = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    for bad in (forged, longer, flipped, token[:20], "", "not-a-token"):
        answer = client.get("/embed/portal", params={"t": bad})
        assert answer.status_code == 403, bad
        assert "This embed link is not valid" in answer.text
        assert "Bo" not in answer.text and "Ada" not in answer.text
    # a portal link does not open the leaderboard
    wrong_kind = client.get("/embed/leaderboard", params={"t": token})
    assert wrong_kind.status_code == 403 and "not valid" in wrong_kind.text


def test_a_link_made_under_another_secret_key_is_refused(
    admin: Api, clean_db: Engine, embed_settings: Settings, clock: FixedClock
) -> None:
    keyed = embed_settings.model_copy(update={"secret_key": SecretStr("one-key-for-all")})
    other = keyed.model_copy(update={"secret_key": SecretStr("another-key")})
    with TestClient(create_app(keyed, clock=clock)) as first:
        ada = member(Api(first, ADMIN_TOKEN), "Ada")
        url = Api(first, ADMIN_TOKEN).ok(
            "POST", "/embeds", 201, json={"kind": "portal", "member_id": ada}
        )["url"]
    with TestClient(create_app(keyed, clock=clock)) as second:  # another process, same key
        assert page_of(second, url).status_code == 200
    with TestClient(create_app(other, clock=clock)) as third:
        assert page_of(third, url).status_code == 403


def test_a_member_embeds_only_their_own_portal(
    admin: Api, tokens: dict[str, str], client: TestClient
) -> None:
    me = admin.as_token(tokens["member"])
    own = int(tokens["member_id"])
    other = member(admin, "Somebody Else")
    url = me.ok("POST", "/embeds", 201, json={"kind": "portal"})["url"]
    assert payload_of(token_of(url))["member_id"] == own
    assert "Token Holder" in page_of(client, url).text
    assert me.ok("POST", "/embeds", 201, json={"kind": "portal", "member_id": own})
    body = problem(me.post("/embeds", json={"kind": "portal", "member_id": other}), 403)
    assert "only their own portal" in body["detail"]
    body = problem(me.post("/embeds", json={"kind": "leaderboard"}), 403)
    assert "not a leaderboard" in body["detail"]
    problem(admin.as_token(tokens["ingest"]).post("/embeds", json={"kind": "portal"}), 403)
    problem(admin.as_token(None).post("/embeds", json={"kind": "portal"}), 401)


def test_a_leaderboard_link_shows_the_chosen_board_even_unpublished(
    admin: Api, client: TestClient
) -> None:
    fields = [{"name": "value", "type": "number"}]
    admin.ok("POST", "/sources", 201, json={"key": "deals", "name": "Deals", "fields": fields})
    for name, value in (("Ann", 5), ("Ben", 30), ("Cy", 12)):
        admin.ok(
            "POST",
            "/sources/deals/records",
            200,
            json={
                "member_id": member(admin, name),
                "occurred_at": "2026-11-18T10:00:00Z",
                "data": {"value": value},
            },
        )
    saved = admin.ok(
        "POST",
        "/leaderboard/boards",
        201,
        json={
            "name": "Deal value",
            "published": False,
            "measure": {"source": "deals", "aggregate": "sum", "field": "value"},
        },
    )
    url = admin.ok("POST", "/embeds", 201, json={"kind": "leaderboard", "board_id": saved["id"]})[
        "url"
    ]
    assert url.startswith("http://testserver/embed/leaderboard?t=")
    assert payload_of(token_of(url))["query"] == {"board_id": saved["id"]}
    page = page_of(client, url)
    assert page.status_code == 200, page.text
    assert "Deal value · This month" in page.text
    text = page.text
    assert text.index("Ben") < text.index("Cy") < text.index("Ann")  # ranked by the sum
    assert "30" in text and "Sum of value" in text

    weekly = admin.ok(
        "POST",
        "/embeds",
        201,
        json={"kind": "leaderboard", "source": "deals", "aggregate": "count", "period": "week"},
    )["url"]
    week_page = page_of(client, weekly)
    assert week_page.status_code == 200
    assert "This week" in week_page.text and "number of records" in week_page.text
    points = page_of(client, admin.ok("POST", "/embeds", 201, json={"kind": "leaderboard"})["url"])
    assert "Points · This month" in points.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "portal", "expires_in": 59}, "body.expires_in"),
        ({"kind": "portal", "expires_in": 30 * 86400 + 1}, "body.expires_in"),
        ({"kind": "portal", "expires_in": "3600"}, "body.expires_in"),
        ({"kind": "portal", "board_id": 1}, "body.board_id"),
        ({"kind": "leaderboard", "member_id": 1}, "body.member_id"),
        ({"kind": "portal"}, "body.member_id"),
        ({"kind": "leaderboard", "aggregate": "sum"}, "body.aggregate"),
        ({"kind": "portal", "theme": {"primary": "red"}}, "body.theme.primary"),
        ({"kind": "portal", "theme": {"primary": "#fff;}body{x:y"}}, "body.theme.primary"),
        ({"kind": "banner"}, "body.kind"),
    ],
)
def test_bad_requests_name_the_field_and_make_nothing(
    admin: Api, client: TestClient, body: dict[str, Any], field: str
) -> None:
    ada = member(admin, "Ada")
    if body["kind"] == "portal" and field != "body.member_id":
        body = {**body, "member_id": ada}
    answer = problem(admin.post("/embeds", json=body), 422, body)
    assert field in bad_fields(answer), answer
    assert "String should" not in answer["detail"]
    assert all(e["action"] != "embed.issue" for e in admin.ok("GET", "/audit"))


def test_unknown_things_are_404_and_no_link_is_made(admin: Api) -> None:
    for body, words in (
        ({"kind": "portal", "member_id": 999}, "member 999"),
        ({"kind": "leaderboard", "board_id": 999}, "board 999"),
        ({"kind": "leaderboard", "team_id": 999}, "team 999"),
        ({"kind": "leaderboard", "source": "nope"}, "nope"),
    ):
        answer = problem(admin.post("/embeds", json=body), 404, body)
        assert words in answer["detail"], answer
    assert all(e["action"] != "embed.issue" for e in admin.ok("GET", "/audit"))


def test_issuing_is_audited(admin: Api, client: TestClient) -> None:
    ada = member(admin, "Ada")
    admin.ok("POST", "/embeds", 201, json={"kind": "portal", "member_id": ada})
    event = next(e for e in admin.ok("GET", "/audit") if e["action"] == "embed.issue")
    assert (event["entity_type"], event["entity_id"]) == ("member", ada)
    assert event["details"]["kind"] == "portal"


def test_without_allowed_origins_embedding_is_off(
    admin: Api, embed_settings: Settings, clock: FixedClock
) -> None:
    ada = member(admin, "Ada")
    off = embed_settings.model_copy(update={"embed_allowed_origins": ""})
    with TestClient(app_for(off, clock)) as plain:
        body = problem(
            Api(plain, ADMIN_TOKEN).post("/embeds", json={"kind": "portal", "member_id": ada}),
            409,
        )
    assert body["code"] == "embedding_off"
    assert "PLAUDIT_EMBED_ALLOWED_ORIGINS" in body["detail"]


def test_the_theme_travels_in_the_link_and_settings_give_the_rest(
    admin: Api, client: TestClient, embed_settings: Settings, clock: FixedClock
) -> None:
    ada = member(admin, "Ada")
    theme = {"primary": "#aa1100", "background": "#102030"}
    url = admin.ok(
        "POST", "/embeds", 201, json={"kind": "portal", "member_id": ada, "theme": theme}
    )["url"]
    assert payload_of(token_of(url))["theme"] == theme
    text = page_of(client, url).text
    assert "--org-primary: #aa1100;" in text and "--embed-background: #102030;" in text
    assert "--embed-text: #1d2330;" in text  # the setting's default
    styled = embed_settings.model_copy(
        update={"embed_primary_color": "#00aa00", "embed_text_color": "#222222"}
    )
    with TestClient(create_app(styled, clock=clock)) as other:
        plain_url = Api(other, ADMIN_TOKEN).ok(
            "POST", "/embeds", 201, json={"kind": "portal", "member_id": ada}
        )["url"]
        plain = page_of(other, plain_url).text
    assert "--org-primary: #00aa00;" in plain and "--embed-text: #222222;" in plain


def test_badges_open_with_the_link_for_what_it_shows_only(
    admin: Api, client: TestClient, clock: FixedClock
) -> None:
    ada, bo = member(admin, "Ada"), member(admin, "Bo")
    group = admin.ok("POST", "/groups", 201, json={"name": "Just Bo", "member_ids": [bo]})
    shown, hidden = (
        admin.ok(
            "POST",
            "/achievements",
            201,
            json={"key": key, "name": key.title(), "category": "award", "points": 1, **extra},
        )["id"]
        for key, extra in (("open", {}), ("bos", {"audience": [group["id"]]}))
    )
    for achievement in (shown, hidden):
        admin.ok(
            "PUT",
            f"/achievements/{achievement}/badge",
            content=BADGE,
            headers={"Content-Type": "image/svg+xml"},
        )
        admin.ok("POST", f"/achievements/{achievement}/activate")
    url = admin.ok(
        "POST", "/embeds", 201, json={"kind": "portal", "member_id": ada, "expires_in": 60}
    )["url"]
    page = page_of(client, url).text
    token = token_of(url)
    assert f"/embed/badges/{shown}?v=" in page and f"/embed/badges/{hidden}" not in page
    badge = client.get(f"/embed/badges/{shown}", params={"t": token})
    assert badge.status_code == 200 and b"gold" in badge.content
    assert badge.headers["content-type"].startswith("image/svg+xml")
    assert client.get(f"/embed/badges/{hidden}", params={"t": token}).status_code == 404
    assert client.get(f"/embed/badges/{shown}", params={"t": token + "x"}).status_code == 403
    clock.now += timedelta(seconds=60)
    assert client.get(f"/embed/badges/{shown}", params={"t": token}).status_code == 403
