"""Assemble the portal: what a member may see, complete or not, with per-rule progress.

Visible: active achievements whose audience includes the member and whose effective window
has not ended, plus every achievement the member holds an award of (history stays, even
after the window ends or the achievement is deactivated or deleted).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from plaudit.achievement.presenter import present
from plaudit.achievement.rarity import rarities
from plaudit.achievement.service import has_background, has_badge
from plaudit.award.presenter import present_award
from plaudit.award.schemas import award_is_active
from plaudit.domain.audience import in_any
from plaudit.engine.audiences import facts_of
from plaudit.engine.compiled import compile_achievement
from plaudit.engine.evaluate import current_value
from plaudit.engine.store import read_progress
from plaudit.level.service import member_level
from plaudit.member.service import get_member
from plaudit.models import Achievement, Award
from plaudit.periods import period_containing
from plaudit.portal.schemas import PortalAchievement, PortalView, RuleProgressRead, TierPlace
from plaudit.rules.oracle import rule_met


def place_tiers(items: list[PortalAchievement]) -> list[PortalAchievement]:
    """Mark each item of a tier group with its place; the group's card is its highest tier
    held (complete), else its first."""
    groups: dict[str, list[PortalAchievement]] = defaultdict(list)
    for item in items:
        if item.achievement.tier_group:
            groups[item.achievement.tier_group].append(item)
    places: dict[int, TierPlace] = {}
    for group, members in groups.items():
        ordered = sorted(members, key=lambda i: (i.achievement.points, i.achievement.id))
        held = [n for n, i in enumerate(ordered) if i.complete]
        card = held[-1] if held else 0
        for n, item in enumerate(ordered):
            places[item.achievement.id] = TierPlace(
                group=group,
                tier=n + 1,
                of=len(ordered),
                card=n == card,
                next_achievement_id=ordered[n + 1].achievement.id if n + 1 < len(ordered) else None,
            )
    return [
        item.model_copy(update={"tier": places[item.achievement.id]})
        if item.achievement.id in places
        else item
        for item in items
    ]


def portal_view(
    session: Session, member_id: int, *, now: datetime, zone: ZoneInfo, reveal_secret: bool = False
) -> PortalView:
    """The member's page. A secret achievement the member does not hold is left out, as the
    member sees it, unless `reveal_secret` (admins and managers asking through the API)."""
    get_member(session, member_id)
    facts = facts_of(session, member_id)
    awards_by_achievement: dict[int, list[Award]] = defaultdict(list)
    for award in session.scalars(
        select(Award).where(Award.member_id == member_id).order_by(Award.awarded_at, Award.id)
    ):
        awards_by_achievement[award.achievement_id].append(award)
    held = {a for a, awards in awards_by_achievement.items() if any(not w.revoked for w in awards)}
    candidates = session.scalars(
        select(Achievement)
        .where(
            (Achievement.active.is_(True) & Achievement.deleted_at.is_(None))
            | Achievement.id.in_(held)
        )
        .order_by(Achievement.id)
    ).all()
    rare = rarities(session, candidates, now=now, zone=zone)
    badges = has_badge(session, [a.id for a in candidates])
    backgrounds = has_background(session, [a.id for a in candidates])
    items: list[PortalAchievement] = []
    for achievement in candidates:
        compiled = compile_achievement(session, achievement)
        mine = [w for w in awards_by_achievement.get(achievement.id, []) if not w.revoked]
        if achievement.id not in held:
            if achievement.secret and not reveal_secret:
                continue
            if compiled.audiences and not in_any(compiled.audiences, facts):
                continue
            if compiled.effective_until is not None and now >= compiled.effective_until:
                continue
        window = period_containing(now, compiled.period, zone)
        slots = (
            read_progress(session, achievement.id, [(member_id, window.key)]).get(
                (member_id, window.key), {}
            )
            if achievement.active
            else {}
        )
        progress = [
            RuleProgressRead(
                group=g,
                rule=r,
                source=rule.source,
                aggregate=rule.aggregate.value,
                operator=rule.operator.value,
                current=(cur := current_value(rule, slots.get(f"{g}.{r}"))),
                target=rule.value,
                met=rule_met(rule, cur),
            )
            for g, group in enumerate(compiled.requirements)
            for r, rule in enumerate(group)
        ]
        complete = any(award_is_active(w.revoked, w.period_start, w.period_end, now) for w in mine)
        decided_at = compiled.decided_at(window.key, zone)
        items.append(
            PortalAchievement(
                achievement=present(
                    achievement,
                    with_badge=achievement.id in badges,
                    with_background=achievement.id in backgrounds,
                ).model_copy(update={"rarity": rare[achievement.id]}),
                complete=complete,
                completions=len(mine),
                progress=progress,
                awards=[present_award(w, now) for w in mine],
                decided_at=decided_at if decided_at is not None and decided_at > now else None,
            )
        )
    points = sum(
        w.points for awards in awards_by_achievement.values() for w in awards if not w.revoked
    )
    items = place_tiers(items)
    standing = member_level(session, member_id, now=now, zone=zone)
    shown = standing if standing.level is not None or standing.next_level is not None else None
    return PortalView(member_id=member_id, points=points, achievements=items, level=shown)
