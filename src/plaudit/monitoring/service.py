"""A team's summary: its members' recent activity (records and awards of the last 30 days,
newest first), their five most recent achievements, and every achievement they completed.

Each part is a fixed number of queries whatever the size of the team: a UNION of awards and
records picks the newest items, then one query per kind loads what they show.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, literal_column, select, union_all
from sqlalchemy.orm import Session

from plaudit.award.presenter import present_award
from plaudit.domain.origins import AwardOrigin
from plaudit.models import Achievement, Award, Member, Record, Source
from plaudit.monitoring.refs import achievement_refs, member_ref
from plaudit.monitoring.schemas import (
    ActivityAward,
    ActivityItem,
    ActivityKind,
    ActivityRecord,
    RecentAchievement,
    SummaryQuery,
    TeamAchievement,
    TeamSummary,
)
from plaudit.team.schemas import TeamRead
from plaudit.team.service import get_team

ACTIVITY_WINDOW = timedelta(days=30)
RECENT_ACHIEVEMENTS = 5
# How the activity feed says an award came about; a rule's (and a notification's) "completed".
_VERBS = {
    AwardOrigin.manual.value: "was given",
    AwardOrigin.streak.value: "kept a streak for",
    AwardOrigin.season.value: "won",
}


def _members_of(team_id: int) -> Select[int]:
    return select(Member.id).where(Member.team_id == team_id)


def _newest_activity(
    session: Session,
    team_id: int,
    q: SummaryQuery,
    since: datetime,
    now: datetime,
    offset: int = 0,
) -> list[tuple[str, int]]:
    """(kind, id) of the newest awards and records of the team's members in [since, now],
    after skipping the `offset` newest (the pages show the activity a page at a time)."""
    parts: list[Select[Any, int, datetime]] = []
    if q.kind in (ActivityKind.all, ActivityKind.awards):
        parts.append(
            select(
                literal_column("'award'").label("kind"),
                Award.id.label("id"),
                Award.awarded_at.label("at"),
            ).where(
                Award.member_id.in_(_members_of(team_id)),
                Award.awarded_at >= since,
                Award.awarded_at <= now,
            )
        )
    if q.kind in (ActivityKind.all, ActivityKind.records):
        parts.append(
            select(
                literal_column("'record'").label("kind"),
                Record.id.label("id"),
                Record.occurred_at.label("at"),
            ).where(
                Record.member_id.in_(_members_of(team_id)),
                Record.occurred_at >= since,
                Record.occurred_at <= now,
            )
        )
    union = union_all(*parts).subquery()
    query = (
        select(union.c.kind, union.c.id)
        .order_by(union.c.at.desc(), union.c.kind, union.c.id.desc())
        .limit(q.limit)
        .offset(offset)
    )
    return [(str(kind), int(ident)) for kind, ident in session.execute(query)]


def _award_items(session: Session, ids: list[int]) -> dict[int, ActivityItem]:
    if not ids:
        return {}
    rows = session.execute(
        select(Award, Achievement, Member)
        .join(Achievement, Achievement.id == Award.achievement_id)
        .join(Member, Member.id == Award.member_id)
        .where(Award.id.in_(ids))
    ).all()
    refs = achievement_refs(session, [achievement for _, achievement, _ in rows])
    items = {}
    for award, achievement, member in rows:
        verb = _VERBS.get(award.origin, "completed")
        summary = f"{member.name} {verb} {achievement.name} (+{award.points} points)"
        items[award.id] = ActivityItem(
            type="award",
            at=award.awarded_at,
            member=member_ref(member),
            summary=summary + (", since revoked" if award.revoked else ""),
            award=ActivityAward(
                id=award.id,
                achievement=refs[achievement.id],
                points=award.points,
                period=award.period_key,
                source=AwardOrigin(award.origin),
                revoked=award.revoked,
            ),
        )
    return items


def _record_items(session: Session, ids: list[int]) -> dict[int, ActivityItem]:
    if not ids:
        return {}
    rows = session.execute(
        select(Record, Source.key, Source.name, Member)
        .join(Source, Source.id == Record.source_id)
        .join(Member, Member.id == Record.member_id)
        .where(Record.id.in_(ids))
    ).all()
    items = {}
    for record, source_key, source_name, member in rows:
        named = f" {record.external_id}" if record.external_id else ""
        items[record.id] = ActivityItem(
            type="record",
            at=record.occurred_at,
            member=member_ref(member),
            summary=f"{member.name}: {source_name} record{named}",
            record=ActivityRecord(
                id=record.id,
                source=source_key,
                source_name=source_name,
                external_id=record.external_id,
                data=record.data,
            ),
        )
    return items


def recent_activity(
    session: Session,
    team_id: int,
    q: SummaryQuery,
    *,
    since: datetime,
    now: datetime,
    offset: int = 0,
) -> list[ActivityItem]:
    newest = _newest_activity(session, team_id, q, since, now, offset)
    awards = _award_items(session, [i for kind, i in newest if kind == "award"])
    records = _record_items(session, [i for kind, i in newest if kind == "record"])
    return [awards[i] if kind == "award" else records[i] for kind, i in newest]


def recent_achievements(
    session: Session, team_id: int, *, now: datetime, limit: int = RECENT_ACHIEVEMENTS
) -> list[RecentAchievement]:
    """The team's most recent non-revoked awards, whatever their age."""
    rows = session.execute(
        select(Award, Achievement, Member)
        .join(Achievement, Achievement.id == Award.achievement_id)
        .join(Member, Member.id == Award.member_id)
        .where(Member.team_id == team_id, Award.revoked.is_(False))
        .order_by(Award.awarded_at.desc(), Award.id.desc())
        .limit(limit)
    ).all()
    refs = achievement_refs(session, [achievement for _, achievement, _ in rows])
    return [
        RecentAchievement(
            award=present_award(award, now),
            achievement=refs[achievement.id],
            member=member_ref(member),
        )
        for award, achievement, member in rows
    ]


def team_achievements(session: Session, team_id: int) -> list[TeamAchievement]:
    """Every achievement the team's members hold a non-revoked award of, newest first."""
    last = func.max(Award.awarded_at).label("last")
    counts = (
        select(
            Award.achievement_id,
            func.count(func.distinct(Award.member_id)),
            func.count(Award.id),
            func.coalesce(func.sum(Award.points), 0),
            last,
        )
        .join(Member, Member.id == Award.member_id)
        .where(Member.team_id == team_id, Award.revoked.is_(False))
        .group_by(Award.achievement_id)
        .order_by(last.desc(), Award.achievement_id)
    )
    rows = session.execute(counts).all()
    achievements = session.scalars(
        select(Achievement).where(Achievement.id.in_([r[0] for r in rows]))
    )
    refs = achievement_refs(session, achievements)
    return [
        TeamAchievement(
            achievement=refs[achievement_id],
            members=members,
            awards=awards,
            points=points,
            last_awarded_at=last_at,
        )
        for achievement_id, members, awards, points, last_at in rows
    ]


def team_summary(
    session: Session, team_id: int, q: SummaryQuery, *, now: datetime, offset: int = 0
) -> TeamSummary:
    """The summary; `offset` skips the newest activity items (the web page's later pages)."""
    team = get_team(session, team_id)
    since = q.since or now - ACTIVITY_WINDOW
    return TeamSummary(
        team=TeamRead.model_validate(team),
        since=since,
        recent_activity=recent_activity(session, team_id, q, since=since, now=now, offset=offset),
        recent_achievements=recent_achievements(session, team_id, now=now),
        achievements=team_achievements(session, team_id),
    )
