"""Admin page for API tokens: list, issue (the secret shown once, on the answer to the POST)
and revoke behind a confirmation page. Admins only."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from plaudit.errors import PlauditError, not_found
from plaudit.http.deps import NowDep, SessionDep
from plaudit.identity.schemas import TokenCreate
from plaudit.identity.service import issue_token, list_tokens, revoke_token
from plaudit.kit.roles import Role
from plaudit.models import ApiToken
from plaudit.web.forms.common import FieldErrors, form_data, text
from plaudit.web.forms.people import CredentialValues, credential_body, parse_schema
from plaudit.web.pages import flash, page_router, render
from plaudit.web.routes.members import IdPath
from plaudit.web.routes.users import ROLE_CHOICES, AdminUser, member_choices, member_errors

router = page_router()
Form = Annotated[FormData, Depends(form_data)]
BASE = "/admin/tokens"
NO_STORE = {"Cache-Control": "no-store"}


def _page(
    request: Request,
    session: Session,
    *,
    values: CredentialValues,
    errors: FieldErrors,
    issued: ApiToken | None = None,
    secret: str = "",
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "admin/tokens/list.html",
        title="API tokens",
        tokens=list_tokens(session),
        values=values,
        errors=errors,
        roles=ROLE_CHOICES,
        members=member_choices(session),
        issued=issued,
        secret=secret,
        status_code=status_code,
        headers=NO_STORE,
    )


@router.get(BASE)
def list_page(request: Request, session: SessionDep, user: AdminUser) -> Response:
    return _page(request, session, values=CredentialValues(role=Role.ingest.value), errors={})


@router.post(BASE)
def issue(request: Request, session: SessionDep, user: AdminUser, form: Form) -> Response:
    values = CredentialValues(
        name=text(form, "name"), role=text(form, "role"), member_id=text(form, "member_id")
    )
    body, errors = credential_body(values, "name")
    data, schema_errors = parse_schema(TokenCreate, body, model_field="member_id")
    errors = {**schema_errors, **errors}
    if data is not None and not errors:
        try:
            row, secret = issue_token(session, data)
        except PlauditError as exc:
            session.rollback()
            errors = member_errors(exc)
        else:
            return _page(
                request,
                session,
                values=CredentialValues(role=Role.ingest.value),
                errors={},
                issued=row,
                secret=secret,
                status_code=201,
            )
    return _page(request, session, values=values, errors=errors, status_code=400)


def _token(session: Session, token_id: int) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise not_found("token", token_id)
    return row


@router.get(BASE + "/{token_id}/revoke")
def confirm_revoke(
    token_id: IdPath, request: Request, session: SessionDep, user: AdminUser
) -> Response:
    row = _token(session, token_id)
    if row.revoked_at is not None:
        flash(request, f"The token “{row.name}” is already revoked.", "info")
        return RedirectResponse(BASE, status_code=303)
    return render(request, "admin/tokens/revoke.html", title=f"Revoke “{row.name}”?", token=row)


@router.post(BASE + "/{token_id}/revoke")
def revoke(
    token_id: IdPath,
    request: Request,
    session: SessionDep,
    user: AdminUser,
    now: NowDep,
) -> Response:
    row = revoke_token(session, token_id, now=now)
    flash(request, f"Revoked the token “{row.name}”: it no longer opens the API.")
    return RedirectResponse(BASE, status_code=303)
