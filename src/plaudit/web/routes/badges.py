"""Badge and background images for pages, with the same protective headers as the API's
image endpoints."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from plaudit.achievement import service
from plaudit.achievement.router import BADGE_HEADERS
from plaudit.http.deps import SessionDep
from plaudit.kit.roles import Role
from plaudit.web.access import require
from plaudit.web.pages import page_router
from plaudit.web.user import WebUser

router = page_router()
Viewer = Annotated[WebUser, Depends(require(Role.admin, Role.manager, Role.member))]
BadgeLink = Callable[[int, int], str]
"""Makes a badge's address from the achievement's id and version."""


def badge_url(achievement_id: int, version: int) -> str:
    """The badge's address; the version in it makes a new upload show at once."""
    return f"/badges/{achievement_id}?v={version}"


@router.get("/badges/{achievement_id}")
def badge(achievement_id: int, request: Request, session: SessionDep, user: Viewer) -> Response:
    row = service.badge_for_viewer(session, achievement_id, user.role, user.member_id)
    return Response(content=row.content, media_type=row.media_type, headers=BADGE_HEADERS)


def background_url(achievement_id: int, version: int) -> str:
    """The tile background's address, versioned like the badge's."""
    return f"/backgrounds/{achievement_id}?v={version}"


@router.get("/backgrounds/{achievement_id}")
def background(
    achievement_id: int, request: Request, session: SessionDep, user: Viewer
) -> Response:
    row = service.image_for_viewer(session, achievement_id, "background", user.role, user.member_id)
    return Response(content=row.content, media_type=row.media_type, headers=BADGE_HEADERS)
