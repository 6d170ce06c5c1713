"""The Open Badges issuer settings page (admin): who published badges say issued them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from plaudit.http.deps import NowDep, SessionDep, SettingsDep
from plaudit.kit.roles import Role
from plaudit.openbadges import v2
from plaudit.openbadges.issuer import get_issuer, update_issuer
from plaudit.openbadges.schemas import IssuerUpdate
from plaudit.web.access import require
from plaudit.web.forms.common import FieldErrors, form_data, text
from plaudit.web.forms.people import parse_schema
from plaudit.web.pages import flash, page_router, render
from plaudit.web.user import WebUser

router = page_router()
Admin = Annotated[WebUser, Depends(require(Role.admin))]
Form = Annotated[FormData, Depends(form_data)]
PATH = "/admin/issuer"
FIELDS = ("name", "url", "email", "image", "description")
LABELS = {
    "name": "Name",
    "url": "Web site",
    "email": "Contact email",
    "image": "Logo URL",
    "description": "Description",
}


def _page(
    request: Request,
    values: dict[str, str],
    errors: FieldErrors,
    *,
    saved: bool,
    profile_url: str,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "admin/issuer/form.html",
        title="Open Badges issuer",
        values=values,
        errors=errors,
        labels=LABELS,
        saved=saved,
        profile_url=profile_url,
        status_code=status_code,
    )


@router.get(PATH)
def issuer_form(
    request: Request, session: SessionDep, settings: SettingsDep, _user: Admin
) -> Response:
    issuer = get_issuer(session, settings.public_url)
    values = {name: getattr(issuer, name) or "" for name in FIELDS}
    profile = v2.Urls(settings.public_url).issuer
    return _page(request, values, {}, saved=issuer.saved, profile_url=profile)


@router.post(PATH)
def save_issuer(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    user: Admin,
    form: Form,
) -> Response:
    values = {name: text(form, name) for name in FIELDS}
    body: dict[str, Any] = {k: v for k, v in values.items() if v or k in ("name", "url", "email")}
    data, errors = parse_schema(IssuerUpdate, body, model_field="name")
    if data is None:
        saved = get_issuer(session, settings.public_url).saved
        profile = v2.Urls(settings.public_url).issuer
        return _page(request, values, errors, saved=saved, profile_url=profile, status_code=400)
    update_issuer(session, data, actor=user.principal, now=now, public_url=settings.public_url)
    flash(request, "Saved the issuer: published badges name it from now on.")
    return RedirectResponse(PATH, status_code=303)
