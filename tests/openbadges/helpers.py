"""Shared set-up of the Open Badges tests: a member with an email, an achievement, an award."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api


def member(admin: Api, name: str = "Ann Example", email: str | None = "ann@example.com") -> Any:
    body: dict[str, Any] = {"name": name}
    if email is not None:
        body["email"] = email
    return admin.ok("POST", "/members", 201, json=body)


def achievement(admin: Api, key: str = "deal-closer", **extra: Any) -> Any:
    body = {
        "key": key,
        "name": key.replace("-", " ").title(),
        "description": "Close a deal worth telling people about.",
        "category": "award",
        "points": 10,
        **extra,
    }
    return admin.ok("POST", "/achievements", 201, json=body)


def give(admin: Api, member_id: int, achievement_id: int) -> Any:
    return admin.ok(
        "POST", f"/members/{member_id}/awards", 201, json={"achievement_id": achievement_id}
    )


def member_token(admin: Api, member_id: int) -> Api:
    body = {"name": f"member-{member_id}", "role": "member", "member_id": member_id}
    return admin.as_token(admin.ok("POST", "/tokens", 201, json=body)["token"])


def published_award(admin: Api, **member_fields: Any) -> tuple[Any, Any]:
    """(award answer after publishing, member)."""
    ann = member(admin, **member_fields)
    badge = achievement(admin)
    award = give(admin, ann["id"], badge["id"])
    return admin.ok("POST", f"/awards/{award['id']}/publish"), ann


def public_id(award: dict[str, Any]) -> str:
    return str(award["public_url"]).rsplit("/", 1)[1]
