"""Behind one cell of the completion report: the members of one team (or of no team) who
completed an achievement in the period, and the eligible ones who did not.

The same definitions as the report's counts: completed means a non-revoked award in the
period; eligible means active and in the achievement's audience.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plaudit.achievement.service import get_achievement
from plaudit.domain.audience import in_any
from plaudit.engine.audiences import load_audiences, member_facts
from plaudit.models import Achievement, Award, Member, Team
from plaudit.periods import Period, PeriodWindow, period_containing
from plaudit.report.service import awards_in_window
from plaudit.team.service import get_team


@dataclass(frozen=True)
class MemberLine:
    member_id: int
    name: str
    active: bool
    awards: int


@dataclass(frozen=True)
class CellMembers:
    achievement: Achievement
    team: Team | None
    window: PeriodWindow
    completed: list[MemberLine]
    not_completed: list[MemberLine]


def completion_members(
    session: Session,
    achievement_id: int,
    team_id: int | None,
    *,
    period: Period,
    at: datetime,
    zone: ZoneInfo,
) -> CellMembers:
    """`team_id` None is the report's "No team" row."""
    achievement = get_achievement(session, achievement_id)
    team = get_team(session, team_id) if team_id is not None else None
    window = period_containing(at, period, zone)
    team_clause = Member.team_id.is_(None) if team_id is None else Member.team_id == team_id
    done = session.execute(
        select(Member.id, Member.name, Member.active, func.count(Award.id))
        .join(Award, Award.member_id == Member.id)
        .where(
            team_clause,
            Award.achievement_id == achievement.id,
            Award.revoked.is_(False),
            *awards_in_window(window),
        )
        .group_by(Member.id, Member.name, Member.active)
        .order_by(Member.name, Member.id)
    )
    completed = [MemberLine(m, name, active, n) for m, name, active, n in done]
    done_ids = {line.member_id for line in completed}
    candidates = {
        m: name
        for m, name in session.execute(
            select(Member.id, Member.name).where(team_clause, Member.active.is_(True))
        )
        if m not in done_ids
    }
    audiences = load_audiences(session, list(achievement.audience or []))
    if audiences:
        eligible = {
            facts.member_id
            for facts in member_facts(session, list(candidates))
            if in_any(audiences, facts)
        }
    else:
        eligible = set(candidates)
    not_completed = sorted(
        (MemberLine(m, candidates[m], True, 0) for m in eligible),
        key=lambda line: (line.name, line.member_id),
    )
    return CellMembers(
        achievement=achievement,
        team=team,
        window=window,
        completed=completed,
        not_completed=not_completed,
    )
