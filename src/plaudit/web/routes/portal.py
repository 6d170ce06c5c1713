"""The member portal: a member's own achievements as tiles, with progress, points and awards.

A member sees only their own portal; staff open any member's with `?member_id=N` (without
it they get a member picker). `build_portal` is also what the embedded portal shows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from plaudit.achievement.schemas import AchievementRead
from plaudit.errors import BadRequest, Forbidden
from plaudit.http.deps import NowDep, SessionDep, SettingsDep
from plaudit.kit.roles import Role
from plaudit.kit.schemas import MAX_ID
from plaudit.level.schemas import MemberLevel
from plaudit.member.service import get_member, list_members
from plaudit.models import Member
from plaudit.openbadges.publication import shareable_awards
from plaudit.portal.schemas import PortalAchievement
from plaudit.portal.service import portal_view
from plaudit.source.service import list_sources
from plaudit.web.access import require
from plaudit.web.pages import page_router, render
from plaudit.web.portal_tiles import Item, moment, portal_item
from plaudit.web.routes.badges import BadgeLink, background_url, badge_url
from plaudit.web.rule_words import source_words
from plaudit.web.streak_tiles import streak_tiles
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


def _badge(achievement: AchievementRead, badge_link: BadgeLink) -> str | None:
    return badge_link(achievement.id, achievement.version) if achievement.badge_url else None


def _background(achievement: AchievementRead, background_link: BadgeLink | None) -> str | None:
    if achievement.background_image_url is None or background_link is None:
        return None
    return background_link(achievement.id, achievement.version)


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


@dataclass(frozen=True)
class PortalContent:
    """What a portal shows of one member: their tiles, points and recent awards."""

    member: Member
    points: int
    items: list[Item]
    awards: list[RecentAward]
    level: MemberLevel | None = None


def build_portal(
    session: Session,
    member_id: int,
    *,
    now: datetime,
    zone: ZoneInfo,
    badge_link: BadgeLink = badge_url,
    background_link: BadgeLink | None = background_url,
) -> PortalContent:
    """The portal of `member_id` (whoever may see it: the caller checked); `badge_link`
    makes a badge's address (the embed pages have their own); without `background_link`
    tiles show their background colour instead of an image."""
    member = get_member(session, member_id)
    view = portal_view(session, member_id, now=now, zone=zone)
    sources = source_words(list_sources(session))
    by_id = {
        entry.achievement.id: portal_item(
            entry,
            sources,
            now,
            zone,
            badge=_badge(entry.achievement, badge_link),
            background=_background(entry.achievement, background_link),
        )
        for entry in view.achievements
    }
    items = [
        _tier_card(by_id, entry) if entry.tier else by_id[entry.achievement.id]
        for entry in view.achievements
        if entry.tier is None or entry.tier.card
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
    return PortalContent(
        member=member, points=view.points, items=items, awards=awards, level=view.level
    )


def _tier_card(by_id: dict[int, Item], entry: PortalAchievement) -> Item:
    """One card for a group of tiers: the highest tier held (else the first), with the next
    tier's progress under it."""
    assert entry.tier is not None
    item = by_id[entry.achievement.id]
    facts = [*item.facts, ("Tier", f"{entry.tier.tier} of {entry.tier.of}")]
    following = by_id.get(entry.tier.next_achievement_id or 0)
    if following is None or not item.complete:
        return replace(item, facts=facts)
    name = following.achievement.name
    facts.append(("Next tier", name))
    groups = [
        replace(g, heading=f"Next tier, {name}" + (f": {g.heading}" if g.heading else ""))
        for g in following.groups
    ]
    return replace(item, facts=facts, groups=groups)


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
    content = build_portal(session, chosen, now=now, zone=settings.zone)
    own = user.role == Role.member
    shareable = shareable_awards(session, chosen)
    return render(
        request,
        "portal/page.html",
        title="My achievements" if own else f"Achievements of {content.member.name}",
        member=content.member,
        points=content.points,
        level=content.level,
        items=content.items,
        awards=content.awards,
        own=own,
        is_staff=user.principal.is_staff,
        shareable=shareable,
        zone=settings.zone,
        streaks=streak_tiles(session, chosen, now=now, zone=settings.zone),
    )
