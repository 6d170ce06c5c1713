"""Rank members for a period: by award points, or by any aggregate of a source's records.

Ties share a rank (1, 1, 3). Members of the scope with nothing yet are listed with score 0.
Each row carries the icons of the member's active show-next-to-name awards.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from plaudit.achievement.service import has_badge
from plaudit.leaderboard.measure import check_measure, measure_name
from plaudit.leaderboard.schemas import (
    BadgeIcon,
    Leaderboard,
    LeaderboardMember,
    LeaderboardQuery,
    LeaderboardRow,
    LevelShown,
)
from plaudit.level.service import member_levels
from plaudit.models import Achievement, Award, Member, Record
from plaudit.periods import PeriodWindow, period_containing
from plaudit.rules.model import Rule
from plaudit.rules.sql import aggregate_expr, rule_clause
from plaudit.team.service import get_team


def _points(session: Session, window: PeriodWindow, member_ids: list[int]) -> dict[int, float]:
    """Award points that belong to the window: an award's own period, or when it was given."""
    query = select(Award.member_id, func.sum(Award.points)).where(Award.revoked.is_(False))
    if window.start is not None and window.end is not None:
        query = query.where(
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
        )
    query = query.group_by(Award.member_id)
    return {m: float(p or 0) for m, p in session.execute(query)}


def _measure(session: Session, q: LeaderboardQuery, window: PeriodWindow) -> dict[int, float]:
    assert q.source is not None and q.aggregate is not None
    where = q.filters
    source = check_measure(session, q.source, q.aggregate, q.field, where, at=("query",))
    fields = source.field_types()
    rule = Rule(
        source=q.source,
        where=where,
        aggregate=q.aggregate,
        field=q.field,
        operator="at_least",
        value=0,
    )
    query = select(Record.member_id, aggregate_expr(rule, fields, Record.data)).where(
        Record.source_id == source.id, rule_clause(rule, fields, Record.data)
    )
    if window.start is not None and window.end is not None:
        query = query.where(Record.occurred_at >= window.start, Record.occurred_at < window.end)
    query = query.group_by(Record.member_id)
    return {m: float(v) for m, v in session.execute(query) if v is not None}


def member_scores(
    session: Session, q: LeaderboardQuery, window: PeriodWindow, member_ids: list[int]
) -> dict[int, float]:
    """Each member's score in the window, for the members who have one (records that count,
    or award points); the others rank with 0."""
    return _measure(session, q, window) if q.source else _points(session, window, member_ids)


def _badges(session: Session, member_ids: list[int], now: datetime) -> dict[int, list[BadgeIcon]]:
    rows = session.execute(
        select(
            Award.member_id,
            Achievement.id,
            Achievement.key,
            Achievement.name,
            Achievement.icon,
            Achievement.secret,
        )
        .join(Achievement, Achievement.id == Award.achievement_id)
        .where(
            Achievement.show_next_to_name.is_(True),
            Achievement.deleted_at.is_(None),
            Award.revoked.is_(False),
            or_(Award.period_start.is_(None), Award.period_start <= now),
            or_(Award.period_end.is_(None), Award.period_end > now),
            Award.member_id.in_(member_ids),
        )
        .distinct()
        .order_by(Award.member_id, Achievement.id)
    ).all()
    with_badge = has_badge(session, sorted({r[1] for r in rows}))
    out: dict[int, list[BadgeIcon]] = defaultdict(list)
    for member_id, ach_id, key, name, icon, secret in rows:
        out[member_id].append(
            BadgeIcon(
                achievement_id=ach_id,
                key=key,
                name=name,
                icon=icon,
                badge_url=f"/api/v1/achievements/{ach_id}/badge" if ach_id in with_badge else None,
                secret=secret,
            )
        )
    return out


def hide_secret_badges(shown: Leaderboard, revealed: set[int]) -> Leaderboard:
    """The leaderboard without the badges of secret achievements outside `revealed` (those
    the viewing member holds; none for an embed link's anonymous viewer)."""
    rows = [
        row.model_copy(
            update={
                "badges": [b for b in row.badges if not b.secret or b.achievement_id in revealed]
            }
        )
        for row in shown.rows
    ]
    return shown.model_copy(update={"rows": rows})


def leaderboard(
    session: Session, q: LeaderboardQuery, *, now: datetime, zone: ZoneInfo
) -> Leaderboard:
    window = period_containing(q.at or now, q.period, zone)
    members_query = select(Member.id, Member.name, Member.team_id).where(Member.active.is_(True))
    if q.team_id is not None:
        get_team(session, q.team_id)
        members_query = members_query.where(Member.team_id == q.team_id)
    members = session.execute(members_query).all()
    ids = [m[0] for m in members]
    scores = member_scores(session, q, window, ids)
    ranked = sorted(members, key=lambda m: (-scores.get(m[0], 0.0), m[1].casefold(), m[0]))
    top = ranked[: q.limit]
    badges = _badges(session, [m[0] for m in top], now) if top else {}
    levels = member_levels(session, [m[0] for m in top], now=now, zone=zone)
    rows: list[LeaderboardRow] = []
    previous: float | None = None
    rank = 0
    for position, (member_id, name, team_id) in enumerate(top, start=1):
        score = scores.get(member_id, 0.0)
        if score != previous:
            rank, previous = position, score
        rows.append(
            LeaderboardRow(
                rank=rank,
                member=LeaderboardMember(id=member_id, name=name, team_id=team_id),
                score=score,
                badges=badges.get(member_id, []),
                level=LevelShown.model_validate(lv) if (lv := levels[member_id]) else None,
            )
        )
    measure = measure_name(q.source, q.aggregate, q.field, q.filters)
    return Leaderboard(
        period=q.period,
        measure=measure,
        rows=rows,
        period_start=window.start.isoformat() if window.start else None,
        period_end=window.end.isoformat() if window.end else None,
    )
