"""Streak achievements: when records change a member's streak, give the streak's achievement
once the member's current run reaches its target.

Called by the record service after the engine, in the record's transaction, on the single and
the bulk path alike. Only the streaks that name an active achievement and read the records'
source are looked at, and only for the members those records belong to who do not hold the
achievement yet (one query for all of them), so a bulk batch costs one indexed read of each
such member's records of that source, never a loop over every record. "Exactly once": a
member holding a non-revoked award of the achievement is skipped, and on PostgreSQL the check
and the give run under a transaction lock on (achievement, member), so two ingests at once
cannot both give it. The give itself is the ordinary one (audience, window and category
limits apply; a refusal leaves the member without the award until a later record). Its
origin is `streak` with `given_by` "streak:<id>": the engine's own bookkeeping of `rule`
awards (completion numbers per period) does not apply to it.

Which streaks give achievements, by source, is cached per process and engine generation
(``engine.generation``), as the active notifications are: creating, changing or deleting a
streak and activating or deactivating an achievement renew the generation, so an ingest of a
source no streak reads pays no query for them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from plaudit.award.service import give_award
from plaudit.calendar.service import work_calendar
from plaudit.db.locking import lock_decision
from plaudit.domain.origins import AwardOrigin
from plaudit.engine.generation import cached_per_generation
from plaudit.errors import PlauditError
from plaudit.kit.roles import Principal, Role
from plaudit.models import Achievement, Award, Streak
from plaudit.streak.service import rule_of, state_of


def actor_of(streak: Streak) -> Principal:
    return Principal(name=f"streak:{streak.id}", role=Role.admin)


def _holders(session: Session, achievement_id: int, member_ids: set[int]) -> set[int]:
    return set(
        session.scalars(
            select(Award.member_id).where(
                Award.achievement_id == achievement_id,
                Award.member_id.in_(member_ids),
                Award.revoked.is_(False),
            )
        )
    )


def _giving_by_source(session: Session) -> dict[str, list[int]]:
    """The ids of the streaks that give an active achievement, by the source they read."""
    by_source: dict[str, list[int]] = {}
    for streak in session.scalars(
        select(Streak)
        .join(Achievement, Achievement.id == Streak.achievement_id)
        .where(Achievement.active.is_(True))
        .order_by(Streak.id)
    ):
        by_source.setdefault(rule_of(streak).source, []).append(streak.id)
    return by_source


def award_reached_streaks(
    session: Session,
    source_key: str,
    member_ids: Iterable[int],
    *,
    now: datetime,
    zone: ZoneInfo,
) -> list[int]:
    """Give each streak achievement of `source_key` to the `member_ids` whose current run
    reached the target; returns the ids of the awards given."""
    members = set(member_ids)
    if not members:
        return []
    ids = cached_per_generation(session, "streaks", lambda: _giving_by_source(session))
    wanted = ids.get(source_key)
    if not wanted:
        return []
    # Read again, not cached: the rows are the session's, and a stale id (an achievement
    # deleted since, which sets the streak's to NULL) drops out here.
    streaks = list(
        session.scalars(
            select(Streak)
            .join(Achievement, Achievement.id == Streak.achievement_id)
            .where(Streak.id.in_(wanted), Achievement.active.is_(True))
            .order_by(Streak.id)
        )
    )
    if not streaks:
        return []
    calendar = work_calendar(session)
    given: list[int] = []
    for streak in streaks:
        assert streak.achievement_id is not None
        for member_id in sorted(members - _holders(session, streak.achievement_id, members)):
            state = state_of(session, streak, member_id, now=now, zone=zone, calendar=calendar)
            if state.current < streak.target:
                continue
            lock_decision(session, "streak-award", streak.achievement_id, member_id)
            if _holders(session, streak.achievement_id, {member_id}):
                continue  # given meanwhile, by a transaction that committed first
            try:
                with session.begin_nested():
                    award = give_award(
                        session,
                        member_id,
                        streak.achievement_id,
                        at=None,
                        actor=actor_of(streak),
                        now=now,
                        zone=zone,
                        reason=f"{state.current} {streak.period}s in a row: {streak.name}",
                        origin=AwardOrigin.streak,
                    )
            except PlauditError:
                continue
            given.append(award.id)
    return given
