"""Reading and editing the organisation calendar (working weekdays and holidays)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from plaudit.audit.service import record_event
from plaudit.calendar.schemas import CalendarRead, HolidayRead, Weekday, weekday_of
from plaudit.calendar.workdays import MONDAY_TO_FRIDAY, WorkCalendar
from plaudit.errors import Conflict, not_found
from plaudit.kit.roles import Principal
from plaudit.models import Holiday, WorkingWeek

WEEK_ROW = 1


def working_weekdays(session: Session) -> frozenset[int]:
    row = session.get(WorkingWeek, WEEK_ROW)
    if row is None:
        return MONDAY_TO_FRIDAY
    return frozenset(int(c) for c in row.weekdays)


def holidays(session: Session) -> list[Holiday]:
    return list(session.scalars(select(Holiday).order_by(Holiday.day)))


def work_calendar(session: Session) -> WorkCalendar:
    return WorkCalendar(
        weekdays=working_weekdays(session),
        holidays=frozenset(session.scalars(select(Holiday.day))),
    )


def read_calendar(session: Session) -> CalendarRead:
    return CalendarRead(
        weekdays=[weekday_of(iso) for iso in sorted(working_weekdays(session))],
        holidays=[HolidayRead(date=h.day, name=h.name) for h in holidays(session)],
    )


def set_weekdays(
    session: Session, weekdays: list[Weekday], *, actor: Principal, now: datetime
) -> None:
    text = "".join(str(iso) for iso in sorted(day.iso for day in weekdays))
    row = session.get(WorkingWeek, WEEK_ROW)
    if row is None:
        session.add(WorkingWeek(id=WEEK_ROW, weekdays=text, updated_at=now))
    else:
        row.weekdays = text
        row.updated_at = now
    session.flush()
    record_event(
        session,
        actor,
        "calendar.weekdays",
        "calendar",
        None,
        at=now,
        details={"weekdays": [day.value for day in weekdays]},
    )


def add_holiday(
    session: Session, day: date, name: str, *, actor: Principal, now: datetime
) -> Holiday:
    existing = session.scalar(select(Holiday).where(Holiday.day == day))
    if existing is not None:
        raise Conflict(
            detail=f"{day.isoformat()} is a holiday already ({existing.name!r}).",
            code="holiday_exists",
            field="body.date",
        )
    holiday = Holiday(day=day, name=name, created_at=now)
    session.add(holiday)
    session.flush()
    record_event(
        session,
        actor,
        "calendar.holiday_add",
        "calendar",
        None,
        at=now,
        details={"date": day.isoformat(), "name": name},
    )
    return holiday


def remove_holiday(session: Session, day: date, *, actor: Principal, now: datetime) -> None:
    holiday = session.scalar(select(Holiday).where(Holiday.day == day))
    if holiday is None:
        raise not_found("holiday", day.isoformat())
    session.delete(holiday)
    session.flush()
    record_event(
        session,
        actor,
        "calendar.holiday_remove",
        "calendar",
        None,
        at=now,
        details={"date": day.isoformat(), "name": holiday.name},
    )
