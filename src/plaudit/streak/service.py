"""Streak definitions, and members' streaks computed on read.

A member's streak is computed when asked, from that member's records of the rule's source
(read through the index on source, member and time), bucketed into local periods: nothing is
stored, so a late record (dated in an earlier period) repairs or breaks a streak at once, and
editing the calendar changes every answer. The run itself is found by the pure
:mod:`plaudit.streak.runs`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from plaudit.audit.service import record_event
from plaudit.calendar.service import work_calendar
from plaudit.calendar.workdays import WorkCalendar
from plaudit.engine.generation import bump_generation
from plaudit.engine.sources import field_types_by_source
from plaudit.errors import Conflict, FieldError, InvalidInput, invalid_fields, not_found
from plaudit.kit.roles import Principal
from plaudit.member.service import get_member
from plaudit.models import Achievement, Record, Source, Streak
from plaudit.periods import Period, local_bounds, start_of_local_day
from plaudit.rules.model import STORED, FieldType, Rule
from plaudit.rules.oracle import aggregate, compare
from plaudit.rules.validation import validate_requirements
from plaudit.rules.values import matches
from plaudit.streak.runs import StreakState, streak_state
from plaudit.streak.schemas import (
    MemberStreak,
    StreakCreate,
    StreakPeriod,
    StreakRead,
    StreakUpdate,
)


def get_streak(session: Session, streak_id: int) -> Streak:
    streak = session.get(Streak, streak_id)
    if streak is None:
        raise not_found("streak", streak_id)
    return streak


def list_streaks(session: Session) -> Sequence[Streak]:
    return session.scalars(select(Streak).order_by(Streak.name, Streak.id)).all()


def rule_of(streak: Streak) -> Rule:
    return Rule.model_validate(streak.rule, context=STORED)


def read_streak(streak: Streak) -> StreakRead:
    return StreakRead(
        id=streak.id,
        name=streak.name,
        rule=rule_of(streak),
        period=StreakPeriod(streak.period),
        target=streak.target,
        freezes=streak.freezes,
        achievement_id=streak.achievement_id,
        created_by=streak.created_by,
        created_at=streak.created_at,
        updated_at=streak.updated_at,
    )


def _check_rule(session: Session, rule: Rule) -> None:
    sources = field_types_by_source(session, [rule.source])
    problems = [
        FieldError(("body", "rule", *p.loc[2:]), p.message)
        for p in validate_requirements([[rule]], sources, repeatable=False)
    ]
    if problems:
        raise invalid_fields(problems)


def _check_achievement(session: Session, achievement_id: int | None) -> None:
    if achievement_id is not None and session.get(Achievement, achievement_id) is None:
        raise InvalidInput(
            detail=f"achievement {achievement_id} does not exist", field="body.achievement_id"
        )


def _check_name_free(session: Session, name: str, own_id: int | None) -> None:
    taken = session.scalar(select(Streak.id).where(Streak.name == name))
    if taken is not None and taken != own_id:
        raise Conflict(
            detail=f"A streak named {name!r} exists already (streak {taken}).",
            code="streak_name_taken",
            field="body.name",
        )


def create_streak(
    session: Session, data: StreakCreate, *, actor: Principal, now: datetime
) -> Streak:
    _check_name_free(session, data.name, None)
    _check_rule(session, data.rule)
    _check_achievement(session, data.achievement_id)
    streak = Streak(
        name=data.name,
        rule=data.rule.model_dump(mode="json"),
        period=data.period.value,
        target=data.target,
        freezes=data.freezes,
        achievement_id=data.achievement_id,
        created_by=actor.name,
        created_at=now,
        updated_at=now,
    )
    session.add(streak)
    session.flush()
    bump_generation(session)  # the streaks that give achievements are cached per generation
    record_event(
        session, actor, "streak.create", "streak", streak.id, at=now, details={"name": data.name}
    )
    return streak


def update_streak(
    session: Session, streak_id: int, data: StreakUpdate, *, actor: Principal, now: datetime
) -> Streak:
    streak = get_streak(session, streak_id)
    if data.name is not None:
        _check_name_free(session, data.name, streak.id)
        streak.name = data.name
    if data.rule is not None:
        _check_rule(session, data.rule)
        streak.rule = data.rule.model_dump(mode="json")
    if data.period is not None:
        streak.period = data.period.value
    if data.target is not None:
        streak.target = data.target
    if data.freezes is not None:
        streak.freezes = data.freezes
    if "achievement_id" in data.model_fields_set:
        _check_achievement(session, data.achievement_id)
        streak.achievement_id = data.achievement_id
    streak.updated_at = now
    session.flush()
    bump_generation(session)
    record_event(
        session,
        actor,
        "streak.update",
        "streak",
        streak.id,
        at=now,
        details={"changed": sorted(data.model_fields_set)},
    )
    return streak


def delete_streak(session: Session, streak_id: int, *, actor: Principal, now: datetime) -> None:
    streak = get_streak(session, streak_id)
    name = streak.name
    session.delete(streak)
    session.flush()
    bump_generation(session)
    record_event(
        session, actor, "streak.delete", "streak", streak_id, at=now, details={"name": name}
    )


# --- a member's streaks ----------------------------------------------------------------------


def met_periods(
    rule: Rule,
    fields: Mapping[str, FieldType],
    period: Period,
    records: Sequence[tuple[datetime, dict[str, Any]]],
    zone: ZoneInfo,
) -> set[date]:
    """First days of the local periods in which `rule` is met by `records` (time, data): at
    least one record passes its filters and the aggregate compares true."""
    buckets: dict[date, list[dict[str, Any]]] = defaultdict(list)
    for occurred_at, data in records:
        if all(matches(f, fields.get(f.field), data) for f in rule.where):
            local = occurred_at.astimezone(zone).date()
            buckets[local_bounds(local, period)[0]].append(data)
    met: set[date] = set()
    for start, datas in buckets.items():
        value = aggregate(rule, fields, datas)
        if value is not None and compare(rule.operator, value, rule.value):
            met.add(start)
    return met


def member_records(
    session: Session, source: Source, member_id: int, until: datetime
) -> list[tuple[datetime, dict[str, Any]]]:
    """The member's records of `source` before `until`, through ix_records_source_member_time."""
    rows = session.execute(
        select(Record.occurred_at, Record.data).where(
            Record.source_id == source.id,
            Record.member_id == member_id,
            Record.occurred_at < until,
        )
    )
    return [(at, data or {}) for at, data in rows]


def state_of(
    session: Session,
    streak: Streak,
    member_id: int,
    *,
    now: datetime,
    zone: ZoneInfo,
    calendar: WorkCalendar,
) -> StreakState:
    rule = rule_of(streak)
    period = Period(streak.period)
    today = now.astimezone(zone).date()
    source = session.scalar(select(Source).where(Source.key == rule.source))
    met: set[date] = set()
    if source is not None:
        until = start_of_local_day(local_bounds(today, period)[1], zone)
        records = member_records(session, source, member_id, until)
        met = met_periods(rule, source.field_types(), period, records, zone)
    return streak_state(met, today, period, calendar, streak.freezes)


def member_streaks(
    session: Session, member_id: int, *, now: datetime, zone: ZoneInfo
) -> list[MemberStreak]:
    """Every streak definition's state for the member, by name."""
    get_member(session, member_id)
    calendar = work_calendar(session)
    out = []
    for streak in list_streaks(session):
        state = state_of(session, streak, member_id, now=now, zone=zone, calendar=calendar)
        out.append(
            MemberStreak(
                streak_id=streak.id,
                name=streak.name,
                period=StreakPeriod(streak.period),
                target=streak.target,
                current=state.current,
                longest=state.longest,
                reached=state.current >= streak.target,
                last_met_period=state.last_met,
                freezes=streak.freezes,
                achievement_id=streak.achievement_id,
                freezes_used=state.freezes_used,
                freezes_left=state.freezes_left,
                at_risk=state.at_risk,
            )
        )
    return out


UNIT_WORDS = {"day": "working days", "week": "weeks", "month": "months"}


def streak_reasons(
    session: Session, achievement_id: int, member_id: int, *, now: datetime, zone: ZoneInfo
) -> list[str]:
    """For explain: the state of every streak that gives the achievement, e.g. 'streak
    "Weekly" gives it at 5 weeks in a row: now 3 of 5 weeks in a row (longest 4)'."""
    streaks = session.scalars(
        select(Streak).where(Streak.achievement_id == achievement_id).order_by(Streak.id)
    ).all()
    if not streaks:
        return []
    calendar = work_calendar(session)
    out = []
    for streak in streaks:
        state = state_of(session, streak, member_id, now=now, zone=zone, calendar=calendar)
        unit = UNIT_WORDS[streak.period]
        out.append(
            f"streak {streak.name!r} gives it at {streak.target} {unit} in a row: now "
            f"{state.current} of {streak.target} {unit} in a row (longest {state.longest})"
        )
    return out
