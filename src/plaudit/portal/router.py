"""GET /members/{id}/achievements (portal) and the explain endpoint."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import AwareDatetime

from plaudit.achievement.service import get_achievement
from plaudit.engine.explain import explain
from plaudit.errors import Forbidden
from plaudit.http.deps import Allow, NowDep, SessionDep, SettingsDep
from plaudit.kit.roles import Principal, Role
from plaudit.member.service import get_member
from plaudit.portal.schemas import PortalView
from plaudit.portal.service import portal_view

router = APIRouter(tags=["portal"])
Viewer = Annotated[Principal, Depends(Allow(Role.admin, Role.manager, Role.member))]


def _own_only(principal: Principal, member_id: int) -> None:
    if principal.role == Role.member and principal.member_id != member_id:
        raise Forbidden(detail="A member sees only their own achievements and progress.")


@router.get("/members/{member_id}/achievements")
def member_achievements(
    member_id: int, session: SessionDep, now: NowDep, settings: SettingsDep, principal: Viewer
) -> PortalView:
    _own_only(principal, member_id)
    return portal_view(session, member_id, now=now, zone=settings.zone)


@router.get("/members/{member_id}/achievements/{achievement_id}/explain")
def explain_achievement(
    member_id: int,
    achievement_id: int,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    principal: Viewer,
    at: AwareDatetime | None = None,
) -> dict[str, Any]:
    """Why the member has or has not earned it: each rule's records, value and target."""
    _own_only(principal, member_id)
    get_member(session, member_id)
    achievement = get_achievement(session, achievement_id)
    result = explain(session, achievement, member_id, now=at or now, zone=settings.zone)
    if principal.role == Role.member and not result.in_audience:
        raise Forbidden(detail="This achievement is not shown to this member.")
    return asdict(result)
