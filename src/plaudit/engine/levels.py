"""Levels reached: after awards are written, the members they went to may have crossed a
level's threshold; each crossing is written once as a `level_reached` row, in the same
transaction as the award.

A member's points are the points of their non-revoked awards: over all time, or for a yearly
level those that belong to the calendar year containing now (an award's own period, or when
it was given, as on the leaderboard). On PostgreSQL two transactions awarding one member at
once would each miss the other's award, and neither might see the threshold crossed; so the
member's level decision is serialised by an advisory lock taken before the points are summed
(READ COMMITTED: the sum then sees what the other committed). SQLite's writers are serialised
already. The unique constraint on (member, level, scope key) is the guarantee of once.

A revocation that drops the points below a threshold does not take the reached event back:
the current level is always computed from the points (``current_levels``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, and_, case, func, or_, select
from sqlalchemy.orm import Session

from plaudit.db.locking import lock_decisions
from plaudit.db.upsert import insert_for
from plaudit.engine.events import note_levels_reached
from plaudit.models import Award, Level, LevelReached
from plaudit.periods import Period, PeriodWindow, period_containing

ALL_TIME = "all_time"
YEAR = "year"
ALL_TIME_KEY = "all"


@dataclass(frozen=True)
class MemberPoints:
    """A member's points over all time and in the calendar year containing now."""

    all_time: int
    year: int

    def in_scope(self, scope: str) -> int:
        return self.year if scope == YEAR else self.all_time


def year_of(now: datetime, zone: ZoneInfo) -> PeriodWindow:
    return period_containing(now, Period.year, zone)


def scope_key(scope: str, year: PeriodWindow) -> str:
    """``all`` for an all-time level, the year (``2026``) for a yearly one."""
    return year.key[:4] if scope == YEAR else ALL_TIME_KEY


def member_points(
    session: Session, member_ids: Iterable[int], *, now: datetime, zone: ZoneInfo
) -> dict[int, MemberPoints]:
    """Every listed member's points (0 for none), in one grouped query."""
    ids = sorted(set(member_ids))
    if not ids:
        return {}
    year = year_of(now, zone)
    assert year.start is not None and year.end is not None
    in_year = or_(
        and_(
            Award.period_start.is_not(None),
            Award.period_start >= year.start,
            Award.period_start < year.end,
        ),
        and_(
            Award.period_start.is_(None),
            Award.awarded_at >= year.start,
            Award.awarded_at < year.end,
        ),
    )
    out = {m: MemberPoints(0, 0) for m in ids}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = session.execute(
            select(
                Award.member_id,
                func.sum(Award.points),
                func.sum(case((in_year, Award.points), else_=0)),
            )
            .where(Award.revoked.is_(False), Award.member_id.in_(chunk))
            .group_by(Award.member_id)
        )
        for member_id, total, this_year in rows:
            out[member_id] = MemberPoints(int(total or 0), int(this_year or 0))
    return out


def ladder(session: Session) -> Sequence[Level]:
    """Every level, lowest threshold first (ties by name)."""
    return session.scalars(select(Level).order_by(Level.points, Level.name, Level.id)).all()


def reach_levels_for_awards(
    session: Session, award_ids: Sequence[int], *, now: datetime, zone: ZoneInfo
) -> list[int]:
    """:func:`reach_levels` for the members of the awards just written."""
    if not award_ids or not ladder(session):
        return []
    members: set[int] = set()
    ids = list(award_ids)
    for start in range(0, len(ids), 500):
        members.update(
            session.scalars(select(Award.member_id).where(Award.id.in_(ids[start : start + 500])))
        )
    return reach_levels(session, members, now=now, zone=zone)


def reach_levels(
    session: Session, member_ids: Iterable[int], *, now: datetime, zone: ZoneInfo
) -> list[int]:
    """Write the levels the members have now reached and had not yet; return the new rows'
    ids. Called after awards are inserted, in their transaction."""
    ids = sorted(set(member_ids))
    if not ids:
        return []
    levels = ladder(session)
    if not levels:
        return []
    lock_decisions(session, [("level", member_id) for member_id in ids])
    year = year_of(now, zone)
    points = member_points(session, ids, now=now, zone=zone)
    keys = {scope_key(level.scope, year) for level in levels}
    held: set[tuple[int, int, str]] = set()
    for start in range(0, len(ids), 500):
        held.update(
            (m, lv, k)
            for m, lv, k in session.execute(
                select(LevelReached.member_id, LevelReached.level_id, LevelReached.scope_key).where(
                    LevelReached.member_id.in_(ids[start : start + 500]),
                    LevelReached.scope_key.in_(keys),
                )
            )
        )
    rows = [
        {
            "member_id": member_id,
            "level_id": level.id,
            "scope_key": key,
            "points": level_points,
            "reached_at": now,
        }
        for member_id in ids
        for level in levels
        if (level_points := points[member_id].in_scope(level.scope)) >= level.points
        and (member_id, level.id, key := scope_key(level.scope, year)) not in held
    ]
    if not rows:
        return []
    table = cast(Table, LevelReached.__table__)
    stmt = insert_for(session, table).on_conflict_do_nothing().returning(table.c.id)
    reached = list(session.connection().execute(stmt, rows).scalars())
    note_levels_reached(session, reached, now=now, zone=zone)
    return reached
