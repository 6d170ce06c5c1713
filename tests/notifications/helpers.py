"""Set-up shared by the notification tests: sources, members, achievements, notifications."""

from __future__ import annotations

import time
from typing import Any

from tests.conftest import Api
from tests.engine.helpers import seed_sources

RATIO = "sum(deals.value where status = 'approved') / count(calls)"
NOV = "2026-11-18T10:00:00+00:00"  # the fixed clock's week and month
DEC = "2026-12-02T10:00:00+00:00"


def setup(admin: Api) -> dict[str, Any]:
    """The seed's sources (deals, calls, ...), two members and an award achievement."""
    seed_sources(admin)
    ann = admin.ok("POST", "/members", 201, json={"name": "Ann", "external_id": "crm-ann"})
    bob = admin.ok("POST", "/members", 201, json={"name": "Bob"})
    kudos = admin.ok(
        "POST",
        "/achievements",
        201,
        json={"key": "kudos", "name": "Kudos", "category": "award", "points": 3, "period": "week"},
    )
    return {"ann": ann["id"], "bob": bob["id"], "kudos": kudos["id"]}


def achievement(admin: Api, key: str, category: str, period: str = "month") -> int:
    body = {"key": key, "name": key.title(), "category": category, "period": period, "points": 10}
    achievement_id: int = admin.ok("POST", "/achievements", 201, json=body)["id"]
    return achievement_id


def give(achievement_id: int) -> dict[str, Any]:
    return {"type": "give_achievement", "achievement_id": achievement_id}


def formula(
    text: str = RATIO, operator: str = ">=", threshold: float = 2, period: str = "month"
) -> dict[str, Any]:
    return {
        "type": "formula",
        "formula": text,
        "period": period,
        "operator": operator,
        "threshold": threshold,
    }


def notify(
    admin: Api, trigger: dict[str, Any], action: dict[str, Any], name: str = "n", **extra: Any
) -> dict[str, Any]:
    body = {"name": name, "trigger": trigger, "action": action, **extra}
    created: dict[str, Any] = admin.ok("POST", "/notifications", 201, json=body)
    return created


def send(admin: Api, source: str, member_id: int, at: str = NOV, **data: Any) -> dict[str, Any]:
    """Ingest one record; the answer of the ingestion."""
    ext = data.pop("external_id", None)
    body: dict[str, Any] = {"member_id": member_id, "occurred_at": at, "data": data}
    if ext:
        body["external_id"] = ext
    result: dict[str, Any] = admin.ok("POST", f"/sources/{source}/records", json=body)
    return result


def firings(admin: Api, notification_id: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = admin.ok("GET", f"/notifications/{notification_id}/firings")
    return sorted(found, key=lambda f: f["id"])


def deliveries(admin: Api, notification_id: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = admin.ok("GET", f"/notifications/{notification_id}/deliveries")
    return sorted(found, key=lambda d: d["id"])


def wait_for_deliveries(
    admin: Api, notification_id: int, status: str, count: int = 1, timeout: float = 15.0
) -> list[dict[str, Any]]:
    """Poll the delivery log until `count` deliveries have `status`."""
    deadline = time.monotonic() + timeout
    while True:
        found = deliveries(admin, notification_id)
        if sum(d["status"] == status for d in found) >= count:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"no {count} {status} deliveries in time: {found}")
        time.sleep(0.02)
