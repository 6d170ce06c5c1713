"""The audit log's filters on both databases: by member and achievement (also where only the
details name them), actor and a half-open date window; and a record deleted by a person is
taken out of the sums and audited with its data."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from plaudit.audit.service import list_actions, list_actors, list_events, record_event
from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.kit.roles import Principal, Role
from plaudit.models import Award, Record
from plaudit.record.service import delete_record_by_id
from tests.web.helpers import seed
from tests.web.source_data import AT, UTC_ZONE, add_deals, big_dealer

ANN = Principal(name="user:ann", role=Role.admin)
BOB = Principal(name="user:bob", role=Role.manager)


def test_filters(clean_db: Engine) -> None:
    site = seed(clean_db, records=False)
    with unit_of_work(build_sessionmaker(clean_db)) as session:
        record_event(session, ANN, "member.update", "member", site.member_id, at=AT)
        record_event(
            session,
            BOB,
            "award.give",
            "award",
            7,
            at=AT + timedelta(days=1),
            details={"member_id": site.member_id, "achievement_id": 3},
        )
        record_event(
            session,
            BOB,
            "user.update",
            "user",
            2,
            at=AT + timedelta(days=2),
            details={"member_id": None, "changed": ["role"]},
        )
        record_event(session, ANN, "achievement.edit", "achievement", 3, at=AT + timedelta(days=3))
    with Session(clean_db) as session:

        def actions(**filters: object) -> list[str]:
            return [e.action for e in list_events(session, **filters)]  # type: ignore[arg-type]

        assert actions(member_id=site.member_id) == ["award.give", "member.update"]
        assert actions(member_id=site.other_member_id) == []
        assert actions(achievement_id=3) == ["achievement.edit", "award.give"]
        assert actions(actor="user:bob") == ["user.update", "award.give"]
        assert actions(since=AT + timedelta(days=1), until=AT + timedelta(days=2)) == ["award.give"]
        assert actions(actor="user:ann", achievement_id=3) == ["achievement.edit"]
        assert list_actors(session) == ["user:ann", "user:bob"]
        assert list_actions(session) == [
            "achievement.edit",
            "award.give",
            "member.update",
            "user.update",
        ]


def test_a_deleted_record_stops_counting_and_is_audited(clean_db: Engine) -> None:
    site = seed(clean_db, records=False)
    big_dealer(clean_db)
    add_deals(clean_db, site.member_id, 60)
    with Session(clean_db) as session:
        record_id = session.scalar(select(Record.id))
    assert record_id is not None
    with unit_of_work(build_sessionmaker(clean_db)) as session:
        delete_record_by_id(
            session, "deals", record_id, actor=ANN, reason="Twice", now=AT, zone=UTC_ZONE
        )
    add_deals(clean_db, site.member_id, 60, first=2)  # 60 in all: no award yet
    with Session(clean_db) as session:
        assert session.scalar(select(func.count(Award.id))) == 0
        (event,) = list_events(session, action="record.delete")
        assert event.reason == "Twice" and event.actor == "user:ann"
        assert event.details["external_id"] == "d1"
        assert event.details["data"]["value"] == 60
        assert event.details["member_id"] == site.member_id
        assert [e.id for e in list_events(session, member_id=site.member_id)] == [event.id]
    add_deals(clean_db, site.member_id, 40, first=3)  # now 100: the award is given
    with Session(clean_db) as session:
        assert session.scalar(select(func.count(Award.id))) == 1
