"""The member portal: a member's own achievements as tiles, with progress, points and awards.

A member sees only their own portal; staff open any member's with `?member_id=N` (without
it they get a member picker).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from plaudit.achievement.schemas import AchievementRead
from plaudit.errors import BadRequest, Forbidden
from plaudit.http.deps import NowDep, SessionDep, SettingsDep
from plaudit.kit.roles import Role
from plaudit.kit.schemas import MAX_ID
from plaudit.member.service import get_member, list_members
from plaudit.portal.service import portal_view
from plaudit.source.service import list_sources
from plaudit.web.access import require
from plaudit.web.pages import page_router, render
from plaudit.web.portal_tiles import moment, portal_item
from plaudit.web.routes.badges import background_url, badge_url
from plaudit.web.rule_words import source_words
from plaudit.web.user import WebUser

router = page_router()
Viewer = Annotated[WebUser, Depends(require(Role.admin, Role.manager, Role.member))]
RECENT_AWARDS = 10


@dataclass(frozen=True)
class RecentAward:
    name: str
    points: int
    iso: str
    when: str


def _badge(achievement: AchievementRead) -> str | None:
    return badge_url(achievement.id, achievement.version) if achievement.badge_url else None


def _background(achievement: AchievementRead) -> str | None:
    if achievement.background_image_url is None:
        return None
    return background_url(achievement.id, achievement.version)


def _member_id(user: WebUser, raw: str) -> int | None:
    """Whose portal to show: a member's own; for staff the one asked for (None: pick one)."""
    value = raw.strip()
    if value and (not value.isdigit() or not 1 <= int(value) <= MAX_ID):
        raise BadRequest(detail=f"member_id must be a member's number, not {raw!r}.")
    asked = int(value) if value else None
    if user.role != Role.member:
        return asked
    if user.member_id is None:
        raise Forbidden(detail="Your user is not linked to a member, so there is no portal.")
    if asked is not None and asked != user.member_id:
        raise Forbidden(detail="A member sees only their own achievements and progress.")
    return user.member_id


@router.get("/portal")
def portal_page(
    request: Request,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    user: Viewer,
    member_id: str = "",
) -> Response:
    chosen = _member_id(user, member_id)
    if chosen is None:
        members = list_members(session)
        return render(request, "portal/pick.html", title="Member portal", members=members)
    member = get_member(session, chosen)
    zone = settings.zone
    view = portal_view(session, chosen, now=now, zone=zone)
    sources = source_words(list_sources(session))
    items = [
        portal_item(
            entry,
            sources,
            now,
            zone,
            badge=_badge(entry.achievement),
            background=_background(entry.achievement),
        )
        for entry in view.achievements
    ]
    items.sort(key=lambda i: (not i.complete, i.achievement.name.casefold()))
    recent = sorted(
        ((w, entry.achievement.name) for entry in view.achievements for w in entry.awards),
        key=lambda pair: (pair[0].awarded_at, pair[0].id),
        reverse=True,
    )[:RECENT_AWARDS]
    awards = [
        RecentAward(
            name=name,
            points=w.points,
            iso=w.awarded_at.isoformat(),
            when=moment(w.awarded_at, zone),
        )
        for w, name in recent
    ]
    own = user.role == Role.member
    return render(
        request,
        "portal/page.html",
        title="My achievements" if own else f"Achievements of {member.name}",
        member=member,
        points=view.points,
        items=items,
        awards=awards,
        own=own,
    )
