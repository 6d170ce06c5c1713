"""GET/PUT /calendar (working weekdays) and /calendar/holidays: read by every signed-in
person who sees streaks, edited by admins."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response, status

from plaudit.calendar import service
from plaudit.calendar.schemas import CalendarRead, HolidayCreate, HolidayRead, WorkingWeekUpdate
from plaudit.http.deps import Allow, NowDep, SessionDep
from plaudit.kit.roles import Principal, Role

router = APIRouter(tags=["calendar"])
Admin = Annotated[Principal, Depends(Allow(Role.admin))]
Reader = Annotated[Principal, Depends(Allow(Role.admin, Role.manager, Role.member))]


@router.get("/calendar")
def get_calendar(session: SessionDep, viewer: Reader) -> CalendarRead:
    """The working weekdays (Monday to Friday until set) and the holidays, by date."""
    return service.read_calendar(session)


@router.put("/calendar")
def put_calendar(
    body: WorkingWeekUpdate, session: SessionDep, actor: Admin, now: NowDep
) -> CalendarRead:
    """Replace the working weekdays; the holidays stay."""
    service.set_weekdays(session, body.weekdays, actor=actor, now=now)
    return service.read_calendar(session)


@router.post("/calendar/holidays", status_code=status.HTTP_201_CREATED)
def add_holiday(body: HolidayCreate, session: SessionDep, actor: Admin, now: NowDep) -> HolidayRead:
    """A holiday on a date that has none yet (409 when it has)."""
    holiday = service.add_holiday(session, body.date, body.name, actor=actor, now=now)
    return HolidayRead(date=holiday.day, name=holiday.name)


@router.delete("/calendar/holidays/{day}", status_code=status.HTTP_204_NO_CONTENT)
def remove_holiday(
    day: Annotated[date, Path(description="YYYY-MM-DD")],
    session: SessionDep,
    actor: Admin,
    now: NowDep,
) -> Response:
    service.remove_holiday(session, day, actor=actor, now=now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
