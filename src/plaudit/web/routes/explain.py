"""The explain page: why a member has or has not earned an achievement, in words.

It shows what `GET /api/v1/members/{id}/achievements/{achievement_id}/explain` returns, with
the same access rule: a member sees only their own (and only achievements shown to them),
staff see anyone's. `?at=YYYY-MM-DD` explains the period containing that day.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from plaudit.achievement.service import get_achievement
from plaudit.bulk.parsing import parse_at
from plaudit.engine.explain import explain
from plaudit.errors import BadRequest, Forbidden
from plaudit.http.deps import NowDep, SessionDep, SettingsDep
from plaudit.kit.roles import Role
from plaudit.member.service import get_member
from plaudit.periods import Period, period_containing
from plaudit.streak.service import streak_reasons
from plaudit.web.access import require
from plaudit.web.explain_view import explain_view
from plaudit.web.pages import page_router, render
from plaudit.web.routes.members import IdPath
from plaudit.web.user import WebUser

router = page_router()
Viewer = Annotated[WebUser, Depends(require(Role.admin, Role.manager, Role.member))]


def explain_url(member_id: int, achievement_id: int) -> str:
    return f"/members/{member_id}/achievements/{achievement_id}/explain"


@router.get("/members/{member_id}/achievements/{achievement_id}/explain")
def explain_page(
    member_id: IdPath,
    achievement_id: IdPath,
    request: Request,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    user: Viewer,
    at: str = "",
) -> Response:
    if user.role == Role.member and user.member_id != member_id:
        raise Forbidden(detail="A member sees only their own achievements and progress.")
    zone = settings.zone
    instant = now
    if at.strip():
        try:
            instant = parse_at(at.strip(), zone)
        except ValueError as exc:
            raise BadRequest(detail=f"at {at.strip()!r}: {exc}.") from exc
    member = get_member(session, member_id)
    achievement = get_achievement(session, achievement_id)
    result = explain(session, achievement, member.id, now=now, at=instant, zone=zone)
    if user.role == Role.member and not result.in_audience:
        raise Forbidden(detail="This achievement is not shown to you.")
    window = period_containing(instant, Period(achievement.period), zone)
    view = explain_view(session, result, achievement, member, window, now=now, zone=zone)
    own = user.role == Role.member
    return render(
        request,
        "explain/page.html",
        title=f"{achievement.name}: {'your progress' if own else member.name}",
        achievement=achievement,
        member=member,
        view=view,
        own=own,
        here=explain_url(member.id, achievement.id),
        streaks=streak_reasons(session, achievement.id, member.id, now=now, zone=zone),
    )
