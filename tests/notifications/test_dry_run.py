"""Testing a notification: who would get what on current data, and proof that it writes
nothing: every table's row count is the same afterwards, and the transaction it ran in never
wrote (PostgreSQL assigns no transaction id; SQLite's change counter does not move)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

import plaudit.models  # noqa: F401  (registers every table)
from plaudit.config import Settings
from plaudit.db.base import Base
from plaudit.notification.schemas import DryRunRequest
from plaudit.notification.service import dry_run_notification
from tests.conftest import Api
from tests.notifications.conftest import fast_settings
from tests.notifications.helpers import (
    NOV,
    achievement,
    deliveries,
    firings,
    formula,
    give,
    notify,
    send,
    setup,
)
from tests.notifications.receiver import Receiver

APPROVED = {
    "type": "record",
    "source": "deals",
    "where": [{"field": "status", "op": "eq", "value": "approved"}],
}


@pytest.fixture
def settings(database_url: str) -> Settings:
    """No delivery worker here: its attempts would be writes that no dry run made."""
    return fast_settings(database_url, webhook_worker=False)


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in Base.metadata.tables.items()
        } | {
            "alembic_version": conn.execute(
                text("SELECT count(*) FROM alembic_version")
            ).scalar_one()
        }


def dry_run(admin: Api, notification_id: int, **body: Any) -> dict[str, Any]:
    result: dict[str, Any] = admin.ok("POST", f"/notifications/{notification_id}/test", json=body)
    return result


def test_formula_dry_run_says_who_would_get_what(admin: Api) -> None:
    ids = setup(admin)
    club = achievement(admin, "club", "membership", "month")
    notification = notify(admin, formula(), give(club), active=False)["id"]
    send(admin, "calls", ids["ann"], minutes=1)
    send(admin, "deals", ids["ann"], status="approved", value=3)  # 3
    send(admin, "calls", ids["bob"], minutes=1)  # 0
    everyone = dry_run(admin, notification)
    assert everyone["notification_id"] == notification
    assert (everyone["active"], everyone["trigger"]) == (False, "formula")
    assert everyone["period"] == {
        "period": "month",
        "key": "2026-11-01",
        "start": "2026-11-01T00:00:00+00:00",
        "end": "2026-12-01T00:00:00+00:00",
    }
    # edge-triggered: nobody fires on current data; Ann meets it already, so she will NOT get it
    assert (everyone["members_checked"], everyone["would_fire"]) == (2, 0)
    assert everyone["counts"] == {"already_met": 1, "not_met": 1}
    [ann] = everyone["results"]  # members the next records can fire for are counted only
    assert (ann["member_id"], ann["outcome"], ann["value"]) == (ids["ann"], "already_met", 3.0)
    assert "will NOT fire" in ann["explanation"] and ann["action"] is None
    assert "1 member meets it already and will NOT get it" in everyone["summary"]
    assert "inactive" in everyone["summary"]
    [bob] = dry_run(admin, notification, member_id=ids["bob"])["results"]
    assert (bob["outcome"], bob["value"]) == ("not_met", 0.0)
    assert bob["action"] == {
        "type": "give_achievement",
        "outcome": "would_award",
        "achievement_id": club,
        "period": "2026-11-01",
        "points": 10,
        "code": None,
        "detail": None,
        "url": None,
        "headers": None,
        "payload": None,
    }
    # the next record: Bob's approved deal of 2 crosses; Ann's keeps her over it and fires nothing
    deal = {"source": "deals", "data": {"status": "approved", "value": 2}}
    crossing = dry_run(admin, notification, record={**deal, "member_id": ids["bob"]})
    assert (crossing["would_fire"], crossing["counts"]) == (1, {"would_fire": 1})
    [fires] = crossing["results"]
    assert (fires["member_id"], fires["value"]) == (ids["bob"], 2.0)
    assert fires["action"]["outcome"] == "would_award"
    [stays] = dry_run(admin, notification, record={**deal, "member_id": ids["ann"]})["results"]
    assert (stays["outcome"], stays["value_before"], stays["value"]) == ("already_met", 3.0, 5.0)
    # the category would refuse: Bob holds the membership already this month
    admin.ok("POST", f"/members/{ids['bob']}/awards", 201, json={"achievement_id": club})
    [refused] = dry_run(admin, notification, record={**deal, "member_id": ids["bob"]})["results"]
    assert refused["action"]["outcome"] == "would_refuse"
    assert refused["action"]["code"] == "membership_limit"
    # another month: nobody meets it there yet
    assert dry_run(admin, notification, at="2026-12-05T00:00:00Z")["results"] == []
    # a record that is not for the formula's sources, and a record with bad data
    [other] = dry_run(
        admin,
        notification,
        record={"source": "company_profile_updated", "member_id": ids["bob"], "data": {}},
    )["results"]
    assert other["outcome"] == "no_change"
    bad = admin.post(
        f"/notifications/{notification}/test",
        json={"record": {**deal, "member_id": ids["bob"], "data": {"value": "many"}}},
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"][:3] == ["record", "data", "value"]


def test_a_falling_average_fires_on_the_first_record_below(admin: Api) -> None:
    """`<` and `<=` cross like any operator: from not meeting (a number that does not, or no
    value) to meeting. An average of no calls is no value, so a first call below fires; a count
    starts at 0, which meets `< 3` already, so records never fire it in the period."""
    ids = setup(admin)
    short = notify(
        admin, formula("avg(calls.minutes)", "<", 5, "week"), give(ids["kudos"]), active=False
    )["id"]
    few = notify(admin, formula("count(calls)", "<", 3, "week"), give(ids["kudos"]))["id"]
    call = {"source": "calls", "member_id": ids["ann"], "data": {"minutes": 2}}
    [first] = dry_run(admin, short, record=call)["results"]
    assert (first["outcome"], first["value_before"], first["value"]) == ("would_fire", None, 2.0)
    [counted] = dry_run(admin, few, record=call)["results"]
    assert (counted["outcome"], counted["value_before"]) == ("already_met", 0.0)
    admin.ok("POST", f"/notifications/{short}/activate")
    assert len(send(admin, "calls", ids["ann"], minutes=2)["awards"]) == 1
    assert firings(admin, few) == []


def test_a_record_dry_run_says_which_recent_records_would_have_fired(admin: Api) -> None:
    ids = setup(admin)
    notification = notify(admin, APPROVED, give(ids["kudos"]), active=False)["id"]
    send(admin, "deals", ids["ann"], external_id="a1", status="approved", value=1)
    send(admin, "deals", ids["ann"], external_id="a2", status="pending", value=2)
    recent = dry_run(admin, notification)["recent"]
    assert [(r["record"]["external_id"], r["would_have_fired"]) for r in recent] == [
        ("a2", False),
        ("a1", True),
    ]
    assert recent[0]["explanation"] == (
        "Does not pass the filter status eq 'approved' (it is 'pending')."
    )
    pending = {"source": "deals", "member_id": ids["ann"], "external_id": "a2", "occurred_at": NOV}
    [miss] = dry_run(
        admin, notification, record={**pending, "data": {"status": "pending", "value": 2}}
    )["results"]
    assert miss["outcome"] == "no_change"  # stored with this very data: no event
    [update] = dry_run(
        admin, notification, record={**pending, "data": {"status": "approved", "value": 2}}
    )["results"]
    assert (update["outcome"], update["action"]["outcome"]) == ("would_fire", "would_award")
    only_created = notify(
        admin, {**APPROVED, "events": ["created"]}, give(ids["kudos"]), active=False
    )["id"]
    [not_listened] = dry_run(
        admin, only_created, record={**pending, "data": {"status": "approved", "value": 2}}
    )["results"]
    assert not_listened["outcome"] == "not_matching"
    assert "listens only to created" in not_listened["explanation"]


def test_dry_run_knows_what_already_fired_and_what_has_no_value(admin: Api) -> None:
    ids = setup(admin)
    notification = notify(admin, formula(), give(ids["kudos"]))["id"]
    send(admin, "calls", ids["ann"], minutes=1)
    send(admin, "deals", ids["ann"], status="approved", value=3)
    assert len(firings(admin, notification)) == 1
    [ann] = dry_run(admin, notification)["results"]
    assert (ann["outcome"], ann["action"]) == ("already_fired", None)
    send(admin, "deals", ids["bob"], status="approved", value=3)  # 3 / 0 calls
    [bob] = dry_run(admin, notification, member_id=ids["bob"])["results"]
    assert (bob["outcome"], bob["value"]) == ("no_value", None)
    assert (
        admin.post(f"/notifications/{notification}/test", json={"member_id": 424242}).status_code
        == 404
    )


def test_record_dry_run_tries_each_members_latest_matching_record(admin: Api) -> None:
    ids = setup(admin)
    notification = notify(admin, APPROVED, give(ids["kudos"]), active=False)["id"]
    send(admin, "deals", ids["ann"], external_id="a1", status="approved", value=1)
    send(admin, "deals", ids["ann"], external_id="a2", status="approved", value=2)
    send(admin, "deals", ids["ann"], external_id="a3", status="pending", value=3)
    send(admin, "deals", ids["bob"], external_id="b1", status="lost", value=4)
    result = dry_run(admin, notification)
    assert (result["trigger"], result["period"], result["would_fire"]) == ("record", None, 1)
    [ann] = result["results"]
    assert ann["outcome"] == "would_fire"
    assert (ann["record"]["external_id"], ann["record"]["data"]) == (
        "a2",
        {"status": "approved", "value": 2},
    )
    assert ann["action"]["outcome"] == "would_award"
    assert ann["action"]["period"] == "2026-11-16"
    [bob] = dry_run(admin, notification, member_id=ids["bob"])["results"]
    assert (bob["outcome"], bob["record"]) == ("no_matching_record", None)


def test_webhook_dry_run_shows_the_body_and_sends_nothing(admin: Api, receiver: Receiver) -> None:
    ids = setup(admin)
    notification = notify(admin, APPROVED, {"type": "webhook", "url": receiver.url})["id"]
    send(admin, "deals", ids["ann"], external_id="a1", status="approved", value=7)
    [ann] = dry_run(admin, notification)["results"]
    action = ann["action"]
    assert (action["type"], action["outcome"], action["url"]) == (
        "webhook",
        "would_send",
        receiver.url,
    )
    assert action["payload"]["member"]["id"] == ids["ann"]
    assert action["payload"]["record"]["data"] == {"status": "approved", "value": 7}
    assert action["payload"]["record"]["external_id"] == "a1"
    assert action["headers"]["X-Plaudit-Signature"].startswith("sha256=<")
    assert len(deliveries(admin, notification)) == 1  # the real firing's, no other
    assert receiver.requests == []


def test_an_unsaved_notification_can_be_tested(admin: Api) -> None:
    ids = setup(admin)
    send(admin, "calls", ids["ann"], minutes=1)
    send(admin, "deals", ids["ann"], status="approved", value=1)
    body = {"trigger": formula(), "action": {"type": "webhook", "url": "http://127.0.0.1:9/x"}}
    now = admin.ok("POST", "/notifications/test", json=body)
    assert (now["notification_id"], now["would_fire"], now["counts"]) == (
        None,
        0,
        {"no_value": 1, "not_met": 1},  # Bob: 0 / 0 calls
    )
    deal = {"source": "deals", "member_id": ids["ann"], "data": {"status": "approved", "value": 1}}
    result = admin.ok("POST", "/notifications/test", json={**body, "record": deal})
    assert (result["notification_id"], result["would_fire"]) == (None, 1)
    payload = result["results"][0]["action"]["payload"]
    assert payload["notification"] == {"id": None, "name": "Unsaved notification"}
    assert payload["trigger"]["value"] == 2.0
    assert payload["record"]["data"] == {"status": "approved", "value": 1}
    bad = admin.post("/notifications/test", json={**body, "trigger": formula("count(nope)")})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["column"] == 7
    assert admin.ok("GET", "/notifications") == []


def test_a_dry_run_writes_nothing(admin: Api, engine: Engine) -> None:
    ids = setup(admin)
    club = achievement(admin, "club", "record", "month")
    notifications = [
        notify(admin, formula(), give(club))["id"],
        notify(admin, formula(), {"type": "webhook", "url": "http://127.0.0.1:9/x"})["id"],
        notify(admin, APPROVED, give(ids["kudos"]))["id"],
        notify(admin, APPROVED, {"type": "webhook", "url": "http://127.0.0.1:9/y"}, active=False)[
            "id"
        ],
    ]
    send(admin, "calls", ids["ann"], minutes=1)
    send(admin, "calls", ids["bob"], minutes=1)
    send(admin, "deals", ids["ann"], status="approved", value=3)  # fires everything for Ann
    send(admin, "deals", ids["bob"], external_id="b", status="pending", value=3)
    admin.ok("PATCH", f"/notifications/{notifications[3]}", json={"active": True})
    send(admin, "deals", ids["bob"], external_id="b", status="approved", value=3)
    before = row_counts(engine)
    assert before["notification_firings"] > 0 and before["webhook_deliveries"] > 0
    for notification in notifications:
        for body in (
            {},
            {"member_id": ids["ann"]},
            {"member_id": ids["bob"]},
            {"at": "2026-10-10T00:00:00Z"},
            {"record": {"source": "deals", "member_id": ids["bob"], "data": {"value": 9}}},
            {"record": {"source": "deals", "member_id": ids["bob"], "external_id": "b"}},
        ):
            assert dry_run(admin, notification, **body)["results"] is not None
    admin.ok("POST", "/notifications/test", json={"trigger": formula(), "action": give(club)})
    assert row_counts(engine) == before

    # And inside one transaction: the dry run leaves it clean and writes nothing at all.
    with Session(engine) as session:
        if engine.dialect.name == "sqlite":
            raw = session.connection().connection.dbapi_connection
            assert raw is not None
            changes_before = raw.total_changes  # type: ignore[attr-defined]
        for notification in notifications:
            dry_run_notification(
                session,
                notification,
                DryRunRequest.model_validate(
                    {"record": {"source": "calls", "member_id": ids["bob"], "data": {}}}
                ),
                now=datetime.fromisoformat(NOV),
                zone=ZoneInfo("UTC"),
            )
        assert not session.new and not session.dirty and not session.deleted
        if engine.dialect.name == "postgresql":
            xid = session.execute(text("SELECT pg_current_xact_id_if_assigned()")).scalar()
            assert xid is None  # PostgreSQL gives a transaction an id only when it writes
        else:
            assert raw.total_changes == changes_before  # type: ignore[attr-defined]
        session.rollback()
