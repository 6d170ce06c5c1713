"""Award and level triggers on both databases: every origin of an award fires an award trigger
exactly once, a level reached fires a level trigger once per `level_reached` row, revoked
awards and rolled-back transactions fire nothing, and an award given by an award-triggered
notification starts no chain."""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from plaudit.award.service import give_award, revoke_award
from plaudit.clock import FixedClock
from plaudit.kit.roles import Principal, Role
from plaudit.models import Award, NotificationFiring, WebhookDelivery
from tests.conftest import Api
from tests.engine.helpers import PROFILE_ONCE, achievement, seed_sources
from tests.notifications.helpers import firings, give, notify, send
from tests.notifications.receiver import Receiver

UTC = ZoneInfo("UTC")
ADMIN = Principal(name="test", role=Role.admin)
EVERY_AWARD: dict[str, Any] = {"type": "award"}
ONE_CALL = {"source": "calls", "aggregate": "count", "operator": "at_least", "value": 1}


def hook(receiver: Receiver) -> dict[str, Any]:
    return {"type": "webhook", "url": receiver.url}


def member(admin: Api, name: str) -> int:
    found: int = admin.ok("POST", "/members", 201, json={"name": name})["id"]
    return found


def kudos(admin: Api, key: str = "kudos", points: int = 3, category: str = "award") -> int:
    body = {"key": key, "name": key.title(), "category": category, "points": points}
    found: int = admin.ok("POST", "/achievements", 201, json=body | {"period": "none"})["id"]
    return found


def give_to(admin: Api, member_id: int, achievement_id: int) -> dict[str, Any]:
    body = {"achievement_id": achievement_id}
    given: dict[str, Any] = admin.ok("POST", f"/members/{member_id}/awards", 201, json=body)
    return given


def awards_of(admin: Api, member_id: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = admin.ok("GET", f"/awards?member_id={member_id}")
    return sorted(found, key=lambda a: a["id"])


def fired_for(admin: Api, notification_id: int) -> list[int]:
    return [f["event_award_id"] for f in firings(admin, notification_id)]


def test_every_origin_of_an_award_fires_the_award_trigger_once(
    admin: Api, receiver: Receiver
) -> None:
    seed_sources(admin)
    ann, bob = member(admin, "Ann"), member(admin, "Bob")
    by_hand = kudos(admin)
    watcher = notify(admin, EVERY_AWARD, hook(receiver), name="Any award")
    # A manual give.
    manual = give_to(admin, ann, by_hand)
    assert fired_for(admin, watcher["id"]) == [manual["id"]]
    # A rule: the record that completes it.
    profile = achievement(admin, "profile", [[PROFILE_ONCE]])
    send(admin, "company_profile_updated", ann)
    # A backfill: records before the achievement is active.
    send(admin, "calls", bob, minutes=5, outcome="ok")
    backfilled = achievement(admin, "caller", [[ONE_CALL]])
    # A bulk give.
    bulk = kudos(admin, "bulk")
    answer = admin.post(
        f"/achievements/{bulk}/awards/bulk",
        content=f"member_id\n{ann}\n{bob}\n".encode(),
        headers={"Content-Type": "text/csv"},
    )
    assert answer.status_code == 200, answer.text
    # A notification's give (its trigger is a record: it may start an award trigger).
    bonus = kudos(admin, "bonus")
    notify(admin, {"type": "record", "source": "deals"}, give(bonus), name="Deal bonus")
    send(admin, "deals", bob, status="approved", value=1)

    every = awards_of(admin, ann) + awards_of(admin, bob)
    by_achievement = {a["achievement_id"] for a in every}
    assert by_achievement == {by_hand, profile["id"], backfilled["id"], bulk, bonus}
    assert len(every) == 6
    assert sorted(fired_for(admin, watcher["id"])) == sorted(a["id"] for a in every)
    fired = firings(admin, watcher["id"])
    assert {(f["member_id"], f["event_award_id"]) for f in fired} == {
        (a["member_id"], a["id"]) for a in every
    }
    assert {f["outcome"] for f in fired} == {"enqueued"}
    receiver.wait_for(6)


def test_the_webhook_says_what_was_given(admin: Api, receiver: Receiver) -> None:
    ann = member(admin, "Ann")
    shiny = kudos(admin, "shiny", points=7)
    watcher = notify(admin, {"type": "award", "categories": ["award"]}, hook(receiver))
    given = give_to(admin, ann, shiny)
    [request] = receiver.wait_for(1)
    body = json.loads(request.body)
    assert body["event"] == "notification.fired"
    assert body["trigger"] == {
        "type": "award",
        "achievement_ids": [],
        "categories": ["award"],
        "event": "award.given",
    }
    assert body["member"]["id"] == ann and body["member"]["name"] == "Ann"
    award = body["award"]
    assert (award["id"], award["achievement_id"], award["achievement_name"]) == (
        given["id"],
        shiny,
        "Shiny",
    )
    assert (award["points"], award["category"], award["period_key"], award["origin"]) == (
        7,
        "award",
        "all",
        "manual",
    )
    assert body["record"] is None and "level" not in body
    assert firings(admin, watcher["id"])[0]["event_award_id"] == given["id"]


def test_filters_choose_the_awards(admin: Api, receiver: Receiver) -> None:
    ann = member(admin, "Ann")
    a, b = kudos(admin, "alpha"), kudos(admin, "beta")
    club = kudos(admin, "club", category="membership")
    only_a = notify(admin, {"type": "award", "achievement_ids": [a, a]}, hook(receiver))
    assert only_a["trigger"]["achievement_ids"] == [a]
    memberships = notify(admin, {"type": "award", "categories": ["membership"]}, hook(receiver))
    both = {"type": "award", "achievement_ids": [a, club], "categories": ["membership"]}
    a_and_membership = notify(admin, both, hook(receiver))
    given = {k: give_to(admin, ann, k)["id"] for k in (a, b, club)}
    assert fired_for(admin, only_a["id"]) == [given[a]]
    assert fired_for(admin, memberships["id"]) == [given[club]]
    assert fired_for(admin, a_and_membership["id"]) == [given[club]]


def test_unknown_ids_are_refused_naming_the_field(admin: Api, receiver: Receiver) -> None:
    real = kudos(admin)
    for trigger, loc in (
        ({"type": "award", "achievement_ids": [real, 999999]}, ["trigger", "achievement_ids", 1]),
        ({"type": "level", "level_ids": [424242]}, ["trigger", "level_ids", 0]),
        ({"type": "award", "categories": ["gold"]}, ["trigger", "award", "categories", 0]),
        ({"type": "award", "achievement_ids": [True]}, ["trigger", "award", "achievement_ids", 0]),
        ({"type": "level", "source": "deals"}, ["trigger", "level", "source"]),
    ):
        body = {"name": "n", "trigger": trigger, "action": hook(receiver)}
        problem = admin.ok("POST", "/notifications", 422, json=body)
        [error] = problem["errors"]
        assert [p for p in error["loc"] if p != "body"] == loc, problem
    assert admin.ok("GET", "/notifications") == []


def test_an_award_given_by_an_award_trigger_fires_no_award_trigger(admin: Api) -> None:
    """No chains: the echo award fires neither its own notification nor another award
    trigger; a record trigger's give does fire award triggers (one step, then it stops)."""
    ann = member(admin, "Ann")
    first, echo = kudos(admin, "first"), kudos(admin, "echo")
    echoing = notify(admin, EVERY_AWARD, give(echo), name="Echo")
    other = notify(admin, {"type": "award", "achievement_ids": [echo]}, give(first), name="Back")
    given = give_to(admin, ann, first)
    awards = awards_of(admin, ann)
    assert [a["achievement_id"] for a in awards] == [first, echo]
    assert fired_for(admin, echoing["id"]) == [given["id"]]
    assert firings(admin, echoing["id"])[0]["award_id"] == awards[1]["id"]
    assert fired_for(admin, other["id"]) == []


def test_a_revoked_award_fires_nothing_and_a_rollback_leaves_nothing(
    admin: Api, receiver: Receiver, clean_db: Engine, clock: FixedClock
) -> None:
    ann = member(admin, "Ann")
    shiny = kudos(admin, "shiny")
    watcher = notify(admin, EVERY_AWARD, hook(receiver))
    with Session(clean_db) as session:
        award = give_award(session, ann, shiny, at=None, actor=ADMIN, now=clock.now, zone=UTC)
        revoke_award(session, award.id, actor=ADMIN, now=clock.now, reason="oops")
        session.commit()
    with Session(clean_db) as session:
        give_award(session, ann, shiny, at=None, actor=ADMIN, now=clock.now, zone=UTC)
        session.flush()
        session.rollback()
    with Session(clean_db) as session:
        assert session.scalar(select(func.count()).select_from(NotificationFiring)) == 0
        assert session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0
        live = select(func.count()).select_from(Award).where(Award.revoked.is_(False))
        assert session.scalar(live) == 0
    # The same give, committed, fires: the checks above could fail.
    with Session(clean_db) as session:
        give_award(session, ann, shiny, at=None, actor=ADMIN, now=clock.now, zone=UTC)
        session.commit()
    assert len(firings(admin, watcher["id"])) == 1


def test_a_failing_firing_undoes_the_award(
    admin: Api, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The firing is made in the award's transaction: when it fails, the award is not given."""
    ann = member(admin, "Ann")
    shiny = kudos(admin, "shiny")
    notify(admin, EVERY_AWARD, hook(receiver))

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("outbox down")

    monkeypatch.setattr("plaudit.notification.firing.enqueue", broken)
    answer = admin.post(f"/members/{ann}/awards", json={"achievement_id": shiny})
    assert answer.status_code == 500
    monkeypatch.undo()
    assert awards_of(admin, ann) == []
