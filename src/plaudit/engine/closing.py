"""Deciding periods as they end.

A rule with an upper bound (at most, less than, exactly) of an achievement whose periods or
effective window end can still be broken by a record later in the period, so the engine
decides its rule group only once that period is over (``CompiledAchievement.deferred``):
records that arrive for a period already over are decided at once, and the periods that end
while no record arrives are decided here. `close_periods` awards, for every active
achievement that defers, the (member, period) keys of every period that ended since the last
time it ran, and remembers how far it got (``PeriodClosing``), so each period is decided once
however often it runs, and a period that ended while no process ran is decided the next time.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from plaudit.db.upsert import insert_for_dialect
from plaudit.engine.compiled import CompiledAchievement, every_active_achievement
from plaudit.engine.evaluate import award_due
from plaudit.engine.gate import enter_evaluation
from plaudit.engine.store import read_progress_of
from plaudit.models import PeriodClosing
from plaudit.periods import ALL_KEY, Period, period_containing


def periods_closing_between(
    compiled: CompiledAchievement, since: datetime, now: datetime, zone: ZoneInfo
) -> list[str]:
    """Keys of the achievement's periods whose records became final in (since, now]."""
    until = compiled.effective_until
    if compiled.period is Period.none:
        return [ALL_KEY] if until is not None and since < until <= now else []
    keys: list[str] = []
    window = period_containing(since, compiled.period, zone)
    while True:
        assert window.end is not None
        closing = window.end if until is None else min(window.end, until)
        if closing > now:
            return keys
        if closing > since:
            keys.append(window.key)
        if until is not None and window.end >= until:
            return keys
        window = period_containing(window.end, compiled.period, zone)


def mark_decided(session: Session, achievement_id: int, through: datetime) -> None:
    """Every period of the achievement that ended by `through` is decided (at activation,
    whose backfill decides them, and after each closing)."""
    dialect = session.get_bind().dialect.name
    stmt = insert_for_dialect(dialect, PeriodClosing.__table__).values(
        achievement_id=achievement_id, closed_through=through
    )
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["achievement_id"], set_={"closed_through": through}
        )
    )


def close_periods(session: Session, *, now: datetime, zone: ZoneInfo) -> list[int]:
    """Award what the periods that ended since the last run make due; return new award ids."""
    enter_evaluation(session)
    award_ids: list[int] = []
    for compiled in every_active_achievement(session, zone):
        if compiled.defers:
            award_ids += _close(session, compiled, now=now, zone=zone)
    return award_ids


def _close(
    session: Session, compiled: CompiledAchievement, *, now: datetime, zone: ZoneInfo
) -> list[int]:
    # Locked: a second closer running at the same time waits here, then finds nothing left.
    since = session.scalars(
        select(PeriodClosing.closed_through)
        .where(PeriodClosing.achievement_id == compiled.id)
        .with_for_update()
    ).first()
    if since is None:
        # Active since before periods were decided at their end: from now on.
        mark_decided(session, compiled.id, now)
        return []
    if since >= now:
        return []
    keys = periods_closing_between(compiled, since, now, zone)
    award_ids: list[int] = []
    if keys:
        state = read_progress_of(session, compiled.slot_tallies, periods=keys)
        if state:
            award_ids = award_due(session, compiled, state, now=now, zone=zone)
    mark_decided(session, compiled.id, now)
    return award_ids
