"""Level triggers on both databases: one firing per `level_reached` row, whatever made the
member reach it (a give, a rule, a backfill, a new level under members already past it), never
again for a level reached before (a revoke and a give that crosses the threshold again write
no new row, so nothing fires)."""

from __future__ import annotations

import json

from tests.conftest import Api
from tests.engine.helpers import achievement, seed_sources
from tests.notifications.helpers import firings, notify, send
from tests.notifications.receiver import Receiver
from tests.notifications.test_event_triggers import ONE_CALL, give_to, hook, kudos, member


def level(admin: Api, name: str, points: int, scope: str = "all_time") -> int:
    body = {"name": name, "points": points, "scope": scope}
    found: int = admin.ok("POST", "/levels", 201, json=body)["id"]
    return found


def reached_ids(admin: Api, notification_id: int) -> list[tuple[int, int]]:
    return [(f["member_id"], f["event_level_reached_id"]) for f in firings(admin, notification_id)]


def test_a_level_fires_once_per_crossing_and_not_on_a_re_reach(
    admin: Api, receiver: Receiver
) -> None:
    ann = member(admin, "Ann")
    bronze, silver = level(admin, "Bronze", 5), level(admin, "Silver", 100)
    every = notify(admin, {"type": "level"}, hook(receiver), name="Any level")
    only_silver = notify(admin, {"type": "level", "level_ids": [silver]}, hook(receiver))
    first, second, third = kudos(admin, "first"), kudos(admin, "second"), kudos(admin, "third")
    give_to(admin, ann, first)
    assert firings(admin, every["id"]) == []
    crossing = give_to(admin, ann, second)
    [fired] = firings(admin, every["id"])
    assert fired["member_id"] == ann and fired["event_level_reached_id"] is not None
    assert fired["event_award_id"] is None
    [request] = receiver.wait_for(1)
    body = json.loads(request.body)
    assert body["trigger"] == {"type": "level", "level_ids": [], "event": "level.reached"}
    assert body["level"] | {"reached_at": None} == {
        "id": bronze,
        "name": "Bronze",
        "threshold": 5,
        "scope": "all_time",
        "scope_key": "all",
        "points": 6,
        "reached_id": fired["event_level_reached_id"],
        "reached_at": None,
    }
    assert body["member"]["name"] == "Ann" and "award" not in body
    # Below the threshold and over it again: the level was reached already, nothing fires.
    admin.ok("DELETE", f"/awards/{crossing['id']}")
    give_to(admin, ann, third)
    assert len(firings(admin, every["id"])) == 1
    assert firings(admin, only_silver["id"]) == []


def test_a_rule_award_and_a_new_level_fire_it(admin: Api, receiver: Receiver) -> None:
    seed_sources(admin)
    ann, bob = member(admin, "Ann"), member(admin, "Bob")
    watcher = notify(admin, {"type": "level"}, hook(receiver))
    # Bob is past 3 points before any level exists: the level's creation reaches it.
    give_to(admin, bob, kudos(admin, "early"))
    starter = level(admin, "Starter", 3)
    assert [m for m, _ in reached_ids(admin, watcher["id"])] == [bob]
    # A rule's award reaches it for Ann.
    achievement(admin, "caller", [[ONE_CALL]], points=3)
    send(admin, "calls", ann, minutes=3, outcome="ok")
    assert [m for m, _ in reached_ids(admin, watcher["id"])] == [bob, ann]
    assert len({r for _, r in reached_ids(admin, watcher["id"])}) == 2
    assert {f["event_level_reached_id"] for f in firings(admin, watcher["id"])} != {None}
    assert starter
