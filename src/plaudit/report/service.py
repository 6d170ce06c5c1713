"""Completion of each achievement by team: eligible members and members who completed it.

Set-based whatever the number of members: active members are counted per (team, role) class in
SQL, and since an audience's conditions read only team and role, each class is decided once with
the engine's own matching code (plaudit.group.matching). Members listed in a group one by one
are counted per achievement by one more grouped query; completions are one grouped query over
the awards.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from plaudit.achievement.service import get_achievement, list_achievements
from plaudit.domain.audience import Audience, MemberFacts, admits_by_team_and_role
from plaudit.engine.audiences import load_audience
from plaudit.models import Achievement, Award, Member, Team
from plaudit.models.group import group_members
from plaudit.monitoring.refs import achievement_refs, team_ref
from plaudit.periods import PeriodWindow, period_containing
from plaudit.report.schemas import CompletionQuery, CompletionReport, CompletionRow
from plaudit.team.service import get_team

ClassKey = tuple[int | None, str | None]
"""A class of members: (team id, role)."""
RowKey = tuple[int, int | None]
"""(achievement id, team id)."""


def awards_in_window(window: PeriodWindow) -> list[ColumnElement[bool]]:
    """Awards that belong to the window: by their own period, or when given (period none)."""
    if window.start is None or window.end is None:
        return []
    return [
        or_(
            and_(
                Award.period_start.is_not(None),
                Award.period_start >= window.start,
                Award.period_start < window.end,
            ),
            and_(
                Award.period_start.is_(None),
                Award.awarded_at >= window.start,
                Award.awarded_at < window.end,
            ),
        )
    ]


def _classes(
    session: Session, team_id: int | None, group_ids: Sequence[int] | None = None
) -> dict[ClassKey, int]:
    """Active members per (team, role); with `group_ids`, only those listed in the groups."""
    query = (
        select(Member.team_id, Member.role, func.count(Member.id))
        .where(Member.active.is_(True))
        .group_by(Member.team_id, Member.role)
    )
    if team_id is not None:
        query = query.where(Member.team_id == team_id)
    if group_ids is not None:
        listed = select(group_members.c.member_id).where(group_members.c.group_id.in_(group_ids))
        query = query.where(Member.id.in_(listed))
    return {(t, r): n for t, r, n in session.execute(query)}


def _eligible(
    session: Session,
    achievements: Sequence[Achievement],
    teams: dict[int, Team],
    team_id: int | None,
) -> dict[RowKey, int]:
    classes = _classes(session, team_id)
    facts = {
        key: MemberFacts(
            member_id=0,  # no one in particular: admits_by_team_and_role never reads it
            team_id=key[0],
            role=key[1],
            team_name=teams[key[0]].name if key[0] is not None else None,
            team_attributes=(teams[key[0]].attributes or {}) if key[0] is not None else {},
        )
        for key in classes
    }
    audiences: dict[int, Audience] = {}
    eligible: dict[RowKey, int] = defaultdict(int)
    for achievement in achievements:
        group_ids = list(achievement.audience or [])
        for group_id in group_ids:
            if group_id not in audiences:
                audiences[group_id] = load_audience(session, group_id)
        groups = [audiences[g] for g in group_ids]
        admitted = {
            key
            for key, fact in facts.items()
            if not groups or any(admits_by_team_and_role(a, fact) for a in groups)
        }
        for key in admitted:
            eligible[(achievement.id, key[0])] += classes[key]
        if any(a.member_ids for a in groups):
            for key, count in _classes(session, team_id, group_ids).items():
                if key not in admitted:
                    eligible[(achievement.id, key[0])] += count
    return eligible


def _completed(
    session: Session,
    achievement_ids: Sequence[int],
    team_id: int | None,
    window: PeriodWindow,
) -> dict[RowKey, tuple[int, int]]:
    """(distinct members, awards) per (achievement, team), non-revoked awards only."""
    query = (
        select(
            Award.achievement_id,
            Member.team_id,
            func.count(func.distinct(Award.member_id)),
            func.count(Award.id),
        )
        .join(Member, Member.id == Award.member_id)
        .where(
            Award.revoked.is_(False),
            Award.achievement_id.in_(achievement_ids),
            *awards_in_window(window),
        )
        .group_by(Award.achievement_id, Member.team_id)
    )
    if team_id is not None:
        query = query.where(Member.team_id == team_id)
    return {(a, t): (members, awards) for a, t, members, awards in session.execute(query)}


def completion_report(
    session: Session, q: CompletionQuery, *, now: datetime, zone: ZoneInfo
) -> CompletionReport:
    """One row per (achievement, team) where someone is eligible or has completed it."""
    if q.team_id is not None:
        get_team(session, q.team_id)
    achievements = (
        [get_achievement(session, q.achievement_id)]
        if q.achievement_id is not None
        else list(list_achievements(session))
    )
    window = period_containing(q.at or now, q.period, zone)
    team_query = select(Team)
    if q.team_id is not None:
        team_query = team_query.where(Team.id == q.team_id)
    teams = {t.id: t for t in session.scalars(team_query)}
    eligible = _eligible(session, achievements, teams, q.team_id)
    completed = _completed(session, [a.id for a in achievements], q.team_id, window)
    refs = achievement_refs(session, achievements)
    keys = {k for k, n in eligible.items() if n} | set(completed)
    rows = [
        CompletionRow(
            achievement=refs[achievement_id],
            team=team_ref(teams[team_id]) if team_id is not None else None,
            eligible=eligible.get((achievement_id, team_id), 0),
            completed=completed.get((achievement_id, team_id), (0, 0))[0],
            awards=completed.get((achievement_id, team_id), (0, 0))[1],
        )
        for achievement_id, team_id in sorted(keys, key=lambda k: (k[0], k[1] is None, k[1] or 0))
    ]
    return CompletionReport(
        period=window.period,
        period_start=window.start,
        period_end=window.end,
        rows=rows,
    )
