"""Publishing an award from the portal ("Share your badges"): the member for their own
awards, staff for anyone's; then back to the portal with what happened."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from plaudit.award.service import get_award
from plaudit.errors import PlauditError
from plaudit.http.deps import NowDep, SessionDep
from plaudit.http.path_params import PathId
from plaudit.kit.roles import Role
from plaudit.models import Achievement
from plaudit.openbadges import publication
from plaudit.web.access import require
from plaudit.web.pages import flash, page_router
from plaudit.web.user import WebUser

router = page_router()
Viewer = Annotated[WebUser, Depends(require(Role.admin, Role.manager, Role.member))]


def _back(user: WebUser, member_id: int) -> RedirectResponse:
    query = "" if user.role == Role.member else f"?member_id={member_id}"
    return RedirectResponse(f"/portal{query}#share", status_code=303)


@router.post("/portal/awards/{award_id}/publish")
def publish(
    award_id: PathId,
    request: Request,
    session: SessionDep,
    now: NowDep,
    user: Viewer,
) -> Response:
    award = get_award(session, award_id)
    achievement = session.get(Achievement, award.achievement_id)
    name = achievement.name if achievement else "the badge"
    try:
        publication.publish(session, award_id, actor=user.principal, now=now)
    except PlauditError as exc:
        session.rollback()
        flash(request, exc.detail, "error")
        return _back(user, award.member_id)
    row = publication.publication_of(session, award_id)
    if row is not None:
        flash(
            request,
            f"“{name}” is public now.",
            link=(f"/badges/{row.public_id}", "Open its public page"),
        )
    return _back(user, award.member_id)


@router.post("/portal/awards/{award_id}/unpublish")
def unpublish(
    award_id: PathId, request: Request, session: SessionDep, now: NowDep, user: Viewer
) -> Response:
    award = publication.unpublish(session, award_id, actor=user.principal, now=now)
    achievement = session.get(Achievement, award.achievement_id)
    name = achievement.name if achievement else "the badge"
    flash(request, f"“{name}” is no longer public: its public page and files are gone.")
    return _back(user, award.member_id)
