"""GET /members/{id}/achievements (portal) and the explain endpoint."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from plaudit.achievement.service import get_achievement, holds
from plaudit.engine.explain import Explanation, explain
from plaudit.errors import Forbidden
from plaudit.http.deps import Allow, NowDep, SessionDep, SettingsDep
from plaudit.kit.roles import Principal, Role
from plaudit.kit.schemas import MAX_ID, WHOLE_NUMBER_TEXT, Instant
from plaudit.member.service import get_member
from plaudit.portal.schemas import PortalView
from plaudit.portal.service import portal_view
from plaudit.streak.service import streak_reasons

router = APIRouter(tags=["portal"])
Viewer = Annotated[Principal, Depends(Allow(Role.admin, Role.manager, Role.member))]
PathId = Annotated[int, Path(ge=1, le=MAX_ID), WHOLE_NUMBER_TEXT]


def _own_only(principal: Principal, member_id: int) -> None:
    if principal.role == Role.member and principal.member_id != member_id:
        raise Forbidden(detail="A member sees only their own achievements and progress.")


@router.get("/members/{member_id}/achievements")
def member_achievements(
    member_id: PathId, session: SessionDep, now: NowDep, settings: SettingsDep, principal: Viewer
) -> PortalView:
    _own_only(principal, member_id)
    reveal = principal.role != Role.member  # staff see secret achievements; members once earned
    return portal_view(session, member_id, now=now, zone=settings.zone, reveal_secret=reveal)


@router.get("/members/{member_id}/achievements/{achievement_id}/explain")
def explain_achievement(
    member_id: PathId,
    achievement_id: PathId,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    principal: Viewer,
    at: Instant | None = None,
) -> Explanation:
    """Why the member has or has not earned it: per rule the matching records, current value
    and target; the effective window, the audience group by group, the category's state and
    the period. `at` (ISO 8601 with an offset) explains the period containing that instant,
    e.g. last month's; by default the current one."""
    _own_only(principal, member_id)
    get_member(session, member_id)
    achievement = get_achievement(session, achievement_id)
    result = explain(session, achievement, member_id, now=now, at=at, zone=settings.zone)
    if principal.role == Role.member and (
        not result.in_audience
        or (achievement.secret and not holds(session, member_id, achievement.id))
    ):
        raise Forbidden(detail="This achievement is not shown to this member.")
    result.reasons += streak_reasons(
        session, achievement.id, member_id, now=now, zone=settings.zone
    )
    return result
