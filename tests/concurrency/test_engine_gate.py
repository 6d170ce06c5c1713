"""Evaluation racing a change of what is evaluated, against the real server over sockets.

Records posted while an achievement is activated must all count towards it, and a member who
enters an audience while their qualifying record arrives must be awarded: on PostgreSQL the
two transactions run truly in parallel and neither sees the other's uncommitted work, so only
the engine gate (``engine.gate``) keeps them right. Each race is repeated over several rounds
so that the activation or the move lands in the middle of the records in some of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from tests.concurrency.live_api import DEALS, Live
from tests.concurrency.test_category_races import now_iso, statuses

ROUNDS = 4
RECORDS_PER_ROUND = 11


def post_deal(member_id: int, at: str) -> Callable[[httpx.Client], httpx.Response]:
    body = {"member_id": member_id, "occurred_at": at, "data": {"value": 1, "stage": "won"}}
    return lambda http: http.post("/sources/deals/records", json=body)


def activate(achievement_id: int) -> Callable[[httpx.Client], httpx.Response]:
    return lambda http: http.post(f"/achievements/{achievement_id}/activate")


def move(member_id: int, team_id: int) -> Callable[[httpx.Client], httpx.Response]:
    return lambda http: http.patch(f"/members/{member_id}", json={"team_id": team_id})


def set_group_members(
    group_id: int, member_ids: list[int]
) -> Callable[[httpx.Client], httpx.Response]:
    return lambda http: http.patch(f"/groups/{group_id}", json={"member_ids": member_ids})


def progress_of(live: Live, member_id: int, achievement_id: int) -> dict[str, Any]:
    portal = live.ok("GET", f"/members/{member_id}/achievements")
    found: dict[str, Any] = next(
        p for p in portal["achievements"] if p["achievement"]["id"] == achievement_id
    )
    return found


def first_deal_for(live: Live, key: str, group: int) -> int:
    """An active achievement for a first deal, whose audience is `group`."""
    body = {
        "key": key,
        "name": key.replace("-", " ").capitalize(),
        "category": "award",
        "points": 5,
        "audience": [group],
        "requirements": [
            [{"source": "deals", "aggregate": "count", "operator": "at_least", "value": 1}]
        ],
    }
    achievement: int = live.ok("POST", "/achievements", 201, json=body)["id"]
    live.ok("POST", f"/achievements/{achievement}/activate")
    return achievement


def test_records_posted_during_activation_all_count(live: Live) -> None:
    live.ok("POST", "/sources", 201, json=DEALS)
    at = now_iso()
    for round_number in range(ROUNDS):
        ann = live.member(f"Ann {round_number}")
        body = {
            "key": f"every-deal-{round_number}",
            "name": "Every deal",
            "category": "award",
            "repeatable": True,
            "points": 1,
            "requirements": [
                [{"source": "deals", "aggregate": "count", "operator": "at_least", "value": 1}]
            ],
        }
        achievement = live.ok("POST", "/achievements", 201, json=body)["id"]
        calls = [post_deal(ann, at) for _ in range(RECORDS_PER_ROUND)]
        # The activation in the middle of the records.
        calls.insert(RECORDS_PER_ROUND // 2, activate(achievement))

        responses = live.race(calls)

        assert statuses(responses) == {200: RECORDS_PER_ROUND + 1}, [r.text for r in responses]
        # Every record of this round's member counts, whether it committed before, during or
        # after the activation: the running total, the awards (one per record) and a recount
        # from the records agree. (Earlier rounds' members count too, through the backfill.)
        progress = progress_of(live, ann, achievement)
        assert progress["progress"][0]["current"] == RECORDS_PER_ROUND, progress
        assert progress["completions"] == RECORDS_PER_ROUND, progress
        awards = live.ok("GET", f"/awards?achievement_id={achievement}&member_id={ann}")
        assert len(awards) == RECORDS_PER_ROUND
        explained = live.ok("GET", f"/members/{ann}/achievements/{achievement}/explain")
        assert explained["rules"][0]["current"] == RECORDS_PER_ROUND, explained


def test_member_moved_into_the_audience_while_their_record_arrives_is_awarded(
    live: Live,
) -> None:
    live.ok("POST", "/sources", 201, json=DEALS)
    inside = live.ok("POST", "/teams", 201, json={"name": "Inside"})["id"]
    outside = live.ok("POST", "/teams", 201, json={"name": "Outside"})["id"]
    group = live.ok("POST", "/groups", 201, json={"name": "Insiders", "team_ids": [inside]})["id"]
    achievement = first_deal_for(live, "first-deal", group)
    at = now_iso()
    members = []
    for round_number in range(ROUNDS):
        pair = [
            live.ok(
                "POST", "/members", 201, json={"name": f"M{round_number}-{i}", "team_id": outside}
            )["id"]
            for i in range(3)
        ]
        members += pair
        calls: list[Callable[[httpx.Client], httpx.Response]] = []
        for member in pair:
            calls.append(post_deal(member, at))
            calls.append(move(member, inside))

        responses = live.race(calls)

        assert statuses(responses) == {200: len(calls)}, [r.text for r in responses]
    holders = sorted(a["member_id"] for a in live.awards(achievement))
    assert holders == sorted(members)


def test_members_added_to_the_audience_group_while_their_records_arrive_are_awarded(
    live: Live,
) -> None:
    live.ok("POST", "/sources", 201, json=DEALS)
    group = live.ok("POST", "/groups", 201, json={"name": "Chosen", "member_ids": []})["id"]
    achievement = first_deal_for(live, "chosen-deal", group)
    at = now_iso()
    chosen: list[int] = []
    for round_number in range(ROUNDS):
        newcomers = [live.member(f"N{round_number}-{i}") for i in range(RECORDS_PER_ROUND)]
        chosen += newcomers
        calls = [post_deal(m, at) for m in newcomers]
        # The group grows by this round's members in the middle of their records.
        calls.insert(RECORDS_PER_ROUND // 2, set_group_members(group, list(chosen)))

        responses = live.race(calls)

        assert statuses(responses) == {200: len(calls)}, [r.text for r in responses]
    holders = sorted(a["member_id"] for a in live.awards(achievement))
    assert holders == sorted(chosen)
