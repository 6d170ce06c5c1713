"""Portal, leaderboard, preview and explain."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.test_awards import give, make_achievement, make_member
from tests.conftest import Api
from tests.engine.helpers import (
    DEALS_50K_EUR,
    FIVE_CAMPAIGNS,
    PROFILE_ONCE,
    achievement,
    record,
    seed_sources,
)


def test_portal_shows_progress_completion_and_points(admin: Api, tokens: dict[str, str]) -> None:
    seed_sources(admin)
    me = int(tokens["member_id"])
    other = make_member(admin, "Other")
    campaigns = achievement(admin, "campaigner", [[FIVE_CAMPAIGNS]], points=40)
    profile = achievement(admin, "profile", [[PROFILE_ONCE]], points=15)
    for c in ("a", "b", "c"):
        record(admin, "campaign_activations", me, campaign_id=c)
    record(admin, "company_profile_updated", me)
    member = admin.as_token(tokens["member"])
    view = member.ok("GET", f"/members/{me}/achievements")
    by_key = {item["achievement"]["key"]: item for item in view["achievements"]}
    assert view["points"] == 15
    assert by_key["profile"]["complete"] is True
    assert by_key["profile"]["completions"] == 1
    assert by_key["campaigner"]["complete"] is False
    assert [(p["current"], p["target"]) for p in by_key["campaigner"]["progress"]] == [(3, 5)]
    assert by_key["campaigner"]["achievement"]["id"] == campaigns["id"]
    assert by_key["profile"]["awards"][0]["achievement_id"] == profile["id"]
    # A member never sees another member's portal.
    assert member.get(f"/members/{other['id']}/achievements").status_code == 403


def test_portal_hides_out_of_audience_and_expired_uncompleted(admin: Api) -> None:
    seed_sources(admin)
    ann = make_member(admin, "Ann")
    team = admin.ok("POST", "/teams", 201, json={"name": "Elsewhere"})
    group = admin.ok("POST", "/groups", 201, json={"name": "G", "team_ids": [team["id"]]})
    achievement(admin, "hidden", [[PROFILE_ONCE]], audience=[group["id"]])
    achievement(
        admin, "expired", [[PROFILE_ONCE]], effective={"from": "2026-01-01", "until": "2026-02-01"}
    )
    done = achievement(
        admin,
        "done-then-expired",
        [[FIVE_CAMPAIGNS]],
        activate=False,
        effective={"until": "2026-11-30"},
    )
    admin.ok("POST", f"/achievements/{done['id']}/activate")
    for c in "abcde":
        record(admin, "campaign_activations", ann["id"], campaign_id=c)
    view = admin.ok("GET", f"/members/{ann['id']}/achievements")
    assert {i["achievement"]["key"] for i in view["achievements"]} == {"done-then-expired"}


def test_leaderboard_by_points_with_ties_and_badges(admin: Api) -> None:
    ann, bob, cat = (make_member(admin, n) for n in ("Ann", "Bob", "Cat"))
    star = make_achievement(admin, "star", "award", "month", icon="star", show_next_to_name=True)
    plain = make_achievement(admin, "plain", "award", "month")
    give(admin, ann["id"], star["id"])
    give(admin, bob["id"], plain["id"])
    board = admin.ok("GET", "/leaderboard?period=month")
    rows = [(r["rank"], r["member"]["name"], r["score"]) for r in board["rows"]]
    assert rows == [(1, "Ann", 10), (1, "Bob", 10), (3, "Cat", 0)]
    assert [b["icon"] for b in board["rows"][0]["badges"]] == ["star"]
    assert board["rows"][1]["badges"] == []
    # Last month had nothing.
    past = admin.ok("GET", "/leaderboard?period=month&at=2026-10-15T00:00:00%2B00:00")
    assert {r["score"] for r in past["rows"]} == {0}
    assert cat["id"] in {r["member"]["id"] for r in past["rows"]}


def test_leaderboard_by_measure_and_team(admin: Api) -> None:
    seed_sources(admin)
    red = admin.ok("POST", "/teams", 201, json={"name": "Red"})
    ann = make_member(admin, "Ann", team_id=red["id"])
    bob = make_member(admin, "Bob", team_id=red["id"])
    make_member(admin, "Cat")
    for member, values in ((ann, [100, 50]), (bob, [400])):
        for v in values:
            record(admin, "deals", member["id"], status="Approved", currency="EUR", value=v)
    board = admin.ok(
        "GET", f"/leaderboard?source=deals&aggregate=sum&field=value&team_id={red['id']}"
    )
    assert [(r["member"]["name"], r["score"]) for r in board["rows"]] == [
        ("Bob", 400),
        ("Ann", 150),
    ]
    counts = admin.ok("GET", "/leaderboard?source=deals")
    assert counts["rows"][0]["member"]["name"] == "Ann"
    assert admin.get("/leaderboard?source=deals&aggregate=sum&field=status").status_code == 422
    assert admin.get("/leaderboard?source=nope").status_code == 404


def test_preview_writes_nothing_and_explain_says_why(admin: Api) -> None:
    seed_sources(admin)
    ann, bob = make_member(admin, "Ann"), make_member(admin, "Bob")
    record(admin, "deals", ann["id"], status="Approved", currency="EUR", value=60000)
    record(admin, "deals", bob["id"], status="Approved", currency="USD", value=60000)
    ach = achievement(admin, "big-dealer", [[DEALS_50K_EUR]], activate=False)
    preview = admin.ok("POST", f"/achievements/{ach['id']}/preview")
    assert preview["count"] == 1
    assert [q["member_id"] for q in preview["qualifiers"]] == [ann["id"]]
    assert admin.ok("GET", "/awards") == []
    assert admin.ok("GET", "/audit?action=award.give") == []
    why_not = admin.ok("GET", f"/members/{bob['id']}/achievements/{ach['id']}/explain")
    assert why_not["complete"] is False
    assert why_not["rules"][0]["current"] == 0
    assert why_not["rules"][0]["target"] == 50000
    assert "the achievement is inactive" in why_not["reasons"][0]
    why = admin.ok("GET", f"/members/{ann['id']}/achievements/{ach['id']}/explain")
    assert why["complete"] is True
    assert why["rules"][0]["matching_records"] == 1
    assert why["rules"][0]["records"][0]["data"]["value"] == 60000


def _preview_then_activate(admin: Api, ach: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    preview = admin.ok("POST", f"/achievements/{ach['id']}/preview")
    before = {a["id"] for a in admin.ok("GET", f"/awards?achievement_id={ach['id']}")}
    admin.ok("POST", f"/achievements/{ach['id']}/activate")
    after = admin.ok("GET", f"/awards?achievement_id={ach['id']}")
    return preview, [a for a in after if a["id"] not in before]


def _promised(preview: dict[str, Any]) -> list[int]:
    return sorted(q["member_id"] for q in preview["qualifiers"] for _ in range(q["new_awards"]))


@pytest.mark.parametrize("category", ["award", "membership", "record"])
def test_preview_promises_exactly_what_activation_awards(admin: Api, category: str) -> None:
    seed_sources(admin)
    ann, bob, cid, dan = (make_member(admin, n) for n in ("Ann", "Bob", "Cid", "Dan"))
    for member, value in ((ann, 60000), (bob, 90000), (cid, 70000), (dan, 99000)):
        record(admin, "deals", member["id"], status="Approved", currency="EUR", value=value)
    admin.ok("PATCH", f"/members/{dan['id']}", json={"active": False})
    ach = achievement(
        admin, f"big-{category}", [[DEALS_50K_EUR]], activate=False, category=category
    )
    if category == "membership":
        # Cid already holds it (given by hand): the slot is taken.
        assert give(admin, cid["id"], ach["id"]).status_code == 201

    preview, awarded = _preview_then_activate(admin, ach)

    # Everyone active with the records qualifies; an inactive member does not get it.
    assert {q["member_id"] for q in preview["qualifiers"]} >= {ann["id"], bob["id"], cid["id"]}
    expected = {
        "award": [ann["id"], bob["id"], cid["id"]],
        "membership": [ann["id"], bob["id"]],
        "record": [bob["id"]],  # one holder: the best on the rule among active members
    }[category]
    assert _promised(preview) == expected
    assert preview["new_awards"] == len(expected)
    assert sorted(a["member_id"] for a in awarded) == expected
