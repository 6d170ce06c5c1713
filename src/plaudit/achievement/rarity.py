"""Rarity: the share of an achievement's audience that holds it (for a periodic achievement,
in the current period).

Computed per page, never per tile: one grouped count of holders over the awards index
(achievement_id, period_key) for the pages' achievements and their current periods, one read
of the active members' facts, and one read per distinct audience group; the matching of
members against audiences is pure Python. The cost grows with the members and the groups,
not with the awards.

`holders` are the distinct active members holding a non-revoked award for the current
period; `audience` the active members the achievement's groups match (everyone active when
it has none). A holder who has since left the audience still counts, so `share` is capped
at 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from plaudit.achievement.schemas import Rarity
from plaudit.domain.audience import Audience, in_any
from plaudit.engine.audiences import load_audience, member_facts
from plaudit.errors import NotFound
from plaudit.limits import chunks
from plaudit.models import Achievement, Award, Member
from plaudit.periods import Period, period_containing


def _holders(session: Session, keys: dict[int, str]) -> dict[int, int]:
    """Distinct active holders per achievement in the period `keys` names for it."""
    out: dict[int, int] = {}
    for some in chunks(sorted(keys)):
        rows = session.execute(
            select(Award.achievement_id, Award.period_key, func.count(distinct(Award.member_id)))
            .join(Member, Member.id == Award.member_id)
            .where(
                Award.achievement_id.in_(some),
                Award.period_key.in_({keys[a] for a in some}),
                Award.revoked.is_(False),
                Member.active.is_(True),
            )
            .group_by(Award.achievement_id, Award.period_key)
        )
        for achievement_id, period_key, count in rows:
            if keys[achievement_id] == period_key:
                out[achievement_id] = int(count)
    return out


def _audience(session: Session, group_id: int) -> Audience:
    try:
        return load_audience(session, group_id)
    except NotFound:  # a group gone: it matches no one
        return Audience(team_ids=frozenset(), member_ids=frozenset(), conditions=())


def rarities(
    session: Session, achievements: Sequence[Achievement], *, now: datetime, zone: ZoneInfo
) -> dict[int, Rarity]:
    """The rarity of each achievement, by id (see the module's docstring for the cost)."""
    if not achievements:
        return {}
    keys = {a.id: period_containing(now, Period(a.period), zone).key for a in achievements}
    holders = _holders(session, keys)
    active = {m for (m,) in session.execute(select(Member.id).where(Member.active.is_(True)))}
    facts = [f for f in member_facts(session) if f.member_id in active]
    groups: dict[int, Audience] = {}
    out: dict[int, Rarity] = {}
    for achievement in achievements:
        group_ids = list(achievement.audience or [])
        for g in group_ids:
            if g not in groups:
                groups[g] = _audience(session, g)
        audiences = [groups[g] for g in group_ids]
        audience = sum(1 for f in facts if in_any(audiences, f)) if audiences else len(facts)
        held = holders.get(achievement.id, 0)
        share = min(1.0, held / audience) if audience else 0.0
        out[achievement.id] = Rarity(holders=held, audience=audience, share=round(share, 4))
    return out
