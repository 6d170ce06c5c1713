"""Test data for the portal and leaderboard pages, made through the services on the pages'
fixed clock (2026-11-18 13:00 UTC)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from plaudit.achievement.schemas import AchievementCreate
from plaudit.achievement.service import activate_achievement, create_achievement
from plaudit.award.service import give_award, revoke_award
from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.kit.roles import SYSTEM
from plaudit.member.schemas import MemberCreate
from plaudit.member.service import create_member
from plaudit.record.schemas import RecordIn
from plaudit.record.service import ingest_records
from plaudit.team.schemas import TeamCreate
from plaudit.team.service import create_team

NOW = datetime(2026, 11, 18, 13, 0, tzinfo=UTC)
UTC_ZONE = ZoneInfo("UTC")
PROFILE_ONCE = {
    "source": "company_profile_updated",
    "aggregate": "count",
    "operator": "at_least",
    "value": 1,
}
THREE_DEALS = {"source": "deals", "aggregate": "count", "operator": "at_least", "value": 3}


def achievement(engine: Engine, *, active: bool = True, **overrides: Any) -> int:
    """Create (and by default activate, which backfills awards) an achievement."""
    body: dict[str, Any] = {
        "key": "profile-pro",
        "name": "Profile pro",
        "category": "award",
        "points": 25,
        "icon": "star",
        "description": "Update your company profile once",
        "requirements": [[PROFILE_ONCE]],
    }
    body.update(overrides)
    with unit_of_work(build_sessionmaker(engine)) as session:
        row = create_achievement(
            session, AchievementCreate.model_validate(body), actor=SYSTEM, now=NOW, zone=UTC_ZONE
        )
        if active:
            activate_achievement(session, row.id, actor=SYSTEM, now=NOW, zone=UTC_ZONE)
        return row.id


def give(engine: Engine, member_id: int, achievement_id: int) -> int:
    with unit_of_work(build_sessionmaker(engine)) as session:
        award = give_award(
            session, member_id, achievement_id, at=None, actor=SYSTEM, now=NOW, zone=UTC_ZONE
        )
        return award.id


def revoke(engine: Engine, award_id: int) -> None:
    with unit_of_work(build_sessionmaker(engine)) as session:
        revoke_award(session, award_id, actor=SYSTEM, now=NOW, reason="test")


def deals(
    engine: Engine, member_id: int, *values: float, status: str = "Won", at: datetime = NOW
) -> None:
    with unit_of_work(build_sessionmaker(engine)) as session:
        ingest_records(
            session,
            "deals",
            [
                RecordIn(member_id=member_id, occurred_at=at, data={"value": v, "status": status})
                for v in values
            ],
            now=NOW,
            zone=UTC_ZONE,
        )


def member(engine: Engine, name: str, team_id: int | None = None) -> int:
    with unit_of_work(build_sessionmaker(engine)) as session:
        return create_member(session, MemberCreate(name=name, team_id=team_id)).id


def team(engine: Engine, name: str) -> int:
    with unit_of_work(build_sessionmaker(engine)) as session:
        return create_team(session, TeamCreate(name=name)).id


def activate(engine: Engine, achievement_id: int) -> None:
    with unit_of_work(build_sessionmaker(engine)) as session:
        activate_achievement(session, achievement_id, actor=SYSTEM, now=NOW, zone=UTC_ZONE)
