"""The dry run of award and level triggers: they fire when an award is given or a level
reached, never on the current data alone; so the dry run shows, for each member, what their
latest matching award (or level reached) would send if it were given now, and whether it has
fired for it already."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from plaudit.models import Achievement, Award, Level, LevelReached, Member, NotificationFiring
from plaudit.notification.definition import CompiledNotification
from plaudit.notification.events import award_matches, award_seen, level_matches, level_seen
from plaudit.notification.payload import AwardSeen, EventSeen, LevelSeen
from plaudit.notification.schemas import AwardTrigger, LevelTrigger

EXAMPLES_SCANNED = 200
"""How many of a member's latest awards or levels reached are looked through for a match."""


@dataclass(frozen=True)
class Example:
    member: Member
    seen: EventSeen
    already_fired: bool


def what_fires(trigger: AwardTrigger | LevelTrigger) -> str:
    """The trigger in words."""
    if isinstance(trigger, AwardTrigger):
        parts = []
        if trigger.achievement_ids:
            parts.append("of achievement " + ", ".join(str(i) for i in trigger.achievement_ids))
        if trigger.categories:
            parts.append("in category " + " or ".join(c.value for c in trigger.categories))
        which = " " + " and ".join(parts) if parts else ""
        return f"It fires once for every award{which} given from now on, whatever gives it"
    if trigger.level_ids:
        which = "level " + " or ".join(str(i) for i in trigger.level_ids)
    else:
        which = "a level"
    return f"It fires once for every member who reaches {which} from now on"


def examples(
    session: Session, compiled: CompiledNotification, members: Sequence[Member]
) -> list[Example]:
    """Each member's latest matching award or level reached, if any."""
    out: list[Example] = []
    for member in members:
        seen = _latest(session, compiled, member.id)
        if seen is not None:
            out.append(Example(member, seen, _fired(session, compiled.id, seen)))
    return out


def _latest(session: Session, compiled: CompiledNotification, member_id: int) -> EventSeen | None:
    trigger = compiled.trigger
    if isinstance(trigger, AwardTrigger):
        awards = session.execute(
            select(Award, Achievement)
            .join(Achievement, Achievement.id == Award.achievement_id)
            .where(Award.member_id == member_id, Award.revoked.is_(False))
            .order_by(Award.id.desc())
            .limit(EXAMPLES_SCANNED)
        )
        for award, achievement in awards:
            seen = award_seen(award, achievement)
            if award_matches(trigger, seen):
                return seen
        return None
    assert isinstance(trigger, LevelTrigger)
    reached = session.execute(
        select(LevelReached, Level)
        .join(Level, Level.id == LevelReached.level_id)
        .where(LevelReached.member_id == member_id)
        .order_by(LevelReached.id.desc())
        .limit(EXAMPLES_SCANNED)
    )
    for row, level in reached:
        level_row = level_seen(row, level)
        if level_matches(trigger, level_row):
            return level_row
    return None


def _fired(session: Session, notification_id: int, seen: EventSeen) -> bool:
    if not notification_id:
        return False
    column = (
        NotificationFiring.event_award_id
        if isinstance(seen, AwardSeen)
        else NotificationFiring.event_level_reached_id
    )
    key = seen.award_id if isinstance(seen, AwardSeen) else seen.level_reached_id
    found = session.scalars(
        select(NotificationFiring.id).where(
            NotificationFiring.notification_id == notification_id, column == key
        )
    ).first()
    return found is not None


def describe(example: Example) -> str:
    seen = example.seen
    if isinstance(seen, LevelSeen):
        what = f"reaching level {seen.name} ({seen.threshold:,} points, {seen.scope_key})"
    else:
        what = f"award {seen.award_id} ({seen.achievement_name}, {seen.period_key})"
    if example.already_fired:
        return f"It fired for {what} already; shown: what it sent."
    return f"Its latest match: {what}. Shown: what it would send for one like it given now."
