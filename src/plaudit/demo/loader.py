"""A small believable data set so that a newcomer sees awards, progress and a leaderboard at once.

Two partner companies and an internal sales team; the seeds' sources (activity events,
campaign activations, deals, calls, certifications); achievements of all three categories
with rules, icons, colours and badges; a few hundred records over the current and the
previous week and month; a seasonal board with last month archived (demo/seasons.py).
Everything goes through the same services as real traffic, so
progress and awards come from the engine, not from fixtures. Loading is idempotent: a
database that already holds the demo, or data of its own, is left alone.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plaudit.achievement import service as achievements
from plaudit.achievement.schemas import AchievementCreate
from plaudit.award.service import give_award
from plaudit.demo.achievements import BADGES, achievement_bodies, badge_svg
from plaudit.demo.organisation import MARKER, PARTIAL, PEOPLE, RECENT_STAR, SOURCES, STAR, TEAMS
from plaudit.demo.records import demo_records
from plaudit.demo.seasons import demo_season
from plaudit.group.schemas import GroupCreate
from plaudit.group.service import create_group
from plaudit.kit.roles import SYSTEM
from plaudit.member.schemas import MemberCreate
from plaudit.member.service import create_member
from plaudit.models import Achievement, Award, Member, Record, Team
from plaudit.periods import Period, PeriodWindow, period_containing
from plaudit.record.service import ingest_records
from plaudit.source.service import create_source
from plaudit.team.schemas import TeamCreate
from plaudit.team.service import create_team


class DemoState(StrEnum):
    empty = "empty"
    demo = "demo"
    other = "other"


@dataclass(frozen=True)
class DemoSummary:
    teams: int
    members: int
    achievements: int
    records: int
    awards: int
    star_member_id: int
    partial_member_id: int


def _count(session: Session, model: type[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def demo_state(session: Session) -> DemoState:
    """Whether the database is empty, holds the demo, or holds data of its own."""
    if session.scalar(select(Team.id).where(Team.external_id == MARKER)) is not None:
        return DemoState.demo
    if _count(session, Member) or _count(session, Achievement) or _count(session, Team):
        return DemoState.other
    return DemoState.empty


def star_member_id(session: Session) -> int | None:
    """The demo's high achiever, whose portal page shows the most."""
    if demo_state(session) is not DemoState.demo:
        return None
    return session.scalar(select(Member.id).where(Member.external_id == f"crm-{STAR + 1}"))


def ensure_demo(
    session: Session, *, now: datetime, zone: ZoneInfo
) -> tuple[DemoState, DemoSummary | None]:
    """Load the demo into an empty database; leave any other database as it is."""
    state = demo_state(session)
    if state is not DemoState.empty:
        return state, None
    return state, load_demo(session, now=now, zone=zone)


def _previous(window: PeriodWindow, zone: ZoneInfo) -> PeriodWindow:
    assert window.start is not None
    return period_containing(window.start - timedelta(microseconds=1), window.period, zone)


def load_demo(session: Session, *, now: datetime, zone: ZoneInfo, seed: int = 7) -> DemoSummary:
    """Fill an empty database with the demo organisation (see ensure_demo)."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    week = period_containing(now, Period.week, zone)
    month = period_containing(now, Period.month, zone)
    last_month = _previous(month, zone)
    teams = [
        create_team(session, TeamCreate(name=n, external_id=ext, attributes=a))
        for ext, n, a in TEAMS
    ]
    members = []
    for index, name in enumerate(PEOPLE):
        team = teams[index % len(teams)]
        email = name.lower().replace(" ", ".") + "@example.com"
        role = "partner_admin" if index < 2 else "sales_rep"
        members.append(
            create_member(
                session,
                MemberCreate(
                    name=name,
                    email=email,
                    external_id=f"crm-{index + 1}",
                    team_id=team.id,
                    role=role,
                ),
            )
        )
    gold = create_group(
        session,
        GroupCreate.model_validate(
            {
                "name": "Gold partners",
                "conditions": [
                    {"attribute": "team.attributes.tier", "op": "in", "value": ["gold", "internal"]}
                ],
            }
        ),
    )
    admins = create_group(
        session,
        GroupCreate.model_validate(
            {
                "name": "Partner admins",
                "conditions": [{"attribute": "member.role", "op": "eq", "value": "partner_admin"}],
            }
        ),
    )
    for source in SOURCES:
        create_source(session, source)
    created = []
    for body in achievement_bodies(gold.id, admins.id, last_month, zone):
        achievement = achievements.create_achievement(
            session, AchievementCreate.model_validate(body), actor=SYSTEM, now=now, zone=zone
        )
        if achievement.key in BADGES:
            content = badge_svg(*BADGES[achievement.key])
            achievements.set_badge(
                session, achievement.id, content, "image/svg+xml", actor=SYSTEM, now=now
            )
        achievements.activate_achievement(session, achievement.id, actor=SYSTEM, now=now, zone=zone)
        created.append(achievement)
    records = demo_records(rng, members, now, week, _previous(week, zone), month, last_month)
    for source_key, items in records.items():
        for start in range(0, len(items), 200):
            ingest_records(session, source_key, items[start : start + 200], now=now, zone=zone)
    eom = next(a for a in created if a.key == "employee-of-the-month")
    assert last_month.start is not None
    for member, at in ((members[STAR], last_month.start), (members[RECENT_STAR], now)):
        give_award(
            session,
            member.id,
            eom.id,
            at=at,
            actor=SYSTEM,
            now=now,
            zone=zone,
            reason="Demo: chosen by the managers",
        )
    created.append(demo_season(session, last_month, now=now, zone=zone))
    return DemoSummary(
        teams=len(teams),
        members=len(members),
        achievements=len(created),
        records=_count(session, Record),
        awards=_count(session, Award),
        star_member_id=members[STAR].id,
        partial_member_id=members[PARTIAL].id,
    )
