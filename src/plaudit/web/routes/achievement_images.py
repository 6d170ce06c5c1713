"""The edit page's upload and remove actions for an achievement's badge and background."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, get_args

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from plaudit.achievement import service
from plaudit.achievement.images import Which
from plaudit.badge.image import SVG
from plaudit.errors import PlauditError
from plaudit.http.deps import NowDep, SessionDep, SettingsDep
from plaudit.web.access import StaffUser
from plaudit.web.forms.achievement import values_from_achievement
from plaudit.web.forms.common import FieldErrors, form_data, upload
from plaudit.web.forms.images import IMAGE_FIELDS, NAMES, error_message, read_upload
from plaudit.web.pages import flash, page_router
from plaudit.web.routes.achievements import BASE, form_page, org_of

router = page_router()
Form = Annotated[FormData, Depends(form_data)]
SVG_NOTE = (
    " SVG images are stored cleaned: anything that could run a script or load outside content "
    "is removed."
)


def _back_to_form(
    request: Request,
    session: SessionDep,
    achievement_id: int,
    settings: SettingsDep,
    errors: FieldErrors,
) -> Response:
    achievement = service.get_achievement(session, achievement_id)
    values = values_from_achievement(achievement, settings.zone, org_of(request))
    return form_page(
        request, session, achievement=achievement, values=values, errors=errors, status_code=422
    )


def _upload(
    which: Which,
    achievement_id: int,
    request: Request,
    session: SessionDep,
    user: StaffUser,
    settings: SettingsDep,
    now: NowDep,
    form: FormData,
) -> Response:
    name = IMAGE_FIELDS[which]
    service.get_achievement(session, achievement_id)
    file = upload(form, name)
    if file is None:
        errors = {name: "Choose a PNG or SVG file to upload."}
        return _back_to_form(request, session, achievement_id, settings, errors)
    content, media_type = read_upload(file)
    try:
        service.set_image(
            session, achievement_id, which, content, media_type, actor=user.principal, now=now
        )
    except PlauditError as exc:
        session.rollback()
        message = error_message(exc)
        if exc.code == "achievement_active":
            message = f"Deactivate the achievement before changing its {NAMES[which]}."
        return _back_to_form(request, session, achievement_id, settings, {name: message})
    note = SVG_NOTE if media_type == SVG else ""
    flash(request, f"{NAMES[which].capitalize()} saved." + note)
    return RedirectResponse(f"{BASE}/{achievement_id}", status_code=303)


def _remove(
    which: Which,
    achievement_id: int,
    request: Request,
    session: SessionDep,
    user: StaffUser,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    try:
        service.remove_image(session, achievement_id, which, actor=user.principal, now=now)
    except PlauditError as exc:
        session.rollback()
        if exc.code == "achievement_active":
            message = f"Deactivate the achievement before removing its {NAMES[which]}."
        else:
            message = f"There is no {NAMES[which]} to remove."
        return _back_to_form(
            request, session, achievement_id, settings, {IMAGE_FIELDS[which]: message}
        )
    flash(request, f"{NAMES[which].capitalize()} removed.")
    return RedirectResponse(f"{BASE}/{achievement_id}", status_code=303)


def _upload_route(which: Which) -> Callable[..., Response]:
    def upload(
        achievement_id: int,
        request: Request,
        session: SessionDep,
        user: StaffUser,
        settings: SettingsDep,
        now: NowDep,
        form: Form,
    ) -> Response:
        return _upload(which, achievement_id, request, session, user, settings, now, form)

    return upload


def _remove_route(which: Which) -> Callable[..., Response]:
    def remove(
        achievement_id: int,
        request: Request,
        session: SessionDep,
        user: StaffUser,
        settings: SettingsDep,
        now: NowDep,
    ) -> Response:
        return _remove(which, achievement_id, request, session, user, settings, now)

    return remove


# One upload and one remove route per kind of image: /badge, /background and their /remove.
for _which in get_args(Which):
    router.post(f"{BASE}/{{achievement_id}}/{_which}")(_upload_route(_which))
    router.post(f"{BASE}/{{achievement_id}}/{_which}/remove")(_remove_route(_which))
