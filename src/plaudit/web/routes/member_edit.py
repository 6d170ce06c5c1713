"""Admin pages that change members: create, edit (name, email, external id, team, role) and
deactivate or reactivate. The same services as `/api/v1/members` (admins only, as there);
a new team, role or active state re-evaluates the member's audiences under the change gate,
exactly as the API's PATCH does."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from plaudit.config import Settings
from plaudit.errors import PlauditError
from plaudit.http.deps import NowDep, SessionDep, SettingsDep
from plaudit.kit.roles import Role
from plaudit.member.schemas import MemberCreate, MemberUpdate
from plaudit.member.service import change_member, create_member, get_member
from plaudit.models import Member
from plaudit.team.service import list_teams
from plaudit.web.access import require
from plaudit.web.forms.common import GENERAL, FieldErrors, errors_from_exception, form_data
from plaudit.web.forms.member import MemberValues, changes, member_body, read_values, values_of
from plaudit.web.forms.plain import parse_plain
from plaudit.web.pages import flash, page_router, render
from plaudit.web.routes.members import IdPath
from plaudit.web.user import WebUser

router = page_router()
Form = Annotated[FormData, Depends(form_data)]
AdminUser = Annotated[WebUser, Depends(require(Role.admin))]
BASE = "/admin/members"
LABELS = {
    "name": "Name",
    "email": "Email",
    "external_id": "External id",
    "team_id": "Team",
    "role": "Role",
    GENERAL: "Member",
}


def _roles(session: Session) -> list[str]:
    found = session.scalars(select(Member.role).where(Member.role.is_not(None)).distinct())
    return sorted({r for r in found if r}, key=str.casefold)


def _form_page(
    request: Request,
    session: Session,
    *,
    values: MemberValues,
    errors: FieldErrors,
    member: Member | None = None,
    status_code: int = 200,
) -> Response:
    teams = [("", "— no team —")] + [
        (str(t.id), t.name) for t in sorted(list_teams(session), key=lambda t: t.name.casefold())
    ]
    return render(
        request,
        "admin/members/form.html",
        title=f"Edit {member.name}" if member else "New member",
        member=member,
        values=values,
        errors=errors,
        labels=LABELS,
        teams=teams,
        roles=_roles(session),
        status_code=status_code,
    )


def _service_errors(session: Session, exc: PlauditError) -> FieldErrors:
    """A refusal in words that name people: whose email or external id this already is."""
    if exc.code in ("duplicate_email", "duplicate_external_id") and exc.field:
        column = getattr(Member, exc.field)
        value = exc.detail.split("'")[1] if "'" in exc.detail else None
        other = session.scalars(select(Member).where(column == value)).first() if value else None
        what = "email" if exc.field == "email" else "external id"
        who = other.name if other is not None else "another member"
        return {exc.field: f"{who} already has this {what}: each member needs their own."}
    if exc.code == "team_not_found":
        return {"team_id": "That team no longer exists: choose another."}
    return errors_from_exception(exc)


@router.get(BASE + "/new")
def new_page(request: Request, session: SessionDep, user: AdminUser) -> Response:
    return _form_page(request, session, values=MemberValues(), errors={})


@router.post(BASE + "/new")
def create(request: Request, session: SessionDep, user: AdminUser, form: Form) -> Response:
    values = read_values(form, with_active=False)
    body, errors = member_body(values)
    data, schema_errors = parse_plain(MemberCreate, body)
    errors = {**schema_errors, **errors}
    status = 400
    if data is not None and not errors:
        try:
            member = create_member(session, data)
        except PlauditError as exc:
            session.rollback()
            errors, status = _service_errors(session, exc), exc.status
        else:
            flash(request, f"Added {member.name}.")
            return RedirectResponse(f"{BASE}/{member.id}", status_code=303)
    return _form_page(request, session, values=values, errors=errors, status_code=status)


def _apply(
    session: Session, member_id: int, body: dict[str, Any], *, now: datetime, settings: Settings
) -> Member:
    """PATCH /members/{id}, as the API runs it (member.service.change_member)."""
    data = MemberUpdate.model_validate(body)
    return change_member(session, member_id, data, now=now, zone=settings.zone)


@router.get(BASE + "/{member_id}/edit")
def edit_page(
    member_id: IdPath, request: Request, session: SessionDep, user: AdminUser
) -> Response:
    member = get_member(session, member_id)
    return _form_page(request, session, values=values_of(member), errors={}, member=member)


@router.post(BASE + "/{member_id}/edit")
def edit(
    member_id: IdPath,
    request: Request,
    session: SessionDep,
    user: AdminUser,
    form: Form,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    member = get_member(session, member_id)
    values = read_values(form, with_active=True)
    body, errors = member_body(values)
    _, schema_errors = parse_plain(MemberUpdate, body)
    errors = {**schema_errors, **errors}
    status = 400
    if not errors:
        try:
            changed = _apply(session, member_id, changes(member, body), now=now, settings=settings)
        except PlauditError as exc:
            session.rollback()
            errors, status = _service_errors(session, exc), exc.status
        else:
            flash(request, f"Saved {changed.name}.")
            return RedirectResponse(f"{BASE}/{changed.id}", status_code=303)
    return _form_page(
        request, session, values=values, errors=errors, member=member, status_code=status
    )


@router.post(BASE + "/{member_id}/active")
def set_active(
    member_id: IdPath,
    request: Request,
    session: SessionDep,
    user: AdminUser,
    form: Form,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    """Deactivate (they earn nothing more, their awards stay) or reactivate (they get what
    their progress already earns)."""
    member = get_member(session, member_id)
    active = form.get("active") == "true"
    if member.active != active:
        member = _apply(session, member_id, {"active": active}, now=now, settings=settings)
    state = (
        "active again: they earn achievements"
        if active
        else ("deactivated: they earn nothing more until reactivated; their awards stay")
    )
    flash(request, f"{member.name} is {state}.")
    return RedirectResponse(f"{BASE}/{member_id}", status_code=303)
