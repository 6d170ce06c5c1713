"""Giving, revoking and listing awards.

A give takes a decision lock on (achievement, period), checks the category limit for a clear
message, and inserts inside a savepoint: the unique indexes are the guarantee, so a race that
passes the check still ends as a 409 and never as a second holder.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from plaudit.achievement.service import get_achievement
from plaudit.audit.service import record_event
from plaudit.award.schemas import AwardFilters
from plaudit.db.locking import lock_decision
from plaudit.domain.categories import Category, holder_slot
from plaudit.domain.origins import AwardOrigin
from plaudit.engine.audiences import member_in_audience
from plaudit.engine.evaluate import holders_of_all
from plaudit.engine.events import note_awards
from plaudit.engine.levels import reach_levels
from plaudit.engine.publish_rows import publish_automatic
from plaudit.errors import Conflict, not_found
from plaudit.kit.metrics import AWARDS_GIVEN, count_after_commit
from plaudit.kit.roles import Principal
from plaudit.limits import chunks
from plaudit.member.service import get_member
from plaudit.models import Achievement, Award, AwardPublication, Member
from plaudit.periods import Period, PeriodWindow, period_containing


def get_award(session: Session, award_id: int) -> Award:
    award = session.get(Award, award_id)
    if award is None:
        raise not_found("award", award_id)
    return award


def get_awards(session: Session, award_ids: Sequence[int]) -> list[Award]:
    """The awards, in the order of `award_ids`, in one query per chunk of ids: an ingest that
    gives hundreds of awards answers with all of them, and one query per award was most of a
    large batch's round trips (and grew with the awards the batch gave)."""
    found: dict[int, Award] = {}
    for some in chunks(sorted(set(award_ids))):
        found.update((a.id, a) for a in session.scalars(select(Award).where(Award.id.in_(some))))
    missing = [i for i in award_ids if i not in found]
    if missing:
        raise not_found("award", missing[0])
    return [found[i] for i in award_ids]


def _check_window(achievement: Achievement, at: datetime) -> None:
    start, end = achievement.effective_from, achievement.effective_until
    if (start is not None and at < start) or (end is not None and at >= end):
        raise Conflict(
            detail=f"“{achievement.name}” can be earned "
            f"{'from ' + start.isoformat() if start else 'from the beginning'} "
            f"{'until ' + end.isoformat() if end else 'on'}; {at.isoformat()} is "
            "outside that window, so nothing can be earned for it.",
            field="at",
            code="outside_effective_window",
        )


def _holder_conflict(
    session: Session, achievement: Achievement, window: PeriodWindow, slot: str
) -> Conflict | None:
    holder = session.scalars(
        select(Member.name)
        .select_from(Award)
        .join(Member, Member.id == Award.member_id)
        .where(
            Award.achievement_id == achievement.id,
            Award.period_key == window.key,
            Award.holder_slot == slot,
            Award.revoked.is_(False),
        )
    ).first()
    if holder is None:
        return None
    span = (
        "for all time"
        if window.period == Period.none
        else f"for the {window.period.value} starting {window.key}"
    )
    if Category(achievement.category) == Category.record:
        detail = (
            f"“{achievement.name}” is a record: one holder per period, and "
            f"{holder} already holds it {span}."
        )
    else:
        detail = f"“{achievement.name}” is a membership and {holder} already holds it {span}."
    return Conflict(detail=detail, code=f"{achievement.category}_limit")


def _check_give(
    session: Session, member_id: int, achievement_id: int, instant: datetime, zone: ZoneInfo
) -> tuple[Achievement, PeriodWindow, str | None]:
    """Everything a give checks before the category limit: the achievement, its period window
    for `instant`, and the category slot the award would hold."""
    member = get_member(session, member_id)
    achievement = get_achievement(session, achievement_id)
    if not member.active:
        raise Conflict(
            detail=f"{member.name} is inactive and cannot receive awards.",
            code="member_inactive",
        )
    if not member_in_audience(session, achievement.audience or [], member_id):
        raise Conflict(
            detail=f"{member.name} is not in the audience of “{achievement.name}” (not a "
            "member of any of its groups).",
            code="not_in_audience",
        )
    _check_window(achievement, instant)
    window = period_containing(instant, Period(achievement.period), zone)
    return achievement, window, holder_slot(Category(achievement.category), member_id)


def check_give(
    session: Session, member_id: int, achievement_id: int, *, at: datetime, zone: ZoneInfo
) -> tuple[Achievement, PeriodWindow]:
    """Raise what :func:`give_award` would refuse with now, writing and locking nothing (for
    dry runs); return the achievement and the period the award would be for."""
    achievement, window, slot = _check_give(session, member_id, achievement_id, at, zone)
    if slot is not None and (conflict := _holder_conflict(session, achievement, window, slot)):
        raise conflict
    return achievement, window


def give_award(
    session: Session,
    member_id: int,
    achievement_id: int,
    *,
    at: datetime | None,
    actor: Principal,
    now: datetime,
    zone: ZoneInfo,
    reason: str | None = None,
    origin: AwardOrigin = AwardOrigin.manual,
    notification_id: int | None = None,
) -> Award:
    achievement, window, slot = _check_give(session, member_id, achievement_id, at or now, zone)
    lock_decision(session, "award", achievement.id, window.key)
    if slot is not None and (conflict := _holder_conflict(session, achievement, window, slot)):
        raise conflict
    award = Award(
        achievement_id=achievement.id,
        achievement_version=achievement.version,
        member_id=member_id,
        points=achievement.points,
        awarded_at=now,
        period_key=window.key,
        period_start=window.start,
        period_end=window.end,
        completion=None,
        holder_slot=slot,
        origin=origin.value,
        notification_id=notification_id,
        given_by=actor.name,
    )
    try:
        with session.begin_nested():
            session.add(award)
            session.flush()
    except IntegrityError as exc:
        raise _holder_conflict(session, achievement, window, slot or "") or Conflict(
            detail="The award conflicts with one given at the same moment.",
            code=f"{achievement.category}_limit",
        ) from exc
    note_awards(session, [award.id], now=now, zone=zone)
    publish_automatic(session.connection(), [award.id], now=now, by=actor.name)
    count_after_commit(session, AWARDS_GIVEN.labels(origin.value))
    # A manual give may skip prerequisites (an admin's decision); the audit log says so.
    missing = missing_prerequisites(session, achievement, member_id)
    reach_levels(session, [member_id], now=now, zone=zone)
    record_event(
        session,
        actor,
        "award.give",
        "award",
        award.id,
        at=now,
        reason=reason,
        details={
            "achievement_id": achievement.id,
            "member_id": member_id,
            "period": window.key,
            "source": origin.value,
            **({"missing_prerequisites": missing} if missing else {}),
        },
    )
    return award


def missing_prerequisites(session: Session, achievement: Achievement, member_id: int) -> list[int]:
    """The achievement's prerequisites the member does not hold (not revoked)."""
    wanted = list(achievement.prerequisites or [])
    return [p for p in wanted if member_id not in holders_of_all(session, [p], {member_id})]


def revoke_award(
    session: Session, award_id: int, *, actor: Principal, now: datetime, reason: str | None
) -> Award:
    award = get_award(session, award_id)
    if award.revoked:
        return award
    award.revoked = True
    award.revoked_at = now
    award.revoked_by = actor.name
    award.revoke_reason = reason
    record_event(
        session,
        actor,
        "award.revoke",
        "award",
        award.id,
        at=now,
        reason=reason,
        details={"achievement_id": award.achievement_id, "member_id": award.member_id},
    )
    session.flush()
    return award


def award_filter_clauses(filters: AwardFilters, *, now: datetime) -> list[ColumnElement[bool]]:
    """The WHERE clauses of the award filters: shared by the list, the CSV export and reports."""
    clauses: list[ColumnElement[bool]] = []
    if filters.member_id is not None:
        clauses.append(Award.member_id == filters.member_id)
    if filters.achievement_id is not None:
        clauses.append(Award.achievement_id == filters.achievement_id)
    if filters.team_id is not None:
        clauses.append(
            Award.member_id.in_(select(Member.id).where(Member.team_id == filters.team_id))
        )
    if filters.source is not None:
        clauses.append(Award.origin == filters.source.value)
    if filters.awarded_after is not None:
        clauses.append(Award.awarded_at >= filters.awarded_after)
    if filters.awarded_before is not None:
        clauses.append(Award.awarded_at < filters.awarded_before)
    if filters.active is True:
        clauses.extend(
            (
                Award.revoked.is_(False),
                (Award.period_start.is_(None)) | (Award.period_start <= now),
                (Award.period_end.is_(None)) | (Award.period_end > now),
            )
        )
    elif filters.active is False:
        clauses.append(
            (Award.revoked.is_(True)) | (Award.period_start > now) | (Award.period_end <= now)
        )
    return clauses


def filtered_awards(filters: AwardFilters, *, now: datetime) -> Select[Award]:
    return select(Award).where(*award_filter_clauses(filters, now=now))


def list_awards(
    session: Session, filters: AwardFilters, *, now: datetime, limit: int, offset: int
) -> Sequence[Award]:
    query = filtered_awards(filters, now=now).order_by(Award.id).limit(limit).offset(offset)
    return session.scalars(query).all()


def public_ids(session: Session, award_ids: Sequence[int]) -> dict[int, str]:
    """The public id of each of the awards that is published."""
    if not award_ids:
        return {}
    rows = session.execute(
        select(AwardPublication.award_id, AwardPublication.public_id).where(
            AwardPublication.award_id.in_(award_ids)
        )
    )
    return {award_id: public_id for award_id, public_id in rows}
