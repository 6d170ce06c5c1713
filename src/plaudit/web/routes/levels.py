"""Admin page for levels: the ladder, add a level, change or delete one. Admins only, like
the API's writes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from plaudit.errors import PlauditError
from plaudit.http.deps import NowDep, SessionDep, SettingsDep
from plaudit.level import service
from plaudit.level.schemas import LevelCreate, LevelScope, LevelUpdate
from plaudit.models import Level
from plaudit.web.forms.common import FieldErrors, errors_from_exception, form_data, text
from plaudit.web.forms.people import parse_schema
from plaudit.web.numbers import format_number
from plaudit.web.pages import flash, page_router, render
from plaudit.web.routes.members import IdPath
from plaudit.web.routes.users import AdminUser

router = page_router()
Form = Annotated[FormData, Depends(form_data)]
BASE = "/admin/levels"
SCOPE_CHOICES = [
    (LevelScope.all_time.value, "All time"),
    (LevelScope.year.value, "This calendar year"),
]
LABELS = {"name": "Name", "points": "Points", "scope": "Counted over"}


@dataclass(frozen=True)
class LevelValues:
    name: str = ""
    points: str = ""
    scope: str = LevelScope.all_time.value


def _values(form: FormData) -> LevelValues:
    return LevelValues(
        name=text(form, "name"), points=text(form, "points"), scope=text(form, "scope")
    )


def _body(values: LevelValues) -> tuple[dict[str, object], FieldErrors]:
    body: dict[str, object] = {"name": values.name, "scope": values.scope}
    try:
        body["points"] = int(values.points.replace(",", "").replace(" ", ""))
    except ValueError:
        return body, {"points": "Enter a whole number of points, such as 500."}
    return body, {}


def _list(
    request: Request,
    session: Session,
    *,
    values: LevelValues,
    errors: FieldErrors,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "admin/levels/list.html",
        title="Levels",
        levels=service.list_levels(session),
        values=values,
        errors=errors,
        scopes=SCOPE_CHOICES,
        labels=LABELS,
        status_code=status_code,
    )


@router.get(BASE)
def list_page(request: Request, session: SessionDep, user: AdminUser) -> Response:
    return _list(request, session, values=LevelValues(), errors={})


@router.post(BASE)
def add(
    request: Request,
    session: SessionDep,
    user: AdminUser,
    form: Form,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    values = _values(form)
    body, errors = _body(values)
    data, schema_errors = parse_schema(LevelCreate, body, model_field="name")
    errors = {**schema_errors, **errors}
    if data is not None and not errors:
        try:
            level = service.create_level(session, data, now=now, zone=settings.zone)
        except PlauditError as exc:
            session.rollback()
            errors = errors_from_exception(exc)
        else:
            flash(
                request, f"Added the level “{level.name}” at {format_number(level.points)} points."
            )
            return RedirectResponse(BASE, status_code=303)
    return _list(request, session, values=values, errors=errors, status_code=400)


def _edit(
    request: Request,
    level: Level,
    *,
    values: LevelValues,
    errors: FieldErrors,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "admin/levels/edit.html",
        title=f"Level “{level.name}”",
        level=level,
        values=values,
        errors=errors,
        scopes=SCOPE_CHOICES,
        labels=LABELS,
        status_code=status_code,
    )


@router.get(BASE + "/{level_id}")
def edit_page(level_id: IdPath, request: Request, session: SessionDep, user: AdminUser) -> Response:
    level = service.get_level(session, level_id)
    values = LevelValues(name=level.name, points=str(level.points), scope=level.scope)
    return _edit(request, level, values=values, errors={})


@router.post(BASE + "/{level_id}")
def save(
    level_id: IdPath,
    request: Request,
    session: SessionDep,
    user: AdminUser,
    form: Form,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    level = service.get_level(session, level_id)
    values = _values(form)
    body, errors = _body(values)
    data, schema_errors = parse_schema(LevelUpdate, body, model_field="name")
    errors = {**schema_errors, **errors}
    if data is not None and not errors:
        try:
            service.update_level(session, level_id, data, now=now, zone=settings.zone)
        except PlauditError as exc:
            session.rollback()
            errors = errors_from_exception(exc)
            level = service.get_level(session, level_id)
        else:
            flash(request, f"Saved the level “{values.name}”.")
            return RedirectResponse(BASE, status_code=303)
    return _edit(request, level, values=values, errors=errors, status_code=400)


@router.post(BASE + "/{level_id}/delete")
def delete(level_id: IdPath, request: Request, session: SessionDep, user: AdminUser) -> Response:
    name = service.get_level(session, level_id).name
    service.delete_level(session, level_id)
    flash(request, f"Deleted the level “{name}”.")
    return RedirectResponse(BASE, status_code=303)
