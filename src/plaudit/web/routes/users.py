"""Admin pages for users: the list, the create form and the edit form (admins only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from plaudit.errors import PlauditError
from plaudit.http.deps import NowDep, SessionDep
from plaudit.identity.schemas import UserCreate, UserUpdate
from plaudit.identity.service import create_user, get_user, list_users, update_user
from plaudit.kit.roles import Role
from plaudit.member.service import get_member, list_members
from plaudit.models import User
from plaudit.web.access import require
from plaudit.web.forms.common import FieldErrors, errors_from_exception, form_data, text
from plaudit.web.forms.people import (
    USER_FRIENDLY,
    CredentialValues,
    credential_body,
    parse_schema,
)
from plaudit.web.pages import flash, page_router, render
from plaudit.web.routes.members import IdPath
from plaudit.web.user import WebUser

router = page_router()
Form = Annotated[FormData, Depends(form_data)]
AdminUser = Annotated[WebUser, Depends(require(Role.admin))]
"""Admins only: managers get the friendly 403 page."""
BASE = "/admin/users"
ROLE_CHOICES = [(r.value, r.value.capitalize()) for r in Role]
MEMBER_MISSING = "That member does not exist."


def member_choices(session: Session) -> list[tuple[str, str]]:
    """Members for a role-member credential, as select options."""
    return [("", "— none —")] + [
        (str(m.id), f"{m.name} (#{m.id})") for m in list_members(session) if m.active
    ]


def member_errors(exc: PlauditError) -> FieldErrors:
    if exc.code == "member_not_found":
        return {"member_id": MEMBER_MISSING}
    return errors_from_exception(exc)


def _page(
    request: Request,
    session: Session,
    *,
    values: CredentialValues,
    errors: FieldErrors,
    status_code: int = 200,
) -> Response:
    users = list_users(session)
    ids = {u.member_id for u in users if u.member_id is not None}
    names = {m.id: m.name for m in list_members(session) if m.id in ids}
    return render(
        request,
        "admin/users/list.html",
        title="Users",
        users=users,
        member_names=names,
        values=values,
        errors=errors,
        roles=ROLE_CHOICES,
        members=member_choices(session),
        status_code=status_code,
    )


@router.get(BASE)
def list_page(request: Request, session: SessionDep, user: AdminUser) -> Response:
    return _page(request, session, values=CredentialValues(role=Role.manager.value), errors={})


@router.post(BASE)
def create(request: Request, session: SessionDep, user: AdminUser, form: Form) -> Response:
    values = CredentialValues(
        name=text(form, "username"), role=text(form, "role"), member_id=text(form, "member_id")
    )
    body, errors = credential_body(values, "username")
    body["password"] = text(form, "password", strip=False)
    data, schema_errors = parse_schema(
        UserCreate, body, model_field="member_id", friendly=USER_FRIENDLY
    )
    errors = {**schema_errors, **errors}
    status = 400
    if data is not None and not errors:
        try:
            created = create_user(session, data)
        except PlauditError as exc:
            session.rollback()
            errors = member_errors(exc)
            status = 409 if exc.status == 409 else 400
        else:
            flash(request, f"Created user “{created.username}” ({created.role}).")
            return RedirectResponse(BASE, status_code=303)
    return _page(request, session, values=values, errors=errors, status_code=status)


def _edit_page(
    request: Request,
    session: Session,
    edited: User,
    *,
    values: CredentialValues,
    active: bool,
    errors: FieldErrors,
    status_code: int = 200,
) -> Response:
    members = member_choices(session)
    if edited.member_id is not None and str(edited.member_id) not in dict(members):
        # An inactive member is not offered for new credentials, but the user bound to it must
        # stay editable (to deactivate it, say) without losing its member.
        bound = get_member(session, edited.member_id)
        members.append((str(bound.id), f"{bound.name} (#{bound.id}, inactive)"))
    return render(
        request,
        "admin/users/edit.html",
        title=f"Edit {edited.username}",
        edited=edited,
        values=values,
        active=active,
        errors=errors,
        roles=ROLE_CHOICES,
        members=members,
        status_code=status_code,
    )


@router.get(BASE + "/{user_id}")
def edit_page(user_id: IdPath, request: Request, session: SessionDep, user: AdminUser) -> Response:
    edited = get_user(session, user_id)
    values = CredentialValues(
        name=edited.username,
        role=edited.role,
        member_id=str(edited.member_id) if edited.member_id is not None else "",
    )
    return _edit_page(request, session, edited, values=values, active=edited.active, errors={})


@router.post(BASE + "/{user_id}")
def edit(
    user_id: IdPath,
    request: Request,
    session: SessionDep,
    user: AdminUser,
    form: Form,
    now: NowDep,
) -> Response:
    """Role, member and active state as chosen; a password only when one is typed."""
    edited = get_user(session, user_id)
    values = CredentialValues(
        name=edited.username, role=text(form, "role"), member_id=text(form, "member_id")
    )
    active = form.get("active") == "on"
    body, errors = credential_body(values, "username")
    del body["username"]
    body["active"] = active
    password = text(form, "password", strip=False)
    if password:
        body["password"] = password
    data, schema_errors = parse_schema(
        UserUpdate, body, model_field="member_id", friendly=USER_FRIENDLY
    )
    errors = {**schema_errors, **errors}
    status = 400
    if data is not None and not errors:
        try:
            changed = update_user(session, user_id, data, actor=user.principal, now=now)
        except PlauditError as exc:
            session.rollback()
            errors = member_errors(exc)
            status = 409 if exc.status == 409 else 400
        else:
            state = "active" if changed.active else "inactive: they can no longer sign in"
            flash(request, f"Saved user “{changed.username}” ({changed.role}, {state}).")
            return RedirectResponse(BASE, status_code=303)
    return _edit_page(
        request, session, edited, values=values, active=active, errors=errors, status_code=status
    )
