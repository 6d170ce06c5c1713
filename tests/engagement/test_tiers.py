"""Tiers: achievements sharing a `tier_group` are placed by points on the portal answer, and
the group's one card is the highest tier held (else the first)."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api

DEALS = {"source": "deals", "aggregate": "count", "operator": "at_least"}


def tier(admin: Api, key: str, points: int, deals: int) -> dict[str, Any]:
    body = {
        "key": key,
        "name": key.title(),
        "category": "award",
        "points": points,
        "tier_group": "deals",
        "requirements": [[{**DEALS, "value": deals}]],
    }
    made = admin.ok("POST", "/achievements", 201, json=body)
    return dict(admin.ok("POST", f"/achievements/{made['id']}/activate"))


def places(admin: Api, member_id: int) -> dict[str, tuple[Any, ...]]:
    view = admin.ok("GET", f"/members/{member_id}/achievements")
    return {
        i["achievement"]["key"]: (
            i["tier"]["tier"],
            i["tier"]["of"],
            i["tier"]["card"],
            i["tier"]["next_achievement_id"],
        )
        for i in view["achievements"]
        if i["tier"]
    }


def test_tier_places_and_the_card_follow_what_is_held(admin: Api) -> None:
    admin.ok("POST", "/sources", 201, json={"key": "deals", "name": "Deals", "fields": []})
    ann = admin.ok("POST", "/members", 201, json={"name": "Ann"})["id"]
    fifty = tier(admin, "fifty", 100, 50)  # created first: the order is by points
    one = tier(admin, "one", 1, 1)
    ten = tier(admin, "ten", 10, 10)
    assert one["tier_group"] == "deals"
    assert places(admin, ann) == {
        "one": (1, 3, True, ten["id"]),
        "ten": (2, 3, False, fifty["id"]),
        "fifty": (3, 3, False, None),
    }
    records = [
        {
            "member_id": ann,
            "occurred_at": "2026-11-18T10:00:00Z",
            "external_id": f"d{i}",
            "data": {},
        }
        for i in range(10)
    ]
    admin.ok("POST", "/sources/deals/records", json={"records": records})
    assert places(admin, ann) == {
        "one": (1, 3, False, ten["id"]),
        "ten": (2, 3, True, fifty["id"]),
        "fifty": (3, 3, False, None),
    }
    bad = admin.post(
        "/achievements",
        json={"key": "x", "name": "X", "category": "award", "tier_group": "Not A Key"},
    )
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["body.tier_group"]
