"""The streaming-intake page: the dead letters of `plaudit consume` (messages that could
not apply), newest first, each with a Retry button (after the member, source or field was
fixed). Admins and managers, as `GET /intake/dead-letters`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from plaudit.errors import PlauditError
from plaudit.http.deps import NowDep, SessionDep, SettingsDep
from plaudit.intake.service import list_dead_letters, retry_dead_letter
from plaudit.kit.roles import STAFF
from plaudit.web.access import require
from plaudit.web.pages import flash, page_router, render
from plaudit.web.routes.members import IdPath
from plaudit.web.user import WebUser

router = page_router()
BASE = "/admin/intake"
SHOWN = 200
Staff = Annotated[WebUser, Depends(require(*STAFF))]


@router.get(BASE)
def intake_page(
    request: Request, session: SessionDep, settings: SettingsDep, user: Staff, show: str = ""
) -> Response:
    everything = show == "all"
    letters = list_dead_letters(session, resolved=None if everything else False, limit=SHOWN)
    return render(
        request,
        "admin/intake/list.html",
        title="Streaming intake",
        letters=letters,
        everything=everything,
        shown=SHOWN,
        zone=settings.zone,
    )


@router.post(BASE + "/{letter_id}/retry")
def retry(
    letter_id: IdPath,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    user: Staff,
) -> Response:
    try:
        outcome = retry_dead_letter(
            session, letter_id, actor=user.principal, now=now, zone=settings.zone
        )
    except PlauditError as exc:
        session.rollback()
        flash(request, f"Dead letter {letter_id} was not applied: {exc.detail}", "error")
    else:
        flash(
            request,
            f"Dead letter {letter_id} applied: {outcome.created} record(s) created, "
            f"{outcome.updated} updated, {outcome.unchanged} unchanged, "
            f"{len(outcome.award_ids)} award(s).",
        )
    return RedirectResponse(BASE, status_code=303)
