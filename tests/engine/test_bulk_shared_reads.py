"""The bulk path reads the earned completions and the active members once per batch for all
achievements; the per-record path reads them per achievement. Both must return the same
award ids, in the same order, and write the same awards, with inactive members, audiences,
completions earned in an earlier batch and every category in play."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plaudit.clock import FixedClock
from plaudit.config import Settings
from plaudit.models import Achievement, Award, Member
from plaudit.record.schemas import RecordIn
from plaudit.record.service import ingest_records
from tests.api.test_awards import make_member
from tests.conftest import Api, _truncate_all
from tests.engine.helpers import achievement, gold_partners, seed_sources

CALLS = {"source": "calls", "aggregate": "count", "operator": "at_least"}
START = datetime(2026, 11, 2, 9, tzinfo=UTC)


def _scenario(admin: Api, engine: Engine, settings: Settings, now: datetime, *, bulk: bool) -> Any:
    seed_sources(admin)
    gold, plain, group = gold_partners(admin)
    members = [
        make_member(admin, name, team_id=team["id"])["id"]
        for name, team in [("Ann", gold), ("Bob", plain), ("Cid", gold), ("Dee", gold)]
    ]
    admin.ok("PATCH", f"/members/{members[2]}", json={"active": False})
    achievement(admin, "three", [[{**CALLS, "value": 3}]], period="month")
    achievement(admin, "gold-three", [[{**CALLS, "value": 3}]], audience=[group["id"]])
    achievement(admin, "every-two", [[{**CALLS, "value": 2}]], repeatable=True, period="week")
    achievement(admin, "member-four", [[{**CALLS, "value": 4}]], category="membership")
    achievement(admin, "top-five", [[{**CALLS, "value": 5}]], category="record", period="month")
    returned: list[list[int]] = []
    for batch in range(3):
        items = [
            RecordIn(
                member_id=member,
                occurred_at=START + timedelta(days=batch * 3, hours=n * 5 + i),
                data={"minutes": n + i},
            )
            for n, member in enumerate(members)
            for i in range(batch + 2)
        ]
        with Session(engine) as session, session.begin():
            outcome = ingest_records(
                session, "calls", items, now=now, zone=settings.zone, bulk=bulk
            )
            returned.append(outcome.award_ids)
    with Session(engine) as session:
        keys = dict(session.execute(select(Achievement.id, Achievement.key)).all())
        names = dict(session.execute(select(Member.id, Member.name)).all())
        awards = {
            a.id: (
                keys[a.achievement_id],
                names[a.member_id],
                a.period_key,
                a.completion,
                a.period_start,
                a.period_end,
                a.points,
                a.holder_slot,
                a.origin,
                a.revoked,
            )
            for a in session.scalars(select(Award))
        }
    assert sorted(awards) == sorted(i for ids in returned for i in ids)
    return [[awards[i] for i in ids] for ids in returned]


def test_bulk_awards_as_the_per_record_path_with_shared_reads(
    admin: Api, engine: Engine, settings: Settings, clock: FixedClock
) -> None:
    now = clock()
    per_record = _scenario(admin, engine, settings, now, bulk=False)
    _truncate_all(engine)
    bulk = _scenario(admin, engine, settings, now, bulk=True)
    assert bulk == per_record
    flat = [a for batch in bulk for a in batch]
    assert {a[0] for a in flat} == {"three", "gold-three", "every-two", "member-four", "top-five"}
    assert not any(a[1] == "Cid" for a in flat)  # inactive
    assert not any(a[0] == "gold-three" and a[1] == "Bob" for a in flat)  # outside audience
    assert any(a[0] == "every-two" and a[3] > 1 for a in flat)  # repeated completions
