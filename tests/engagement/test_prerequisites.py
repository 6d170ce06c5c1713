"""Prerequisites: saved only when they exist and form no cycle (a 422 naming the field and
the cycle); a rule awards nothing until the member holds them, on the per-record path, the
set-based batch path and an activation's backfill; explain names what is missing; a manual
give may skip them, and the audit log says so."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api

DEAL = {"source": "deals", "aggregate": "count", "operator": "at_least", "value": 1}


def make(admin: Api, key: str, **extra: Any) -> dict[str, Any]:
    body = {"key": key, "name": key.title(), "category": "award", "points": 5, **extra}
    made: dict[str, Any] = admin.ok("POST", "/achievements", 201, json=body)
    return made


def deals(admin: Api, member_ids: list[int], start: int) -> dict[str, Any]:
    records = [
        {
            "member_id": m,
            "occurred_at": "2026-11-18T10:00:00Z",
            "external_id": f"d{start + i}",
            "data": {},
        }
        for i, m in enumerate(member_ids)
    ]
    answer: dict[str, Any] = admin.ok("POST", "/sources/deals/records", json={"records": records})
    return answer


def holders(admin: Api, achievement_id: int) -> list[int]:
    return sorted(
        a["member_id"] for a in admin.ok("GET", f"/awards?achievement_id={achievement_id}")
    )


def test_unknown_self_and_cyclic_prerequisites_are_refused(admin: Api) -> None:
    bronze = make(admin, "bronze")
    silver = make(admin, "silver", prerequisites=[bronze["id"]])
    gold = make(admin, "gold", prerequisites=[silver["id"]])
    assert gold["prerequisites"] == [silver["id"]]

    unknown = admin.post(
        "/achievements", json={"key": "x", "name": "X", "category": "award", "prerequisites": [999]}
    )
    assert unknown.status_code == 422
    assert [(e["field"], e["message"]) for e in unknown.json()["errors"]] == [
        ("prerequisites.0", "achievement 999 does not exist")
    ]
    itself = admin.patch(f"/achievements/{bronze['id']}", json={"prerequisites": [bronze["id"]]})
    assert itself.status_code == 422
    assert itself.json()["errors"][0]["field"] == "prerequisites.0"
    cycle = admin.patch(f"/achievements/{bronze['id']}", json={"prerequisites": [gold["id"]]})
    assert cycle.status_code == 422
    error = cycle.json()["errors"][0]
    assert error["field"] == "prerequisites"
    assert "cycle: “Bronze” → “Gold” → “Silver” → “Bronze”" in error["message"]
    assert admin.ok("GET", f"/achievements/{bronze['id']}")["prerequisites"] == []  # unchanged


def test_rules_award_only_members_holding_the_prerequisites(admin: Api) -> None:
    admin.ok("POST", "/sources", 201, json={"key": "deals", "name": "Deals", "fields": []})
    ann = admin.ok("POST", "/members", 201, json={"name": "Ann"})["id"]
    bob = admin.ok("POST", "/members", 201, json={"name": "Bob"})["id"]
    starter = make(admin, "starter")
    closer = make(admin, "closer", requirements=[[DEAL]], prerequisites=[starter["id"]])
    deals(admin, [ann, bob], 0)  # before activation: the backfill decides
    admin.ok("POST", f"/members/{ann}/awards", 201, json={"achievement_id": starter["id"]})
    admin.ok("POST", f"/achievements/{closer['id']}/activate")
    assert holders(admin, closer["id"]) == [ann]  # backfill: only Ann holds the starter

    why = admin.ok("GET", f"/members/{bob}/achievements/{closer['id']}/explain")
    assert why["missing_prerequisites"] == [{"id": starter["id"], "name": "Starter"}]
    assert why["reasons"][0] == "the member does not hold the prerequisite “Starter” yet"

    deals(admin, [bob], 10)  # per-record path: still no
    assert holders(admin, closer["id"]) == [ann]
    admin.ok("POST", f"/members/{bob}/awards", 201, json={"achievement_id": starter["id"]})
    deals(admin, [bob], 20)  # held now: the next record awards it
    assert holders(admin, closer["id"]) == [ann, bob]
    again = admin.ok("GET", f"/members/{bob}/achievements/{closer['id']}/explain")
    assert again["missing_prerequisites"] == []


def test_the_set_based_batch_path_checks_prerequisites_too(admin: Api) -> None:
    admin.ok("POST", "/sources", 201, json={"key": "deals", "name": "Deals", "fields": []})
    members = [admin.ok("POST", "/members", 201, json={"name": f"M{i}"})["id"] for i in range(4)]
    starter = make(admin, "starter")
    closer = make(admin, "closer", requirements=[[DEAL]], prerequisites=[starter["id"]])
    admin.ok("POST", f"/achievements/{closer['id']}/activate")
    for m in members[:2]:
        admin.ok("POST", f"/members/{m}/awards", 201, json={"achievement_id": starter["id"]})
    deals(admin, [members[i % 4] for i in range(80)], 0)  # 80 changes: the set-based path
    assert holders(admin, closer["id"]) == members[:2]


def test_a_manual_give_may_skip_prerequisites_and_the_audit_says_so(admin: Api) -> None:
    ann = admin.ok("POST", "/members", 201, json={"name": "Ann"})["id"]
    starter = make(admin, "starter")
    closer = make(admin, "closer", prerequisites=[starter["id"]])
    award = admin.ok("POST", f"/members/{ann}/awards", 201, json={"achievement_id": closer["id"]})
    events = admin.ok("GET", f"/audit?entity_type=award&entity_id={award['id']}")
    assert events[0]["details"]["missing_prerequisites"] == [starter["id"]]
