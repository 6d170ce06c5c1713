"""Secret achievements: no member-facing surface shows one to a member who has not earned it
(portal, explain, badge image, leaderboard badges, embedded portal and leaderboard); once
earned it is there; staff see it always."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import Engine

from plaudit.clock import FixedClock
from plaudit.config import Settings
from tests.api.test_role_matrix import BADGE
from tests.app_cache import app_for
from tests.conftest import Api
from tests.one_hop_client import TestClient


@pytest.fixture
def client(clean_db: Engine, settings: Settings, clock: FixedClock) -> Iterator[TestClient]:
    """The app with embedding on, so the embed pages can be opened too."""
    on = settings.model_copy(update={"embed_allowed_origins": "https://portal.example.com"})
    with TestClient(app_for(on, clock)) as test_client:
        yield test_client


def make(admin: Api, key: str, activate: bool = True, **extra: Any) -> dict[str, Any]:
    body = {"key": key, "name": key.title(), "category": "award", "points": 5, **extra}
    made = admin.ok("POST", "/achievements", 201, json=body)
    if activate:
        made = admin.ok("POST", f"/achievements/{made['id']}/activate")
    return dict(made)


def portal_keys(api: Api, member_id: int | str) -> set[str]:
    view = api.ok("GET", f"/members/{member_id}/achievements")
    return {item["achievement"]["key"] for item in view["achievements"]}


def badge_keys(api: Api, name: str) -> set[str]:
    rows = api.ok("GET", "/leaderboard?period=year")["rows"]
    return {b["key"] for r in rows if r["member"]["name"] == name for b in r["badges"]}


def embed_page(admin: Api, client: TestClient, body: dict[str, Any]) -> str:
    url = urlsplit(admin.ok("POST", "/embeds", 201, json=body)["url"])
    page = client.get(f"{url.path}?{url.query}")
    assert page.status_code == 200, page.text
    return str(page.text)


def test_secret_is_hidden_from_members_until_earned(
    admin: Api, tokens: dict[str, str], client: TestClient
) -> None:
    me = int(tokens["member_id"])
    other = admin.ok("POST", "/members", 201, json={"name": "Other"})["id"]
    member = admin.as_token(tokens["member"])
    manager = admin.as_token(tokens["manager"])
    make(admin, "open-door", show_next_to_name=True)
    hidden = make(admin, "hidden-gem", activate=False, secret=True, show_next_to_name=True)
    assert hidden["secret"] is True
    admin.ok(
        "PUT",
        f"/achievements/{hidden['id']}/badge",
        content=BADGE,
        headers={"Content-Type": "image/svg+xml"},
    )
    admin.ok("POST", f"/achievements/{hidden['id']}/activate")
    admin.ok("POST", f"/members/{other}/awards", 201, json={"achievement_id": hidden["id"]})

    # Not earned by the member: nowhere for them.
    assert portal_keys(member, me) == {"open-door"}
    explain = f"/members/{me}/achievements/{hidden['id']}/explain"
    assert member.get(explain).status_code == 403
    assert member.get(f"/achievements/{hidden['id']}/badge").status_code == 404
    assert badge_keys(member, "Other") == set()  # another holds it: its badge is not shown
    portal_embed = embed_page(admin, client, {"kind": "portal", "member_id": me})
    board_embed = embed_page(admin, client, {"kind": "leaderboard", "period": "year"})
    assert "Hidden-Gem" not in portal_embed and "Open-Door" in portal_embed
    assert "Hidden-Gem" not in board_embed
    # Staff see it everywhere.
    assert portal_keys(manager, me) == {"open-door", "hidden-gem"}
    assert manager.get(explain).status_code == 200
    assert badge_keys(manager, "Other") == {"hidden-gem"}
    assert [a["key"] for a in manager.ok("GET", "/achievements")] == ["open-door", "hidden-gem"]

    # Earned: it shows, to that member, with its badge everywhere they look.
    admin.ok("POST", f"/members/{me}/awards", 201, json={"achievement_id": hidden["id"]})
    assert portal_keys(member, me) == {"open-door", "hidden-gem"}
    assert member.get(explain).status_code == 200
    assert member.get(f"/achievements/{hidden['id']}/badge").status_code == 200
    assert badge_keys(member, "Other") == {"hidden-gem"}
    assert "Hidden-Gem" in embed_page(admin, client, {"kind": "portal", "member_id": me})
    # The anonymous viewer of an embedded leaderboard has earned nothing.
    assert "Hidden-Gem" not in embed_page(admin, client, {"kind": "leaderboard", "period": "year"})


def test_secret_can_be_set_and_cleared_while_inactive(admin: Api) -> None:
    gem = make(admin, "gem", activate=False)
    assert gem["secret"] is False
    changed = admin.ok("PATCH", f"/achievements/{gem['id']}", json={"secret": True})
    assert (changed["secret"], changed["version"]) == (True, 2)
    bad = admin.patch(f"/achievements/{gem['id']}", json={"secret": "yes"})
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["body.secret"]
