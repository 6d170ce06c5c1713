"""Test data for the group, member and team pages: teams with attributes, members in them,
and an active achievement whose audience is a group (made through the services)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from plaudit.achievement.schemas import AchievementCreate
from plaudit.achievement.service import activate_achievement, create_achievement
from plaudit.db.session import build_sessionmaker, unit_of_work
from plaudit.group.schemas import GroupCreate
from plaudit.group.service import create_group
from plaudit.kit.roles import SYSTEM
from plaudit.member.schemas import MemberCreate
from plaudit.member.service import create_member
from plaudit.team.schemas import TeamCreate
from plaudit.team.service import create_team
from tests.web.helpers import Site

NOW = datetime(2026, 11, 18, 13, 0, tzinfo=UTC)
PROFILE_ONCE = {
    "source": "company_profile_updated",
    "aggregate": "count",
    "operator": "at_least",
    "value": 1,
}


@dataclass(frozen=True)
class Teams:
    gold: int  # tier 1, region emea: Ken and Lena
    silver: int  # tier 2, region apac: Mo
    ken: int
    lena: int
    mo: int


def make_teams(engine: Engine) -> Teams:
    with unit_of_work(build_sessionmaker(engine)) as session:
        gold = create_team(
            session,
            TeamCreate(name="Gold partners", attributes={"tier": 1, "region": "emea"}),
        )
        silver = create_team(
            session,
            TeamCreate(name="Silver partners", attributes={"tier": 2, "region": "apac"}),
        )
        ken = create_member(session, MemberCreate(name="Ken Adams", team_id=gold.id, role="rep"))
        lena = create_member(session, MemberCreate(name="Lena Berg", team_id=gold.id))
        mo = create_member(session, MemberCreate(name="Mo Chen", team_id=silver.id, role="rep"))
        return Teams(gold=gold.id, silver=silver.id, ken=ken.id, lena=lena.id, mo=mo.id)


def make_group(engine: Engine, **body: Any) -> int:
    with unit_of_work(build_sessionmaker(engine)) as session:
        return create_group(session, GroupCreate.model_validate(body)).id


def make_audience_achievement(engine: Engine, group_id: int, *, name: str = "Profile pro") -> int:
    """An active achievement for the group's members: update the company profile once (Ada,
    of the site's seed, already has)."""
    with unit_of_work(build_sessionmaker(engine)) as session:
        achievement = create_achievement(
            session,
            AchievementCreate.model_validate(
                {
                    "key": name.lower().replace(" ", "-"),
                    "name": name,
                    "category": "award",
                    "points": 25,
                    "requirements": [[PROFILE_ONCE]],
                    "audience": [group_id],
                }
            ),
            actor=SYSTEM,
            now=NOW,
            zone=ZoneInfo("UTC"),
        )
        activate_achievement(session, achievement.id, actor=SYSTEM, now=NOW, zone=ZoneInfo("UTC"))
        return achievement.id


__all__ = ["NOW", "Site", "Teams", "make_audience_achievement", "make_group", "make_teams"]
