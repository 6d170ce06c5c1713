"""Creating, changing and listing levels; the level a member is at.

The current level is always computed from the member's points, so a revocation that drops
them below a threshold lowers it; the `level_reached` event stays (it happened). Creating a
level, or lowering its threshold, writes the events of the members already past it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from plaudit.engine.events import name_batch
from plaudit.engine.levels import MemberPoints, ladder, member_points, reach_levels
from plaudit.errors import Conflict, not_found
from plaudit.level.schemas import LevelCreate, LevelRead, LevelUpdate, MemberLevel
from plaudit.member.service import get_member
from plaudit.models import Award, Level


def get_level(session: Session, level_id: int) -> Level:
    level = session.get(Level, level_id)
    if level is None:
        raise not_found("level", level_id)
    return level


def list_levels(session: Session) -> Sequence[Level]:
    return ladder(session)


def _ensure_name_free(session: Session, name: str, own_id: int | None) -> None:
    other = session.scalars(select(Level.id).where(Level.name == name)).first()
    if other is not None and other != own_id:
        raise Conflict(
            detail=f"A level named {name!r} already exists (id {other}).",
            field="name",
            code="duplicate_level_name",
        )


def _reach_for_everyone(session: Session, *, now: datetime, zone: ZoneInfo) -> None:
    members = session.scalars(select(Award.member_id).where(Award.revoked.is_(False)).distinct())
    name_batch(session, "A change of the levels: everyone already past a threshold reached it.")
    reach_levels(session, members.all(), now=now, zone=zone)


def create_level(session: Session, data: LevelCreate, *, now: datetime, zone: ZoneInfo) -> Level:
    _ensure_name_free(session, data.name, None)
    level = Level(
        name=data.name, points=data.points, scope=data.scope.value, created_at=now, updated_at=now
    )
    session.add(level)
    session.flush()
    _reach_for_everyone(session, now=now, zone=zone)
    return level


def update_level(
    session: Session, level_id: int, data: LevelUpdate, *, now: datetime, zone: ZoneInfo
) -> Level:
    level = get_level(session, level_id)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "name" in changes:
        _ensure_name_free(session, changes["name"], level.id)
    for name, value in changes.items():
        setattr(level, name, value.value if name == "scope" else value)
    level.updated_at = now
    session.flush()
    if changes.keys() & {"points", "scope"}:
        _reach_for_everyone(session, now=now, zone=zone)
    return level


def delete_level(session: Session, level_id: int) -> None:
    """The level and its reached events go (the events name it)."""
    session.delete(get_level(session, level_id))
    session.flush()


def standing(levels: Sequence[Level], points: MemberPoints) -> tuple[Level | None, Level | None]:
    """The highest level the points reach, and the next one up (lowest threshold first)."""
    current: Level | None = None
    for level in levels:
        if points.in_scope(level.scope) >= level.points:
            current = level
    floor = current.points if current is not None else -1
    upcoming = (
        level
        for level in levels
        if level.points > floor and points.in_scope(level.scope) < level.points
    )
    return current, next(upcoming, None)


def member_levels(
    session: Session, member_ids: Sequence[int], *, now: datetime, zone: ZoneInfo
) -> dict[int, Level | None]:
    """Each member's current level (None below the first), in two queries."""
    levels = ladder(session)
    if not levels:
        return {m: None for m in member_ids}
    points = member_points(session, member_ids, now=now, zone=zone)
    return {m: standing(levels, points[m])[0] for m in member_ids}


def member_level(session: Session, member_id: int, *, now: datetime, zone: ZoneInfo) -> MemberLevel:
    get_member(session, member_id)
    levels = ladder(session)
    points = member_points(session, [member_id], now=now, zone=zone)[member_id]
    current, upcoming = standing(levels, points)
    return MemberLevel(
        member_id=member_id,
        level=LevelRead.model_validate(current) if current else None,
        points=points.all_time,
        points_this_year=points.year,
        next_level=LevelRead.model_validate(upcoming) if upcoming else None,
        points_to_next=upcoming.points - points.in_scope(upcoming.scope) if upcoming else None,
    )
