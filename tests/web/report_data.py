"""Test data for the report and export pages: two teams (one with a name to escape), members,
an achievement given by hand at several dates, one award revoked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from plaudit.achievement.schemas import AchievementCreate
from plaudit.achievement.service import activate_achievement, create_achievement
from plaudit.award.service import give_award, revoke_award
from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.kit.roles import SYSTEM
from plaudit.member.schemas import MemberCreate
from plaudit.member.service import create_member
from plaudit.team.schemas import TeamCreate
from plaudit.team.service import create_team

UTC_ZONE = ZoneInfo("UTC")
NOW = datetime(2026, 11, 18, 13, 0, tzinfo=UTC)
ODD_TEAM = "R&D <South>"


@dataclass(frozen=True)
class Reported:
    achievement_id: int
    other_achievement_id: int
    north_id: int
    south_id: int
    north_members: list[int]


def make_report_data(engine: Engine) -> Reported:
    """North: 3 members, 2 completed (one in October); R&D <South>: 2 members, 1 completed
    and 1 revoked. Awards given 2026-09-20, 2026-10-05 and 2026-11-10 (10 points each)."""
    with unit_of_work(build_sessionmaker(engine)) as session:
        north = create_team(session, TeamCreate(name="North"))
        south = create_team(session, TeamCreate(name=ODD_TEAM))
        north_ids = [
            create_member(session, MemberCreate(name=f"North {i}", team_id=north.id)).id
            for i in range(3)
        ]
        south_ids = [
            create_member(session, MemberCreate(name=f"South {i}", team_id=south.id)).id
            for i in range(2)
        ]
        ids = []
        for key, name in (("helper", "Helper"), ("closer", "Closer")):
            body = {"key": key, "name": name, "category": "award", "points": 10}
            row = create_achievement(
                session,
                AchievementCreate.model_validate(body),
                actor=SYSTEM,
                now=NOW,
                zone=UTC_ZONE,
            )
            activate_achievement(session, row.id, actor=SYSTEM, now=NOW, zone=UTC_ZONE)
            ids.append(row.id)
        gifts = [
            (north_ids[0], datetime(2026, 11, 10, 9, tzinfo=UTC)),
            (north_ids[1], datetime(2026, 10, 5, 9, tzinfo=UTC)),
            (south_ids[0], datetime(2026, 9, 20, 9, tzinfo=UTC)),
            (south_ids[1], datetime(2026, 11, 12, 9, tzinfo=UTC)),
        ]
        awards = [
            give_award(session, member, ids[0], at=None, actor=SYSTEM, now=when, zone=UTC_ZONE)
            for member, when in gifts
        ]
        revoke_award(session, awards[-1].id, actor=SYSTEM, now=NOW, reason="mistake")
        return Reported(ids[0], ids[1], north.id, south.id, north_ids)
