"""Awarding progress already made when who-is-in-an-audience changes.

Running aggregates are kept for every member whatever the audiences (``engine.evaluate``
decides the audience on current data when it awards). So a member who enters an
achievement's audience (moved to a listed team, added to a group, their team renamed to
match a group's conditions) or who is made active again may already qualify. These
functions evaluate such members at once, from the stored aggregates, instead of waiting
for their next record; the unique indexes on awards keep it idempotent.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from plaudit.engine.audiences import group_member_ids
from plaudit.engine.compiled import every_active_achievement
from plaudit.engine.evaluate import award_due
from plaudit.engine.store import progress_of, read_member_tallies
from plaudit.models import Member


def reevaluate_members(
    session: Session,
    member_ids: Collection[int],
    *,
    now: datetime,
    zone: ZoneInfo,
    audiences_only: bool = True,
) -> list[int]:
    """Award what the members' stored progress makes due now; return new award ids.

    With `audiences_only`, only achievements that have an audience are looked at (a change
    of team or role cannot make any other achievement due)."""
    achievements = [
        a for a in every_active_achievement(session, zone) if a.audiences or not audiences_only
    ]
    tally_ids = {t for a in achievements for t in a.slot_tallies.values()}
    if not tally_ids or not member_ids:
        return []
    # One read of every tally these achievements use, for these members, in all periods.
    states = read_member_tallies(session, tally_ids, member_ids)
    keys = sorted({(m, p) for _, m, p in states})
    award_ids: list[int] = []
    for compiled in achievements:
        state = progress_of(compiled.slot_tallies, states, keys)
        if state:
            award_ids += award_due(session, compiled, state, now=now, zone=zone)
    return award_ids


def audience_members(session: Session, group_id: int, zone: ZoneInfo) -> set[int] | None:
    """The members the group matches now, if it is the audience of an active achievement
    (None otherwise: then a change to it cannot make anything due). Read before a change."""
    if not any(group_id in a.audience_ids for a in every_active_achievement(session, zone)):
        return None
    return set(group_member_ids(session, group_id))


def reevaluate_group(
    session: Session, group_id: int, before: set[int] | None, *, now: datetime, zone: ZoneInfo
) -> list[int]:
    """After a group's lists or conditions changed: award what their stored progress makes
    due to the members it admits now and did not before (`before`, from `audience_members`);
    those inside already were evaluated with it. Reads only those members' progress."""
    if before is None:
        return []
    entered = set(group_member_ids(session, group_id)) - before
    if not entered:
        return []
    return reevaluate_members(session, sorted(entered), now=now, zone=zone)


def reevaluate_team(session: Session, team_id: int, *, now: datetime, zone: ZoneInfo) -> list[int]:
    """After a team's name or attributes changed (group conditions read them)."""
    members = session.scalars(select(Member.id).where(Member.team_id == team_id)).all()
    if not members:
        return []
    return reevaluate_members(session, members, now=now, zone=zone)
