"""Admin pages that change teams: create, and edit the name, external id and attributes (tier,
region… as key/value rows). The same services as `/api/v1/teams` (admins only, as there); a
new name or attributes re-evaluate the team's members under the change gate, as the API's
PATCH does (group conditions read them)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from plaudit.errors import PlauditError
from plaudit.http.deps import NowDep, SessionDep, SettingsDep
from plaudit.kit.roles import Role
from plaudit.models import Team
from plaudit.team.schemas import TeamCreate, TeamUpdate
from plaudit.team.service import change_team, create_team, get_team
from plaudit.web.access import require
from plaudit.web.forms.common import GENERAL, FieldErrors, errors_from_exception, form_data
from plaudit.web.forms.plain import parse_plain
from plaudit.web.forms.team import TeamValues, attribute_labels, changes, read_values, team_body
from plaudit.web.forms.team import values_of as team_values
from plaudit.web.pages import flash, page_router, render
from plaudit.web.routes.members import IdPath
from plaudit.web.user import WebUser

router = page_router()
Form = Annotated[FormData, Depends(form_data)]
AdminUser = Annotated[WebUser, Depends(require(Role.admin))]
BASE = "/admin/teams"
LABELS = {"name": "Name", "external_id": "External id", GENERAL: "Team"}


def _form_page(
    request: Request,
    session: Session,
    *,
    values: TeamValues,
    errors: FieldErrors,
    team: Team | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "admin/teams/form.html",
        title=f"Edit {team.name}" if team else "New team",
        team=team,
        values=values,
        rows=[*values.attributes, ("", "")],
        errors=errors,
        labels={**LABELS, **attribute_labels(errors)},
        status_code=status_code,
    )


def _service_errors(exc: PlauditError) -> FieldErrors:
    if exc.code == "duplicate_external_id":
        return {"external_id": "Another team already has this external id."}
    return errors_from_exception(exc)


@router.get(BASE + "/new")
def new_page(request: Request, session: SessionDep, user: AdminUser) -> Response:
    return _form_page(request, session, values=TeamValues(), errors={})


@router.post(BASE + "/new")
def create(request: Request, session: SessionDep, user: AdminUser, form: Form) -> Response:
    values = read_values(form)
    body, errors = team_body(values)
    data, schema_errors = parse_plain(TeamCreate, body)
    errors = {**schema_errors, **errors}
    status = 400
    if data is not None and not errors:
        try:
            team = create_team(session, data)
        except PlauditError as exc:
            session.rollback()
            errors, status = _service_errors(exc), exc.status
        else:
            flash(request, f"Created team “{team.name}”.")
            return RedirectResponse(f"{BASE}/{team.id}", status_code=303)
    return _form_page(request, session, values=values, errors=errors, status_code=status)


@router.get(BASE + "/{team_id}/edit")
def edit_page(team_id: IdPath, request: Request, session: SessionDep, user: AdminUser) -> Response:
    team = get_team(session, team_id)
    return _form_page(request, session, values=team_values(team), errors={}, team=team)


@router.post(BASE + "/{team_id}/edit")
def edit(
    team_id: IdPath,
    request: Request,
    session: SessionDep,
    user: AdminUser,
    form: Form,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    team = get_team(session, team_id)
    values = read_values(form)
    body, errors = team_body(values)
    data, schema_errors = parse_plain(TeamUpdate, changes(team, body))
    errors = {**schema_errors, **errors}
    status = 400
    if data is not None and not errors:
        try:
            changed = change_team(session, team_id, data, now=now, zone=settings.zone)
        except PlauditError as exc:
            session.rollback()
            errors, status = _service_errors(exc), exc.status
        else:
            flash(request, f"Saved team “{changed.name}”.")
            return RedirectResponse(f"{BASE}/{changed.id}", status_code=303)
    return _form_page(request, session, values=values, errors=errors, team=team, status_code=status)
