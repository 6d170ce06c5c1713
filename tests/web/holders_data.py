"""Test data for the holders, versions and drill-down pages, made through the services.

"Profile star" (award, all time, "profile updated at least once"):
- version 1 (5 points): activated, so Ada (whose profile record the seed made) earns it by
  rule; Dee (South) gets it by hand from "Harriet", then it is revoked ("given by mistake");
- version 2 (7 points, edited while inactive): Ann and Bob (North) have records by then, so
  activation awards them by rule; Cid (North) gets it by hand.
North also has Eve (eligible, nothing) and Fay (inactive, never eligible).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from plaudit.achievement.schemas import AchievementCreate, AchievementUpdate
from plaudit.achievement.service import (
    activate_achievement,
    create_achievement,
    deactivate_achievement,
    update_achievement,
)
from plaudit.award.service import give_award, revoke_award
from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.kit.roles import SYSTEM, Principal, Role
from plaudit.member.schemas import MemberCreate, MemberUpdate
from plaudit.member.service import create_member, update_member
from plaudit.record.schemas import RecordIn
from plaudit.record.service import ingest_records
from plaudit.team.schemas import TeamCreate
from plaudit.team.service import create_team

UTC_ZONE = ZoneInfo("UTC")
NOW = datetime(2026, 11, 18, 13, 0, tzinfo=UTC)
PROFILE_ONCE = {
    "source": "company_profile_updated",
    "aggregate": "count",
    "operator": "at_least",
    "value": 1,
}
HARRIET = Principal(name="Harriet", role=Role.manager)


@dataclass(frozen=True)
class Holders:
    achievement_id: int
    north_id: int
    south_id: int
    ids: dict[str, int]
    dee_award_id: int
    cid_award_id: int


def make_holders(engine: Engine, ada_id: int, grace_id: int) -> Holders:
    at = NOW - timedelta(days=10)

    def later(hours: int) -> datetime:
        return at + timedelta(hours=hours)

    with unit_of_work(build_sessionmaker(engine)) as session:
        north = create_team(session, TeamCreate(name="North"))
        south = create_team(session, TeamCreate(name="South"))
        ids = {"Ada": ada_id, "Grace": grace_id}
        for name, team in (
            ("Ann", north),
            ("Bob", north),
            ("Cid", north),
            ("Eve", north),
            ("Fay", north),
            ("Dee", south),
        ):
            ids[name] = create_member(session, MemberCreate(name=name, team_id=team.id)).id
        update_member(session, ids["Fay"], MemberUpdate(active=False))
        star = create_achievement(
            session,
            AchievementCreate.model_validate(
                {
                    "key": "profile-star",
                    "name": "Profile star",
                    "category": "award",
                    "points": 5,
                    "requirements": [[PROFILE_ONCE]],
                }
            ),
            actor=SYSTEM,
            now=later(0),
            zone=UTC_ZONE,
        )
        activate_achievement(session, star.id, actor=SYSTEM, now=later(1), zone=UTC_ZONE)
        dee = give_award(
            session, ids["Dee"], star.id, at=None, actor=HARRIET, now=later(2), zone=UTC_ZONE
        )
        revoke_award(session, dee.id, actor=SYSTEM, now=later(3), reason="given by mistake")
        deactivate_achievement(session, star.id, actor=SYSTEM, now=later(4))
        update_achievement(
            session,
            star.id,
            AchievementUpdate(points=7),
            actor=SYSTEM,
            now=later(5),
            zone=UTC_ZONE,
        )
        ingest_records(
            session,
            "company_profile_updated",
            [RecordIn(member_id=ids[n], occurred_at=later(6)) for n in ("Ann", "Bob")],
            now=later(6),
            zone=UTC_ZONE,
        )
        activate_achievement(session, star.id, actor=SYSTEM, now=later(7), zone=UTC_ZONE)
        cid = give_award(
            session, ids["Cid"], star.id, at=None, actor=HARRIET, now=later(8), zone=UTC_ZONE
        )
        return Holders(star.id, north.id, south.id, ids, dee.id, cid.id)
