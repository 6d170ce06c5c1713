"""Audiences are decided on current data: moving a member in or out of an audience never
corrupts their running totals, what they did outside it counts once they are inside, and
whoever enters an audience (member moved, group or team changed, member made active again)
is awarded at once what their progress already makes due."""

from __future__ import annotations

from typing import Any

from tests.api.test_awards import make_member
from tests.conftest import Api
from tests.engine.helpers import achievement, gold_partners, record, seed_sources

THREE_CALLS = {"source": "calls", "aggregate": "count", "operator": "at_least", "value": 3}


def _gold_setup(admin: Api) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    seed_sources(admin)
    gold, plain, group = gold_partners(admin)
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
    # Awarded by the move itself, from the three calls already counted, and only once.
    assert _holders(admin, calls["id"]) == [bob["id"]]
    assert record(admin, "calls", bob["id"], external_id="b3")["awards"] == []
    assert _holders(admin, calls["id"]) == [bob["id"]]
    assert _calls_progress(admin, bob["id"], calls["id"]) == 4


def test_a_member_outside_the_audience_is_never_awarded(admin: Api) -> None:
    _gold, plain, calls = _gold_setup(admin)
    cid = make_member(admin, "Cid", team_id=plain["id"])
    for n in range(5):
        assert record(admin, "calls", cid["id"], external_id=f"x{n}")["awards"] == []
    assert admin.ok("GET", f"/awards?achievement_id={calls['id']}") == []


def _holders(admin: Api, achievement_id: int) -> list[int]:
    return sorted(
        a["member_id"] for a in admin.ok("GET", f"/awards?achievement_id={achievement_id}")
    )


def _three_calls(admin: Api, member_id: int, prefix: str) -> None:
    for n in range(3):
        assert record(admin, "calls", member_id, external_id=f"{prefix}{n}")["awards"] == []


def test_a_group_that_starts_listing_a_member_awards_them_at_once(admin: Api) -> None:
    seed_sources(admin)
    group = admin.ok("POST", "/groups", 201, json={"name": "Pilots", "member_ids": []})
    calls = achievement(admin, "pilot-calls", [[THREE_CALLS]], audience=[group["id"]])
    dee, eve = make_member(admin, "Dee"), make_member(admin, "Eve")
    _three_calls(admin, dee["id"], "d")
    _three_calls(admin, eve["id"], "e")
    assert _holders(admin, calls["id"]) == []
    admin.ok("PATCH", f"/groups/{group['id']}", json={"member_ids": [dee["id"]]})
    assert _holders(admin, calls["id"]) == [dee["id"]]
    # Saving the group again changes nothing; listing Eve too awards Eve only.
    admin.ok("PATCH", f"/groups/{group['id']}", json={"member_ids": [dee["id"]]})
    admin.ok("PATCH", f"/groups/{group['id']}", json={"member_ids": [dee["id"], eve["id"]]})
    assert _holders(admin, calls["id"]) == [dee["id"], eve["id"]]


def test_group_conditions_that_now_match_a_team_award_its_members_at_once(admin: Api) -> None:
    seed_sources(admin)
    north = admin.ok("POST", "/teams", 201, json={"name": "North"})
    south = admin.ok("POST", "/teams", 201, json={"name": "South"})
    only_north = [{"attribute": "team.name", "op": "eq", "value": "North"}]
    group = admin.ok("POST", "/groups", 201, json={"name": "Region", "conditions": only_north})
    calls = achievement(admin, "region-calls", [[THREE_CALLS]], audience=[group["id"]])
    ned = make_member(admin, "Ned", team_id=north["id"])
    sue = make_member(admin, "Sue", team_id=south["id"])
    for n in range(3):
        record(admin, "calls", ned["id"], external_id=f"n{n}")  # inside: awarded at the third
    _three_calls(admin, sue["id"], "s")  # outside: nothing
    assert _holders(admin, calls["id"]) == [ned["id"]]
    both = [{"attribute": "team.name", "op": "in", "value": ["North", "South"]}]
    admin.ok("PATCH", f"/groups/{group['id']}", json={"conditions": both})
    assert _holders(admin, calls["id"]) == [ned["id"], sue["id"]]  # Ned once, Sue now


def test_a_team_whose_attributes_now_match_the_conditions_gets_awarded(admin: Api) -> None:
    _gold, plain, calls = _gold_setup(admin)
    fay = make_member(admin, "Fay", team_id=plain["id"])
    _three_calls(admin, fay["id"], "f")
    admin.ok("PATCH", f"/teams/{plain['id']}", json={"name": "Plain, renamed"})
    assert _holders(admin, calls["id"]) == []  # still not gold
    admin.ok("PATCH", f"/teams/{plain['id']}", json={"attributes": {"tier": "gold"}})
    assert _holders(admin, calls["id"]) == [fay["id"]]


def test_a_member_made_active_again_is_awarded_what_they_qualify_for(admin: Api) -> None:
    seed_sources(admin)
    open_to_all = achievement(admin, "three-calls-all", [[THREE_CALLS]])
    gus = make_member(admin, "Gus")
    admin.ok("PATCH", f"/members/{gus['id']}", json={"active": False})
    _three_calls(admin, gus["id"], "g")
    assert _holders(admin, open_to_all["id"]) == []  # inactive members earn nothing
    admin.ok("PATCH", f"/members/{gus['id']}", json={"active": True})
    assert _holders(admin, open_to_all["id"]) == [gus["id"]]


def test_a_move_out_of_the_audience_awards_nothing(admin: Api) -> None:
    gold, plain, calls = _gold_setup(admin)
    hal = make_member(admin, "Hal", team_id=gold["id"])
    record(admin, "calls", hal["id"], external_id="h0")
    record(admin, "calls", hal["id"], external_id="h1")
    admin.ok("PATCH", f"/members/{hal['id']}", json={"team_id": plain["id"]})
    assert record(admin, "calls", hal["id"], external_id="h2")["awards"] == []
    admin.ok("PATCH", f"/members/{hal['id']}", json={"name": "Hal B."})
    assert _holders(admin, calls["id"]) == []
