"""Admin page of the organisation calendar: the working weekdays (daily streaks count these
days only) and the holidays, added and removed. Admins only; the same services as
/api/v1/calendar."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from plaudit.calendar.schemas import HolidayCreate, Weekday, WorkingWeekUpdate
from plaudit.calendar.service import add_holiday, read_calendar, remove_holiday, set_weekdays
from plaudit.errors import PlauditError
from plaudit.http.deps import NowDep, SessionDep
from plaudit.web.forms.common import FieldErrors, checked, form_data, text
from plaudit.web.forms.people import parse_schema
from plaudit.web.pages import flash, page_router, render
from plaudit.web.routes.users import AdminUser

router = page_router()
Form = Annotated[FormData, Depends(form_data)]
BASE = "/admin/calendar"
LABELS = {"weekdays": "Working days", "date": "Date", "name": "Name"}


def _page(
    request: Request,
    session: Session,
    *,
    weekdays: list[str] | None = None,
    holiday: dict[str, str] | None = None,
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> Response:
    calendar = read_calendar(session)
    chosen = weekdays if weekdays is not None else [d.value for d in calendar.weekdays]
    return render(
        request,
        "admin/calendar/page.html",
        title="Calendar",
        calendar=calendar,
        all_weekdays=[(d.value, d.value.capitalize()) for d in Weekday],
        chosen=chosen,
        holiday=holiday or {"date": "", "name": ""},
        errors=errors or {},
        labels=LABELS,
        status_code=status_code,
    )


@router.get(BASE)
def calendar_page(request: Request, session: SessionDep, user: AdminUser) -> Response:
    return _page(request, session)


@router.post(BASE)
def save_weekdays(
    request: Request, session: SessionDep, user: AdminUser, form: Form, now: NowDep
) -> Response:
    chosen = [d.value for d in Weekday if checked(form, f"day-{d.value}")]
    data, errors = parse_schema(WorkingWeekUpdate, {"weekdays": chosen}, model_field="weekdays")
    if data is None or errors:
        errors = {"weekdays": "Choose at least one working day."}
        return _page(request, session, weekdays=chosen, errors=errors, status_code=400)
    set_weekdays(session, data.weekdays, actor=user.principal, now=now)
    flash(request, "Saved the working days.")
    return RedirectResponse(BASE, status_code=303)


@router.post(BASE + "/holidays")
def add(
    request: Request, session: SessionDep, user: AdminUser, form: Form, now: NowDep
) -> Response:
    values = {"date": text(form, "date"), "name": text(form, "name")}
    data, errors = parse_schema(HolidayCreate, dict(values), model_field="date")
    if data is not None and not errors:
        try:
            add_holiday(session, data.date, data.name, actor=user.principal, now=now)
        except PlauditError as exc:
            session.rollback()
            errors = {"date": exc.detail}
        else:
            flash(request, f"Added the holiday “{data.name}” on {data.date.isoformat()}.")
            return RedirectResponse(BASE, status_code=303)
    return _page(request, session, holiday=values, errors=errors, status_code=400)


@router.post(BASE + "/holidays/{day}/remove")
def remove(
    day: str, request: Request, session: SessionDep, user: AdminUser, now: NowDep
) -> Response:
    try:
        parsed = HolidayCreate.model_validate({"date": day, "name": "x"}).date
        remove_holiday(session, parsed, actor=user.principal, now=now)
    except (PlauditError, ValueError):
        session.rollback()
        flash(request, f"There is no holiday on {day}.", "info")
    else:
        flash(request, f"Removed the holiday on {parsed.isoformat()}.")
    return RedirectResponse(BASE, status_code=303)
