"""A member's standing on each achievement, for their admin page: complete or how many rules
are met, or not shown to them (outside the audience or the window), each with its explain
link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from plaudit.achievement.service import list_achievements
from plaudit.portal.service import portal_view


@dataclass(frozen=True)
class ProgressRow:
    achievement_id: int
    name: str
    icon: str | None
    state: str
    complete: bool
    shown: bool


def member_progress(
    session: Session, member_id: int, *, now: datetime, zone: ZoneInfo
) -> list[ProgressRow]:
    """Every achievement the member sees or that is active, by name."""
    rows: dict[int, ProgressRow] = {}
    for entry in portal_view(session, member_id, now=now, zone=zone).achievements:
        a = entry.achievement
        met = sum(1 for p in entry.progress if p.met)
        state = (
            "Complete"
            if entry.complete
            else f"{met} of {len(entry.progress)} rules met"
            if entry.progress
            else "Given by hand only"
        )
        rows[a.id] = ProgressRow(a.id, a.name, a.icon, state, entry.complete, True)
    for achievement in list_achievements(session, active=True):
        if achievement.id not in rows:
            rows[achievement.id] = ProgressRow(
                achievement.id,
                achievement.name,
                achievement.icon,
                "Not shown to them (audience or window)",
                False,
                False,
            )
    return sorted(rows.values(), key=lambda r: (r.name.casefold(), r.achievement_id))
