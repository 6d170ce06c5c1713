"""Audiences are decided on current data: moving a member in or out of an audience never
corrupts their running totals, and what they did outside it counts once they are inside."""

from __future__ import annotations

from typing import Any

from tests.api.test_awards import make_member
from tests.conftest import Api
from tests.engine.helpers import achievement, record, seed_sources

THREE_CALLS = {"source": "calls", "aggregate": "count", "operator": "at_least", "value": 3}


def _gold_setup(admin: Api) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    seed_sources(admin)
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
    calls = achievement(admin, "three-calls", [[THREE_CALLS]], audience=[group["id"]])
    return gold, plain, calls


def _calls_progress(admin: Api, member_id: int, achievement_id: int) -> Any:
    explained = admin.ok("GET", f"/members/{member_id}/achievements/{achievement_id}/explain")
    return explained["rules"][0]["current"]


def test_leaving_and_rejoining_an_audience_keeps_totals_exact(admin: Api) -> None:
    gold, plain, calls = _gold_setup(admin)
    ann = make_member(admin, "Ann", team_id=gold["id"])
    record(admin, "calls", ann["id"], external_id="c1")
    record(admin, "calls", ann["id"], external_id="c2")
    admin.ok("PATCH", f"/members/{ann['id']}", json={"team_id": plain["id"]})
    admin.ok("DELETE", "/sources/calls/records/c1", 204)
    admin.ok("DELETE", "/sources/calls/records/c2", 204)
    admin.ok("PATCH", f"/members/{ann['id']}", json={"team_id": gold["id"]})
    # One call in all: no award for "3 calls", and explain agrees with the running total.
    assert record(admin, "calls", ann["id"], external_id="c3")["awards"] == []
    assert _calls_progress(admin, ann["id"], calls["id"]) == 1
    portal = admin.ok("GET", f"/members/{ann['id']}/achievements")
    tile = next(a for a in portal["achievements"] if a["achievement"]["id"] == calls["id"])
    assert tile["complete"] is False
    assert [p["current"] for p in tile["progress"]] == [1]


def test_what_a_member_did_outside_the_audience_counts_once_inside(admin: Api) -> None:
    gold, plain, calls = _gold_setup(admin)
    bob = make_member(admin, "Bob", team_id=plain["id"])
    for n in range(3):
        assert record(admin, "calls", bob["id"], external_id=f"b{n}")["awards"] == []
    admin.ok("PATCH", f"/members/{bob['id']}", json={"team_id": gold["id"]})
    awards = record(admin, "calls", bob["id"], external_id="b3")["awards"]
    assert [a["achievement_id"] for a in awards] == [calls["id"]]
    assert _calls_progress(admin, bob["id"], calls["id"]) == 4


def test_a_member_outside_the_audience_is_never_awarded(admin: Api) -> None:
    _gold, plain, calls = _gold_setup(admin)
    cid = make_member(admin, "Cid", team_id=plain["id"])
    for n in range(5):
        assert record(admin, "calls", cid["id"], external_id=f"x{n}")["awards"] == []
    assert admin.ok("GET", f"/awards?achievement_id={calls['id']}") == []
