"""Shared set-up for engine tests: the Unifyr seed's sources and a few members."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api

SEED_SOURCES: list[dict[str, Any]] = [
    {"key": "company_profile_updated", "name": "Company Profile Updated", "fields": []},
    {
        "key": "campaign_activations",
        "name": "Campaign activations",
        "fields": [{"name": "campaign_id", "type": "string"}],
    },
    {
        "key": "deals",
        "name": "Deals",
        "fields": [
            {"name": "type", "type": "string"},
            {"name": "stage", "type": "string"},
            {"name": "currency", "type": "string"},
            {"name": "status", "type": "string"},
            {"name": "value", "type": "number"},
            {"name": "close_date", "type": "date"},
        ],
    },
    {
        "key": "calls",
        "name": "Calls",
        "fields": [{"name": "minutes", "type": "number"}, {"name": "outcome", "type": "string"}],
    },
]

PROFILE_ONCE = {
    "source": "company_profile_updated",
    "aggregate": "count",
    "operator": "at_least",
    "value": 1,
}
FIVE_CAMPAIGNS = {
    "source": "campaign_activations",
    "aggregate": "count_distinct",
    "field": "campaign_id",
    "operator": "at_least",
    "value": 5,
}
DEALS_50K_EUR = {
    "source": "deals",
    "where": [
        {"field": "status", "op": "eq", "value": "Approved"},
        {"field": "currency", "op": "eq", "value": "EUR"},
    ],
    "aggregate": "sum",
    "field": "value",
    "operator": "at_least",
    "value": 50000,
}


def seed_sources(admin: Api) -> None:
    for source in SEED_SOURCES:
        admin.ok("POST", "/sources", 201, json=source)


def achievement(
    admin: Api,
    key: str,
    requirements: list[list[dict[str, Any]]],
    activate: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    body = {
        "key": key,
        "name": key.replace("-", " ").title(),
        "category": "award",
        "points": 10,
        "requirements": requirements,
        **extra,
    }
    created = admin.ok("POST", "/achievements", 201, json=body)
    if activate:
        admin.ok("POST", f"/achievements/{created['id']}/activate")
    return created


def record(
    admin: Api,
    source: str,
    member_id: int,
    at: str = "2026-11-18T10:00:00+00:00",
    expect: int = 200,
    **fields: Any,
) -> dict[str, Any]:
    """Send one record whose data fields are the keyword arguments."""
    ext = fields.pop("external_id", None)
    body: dict[str, Any] = {"member_id": member_id, "occurred_at": at, "data": fields}
    if ext:
        body["external_id"] = ext
    result: dict[str, Any] = admin.ok("POST", f"/sources/{source}/records", expect, json=body)
    return result


def gold_partners(admin: Api) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Teams "Gold" (attribute tier: gold) and "Plain", and the ad hoc group of gold teams."""
    gold = admin.ok("POST", "/teams", 201, json={"name": "Gold", "attributes": {"tier": "gold"}})
    plain = admin.ok("POST", "/teams", 201, json={"name": "Plain"})
    group = admin.ok(
        "POST",
        "/groups",
        201,
        json={
            "name": "Gold partners",
            "conditions": [{"attribute": "team.attributes.tier", "op": "eq", "value": "gold"}],
        },
    )
    return gold, plain, group
