"""Award and level triggers: fired for the awards given and the levels reached in a
transaction, just before it commits, in that transaction.

Whatever writes an award or a `level_reached` row notes its id on the session
(`engine.events`); a ``before_commit`` listener on every session hands them here. So every
origin fires them (a rule, an activation's backfill, a manual or bulk give, a streak, a
season, a notification's give, a new level), a rollback leaves neither the event nor its
firing, and all of one transaction's channel messages are one batch: a backfill of many awards
posts one summary per channel notification (`announce.ChannelBatch`), while webhooks get one
delivery per firing.

Exactly once: a firing names its award or `level_reached` row, unique per notification (a
concurrent transaction that fired first wins; the loser's firing is refused by the key).

No chains: an award given by a notification whose trigger is an award trigger fires no award
trigger (levels it makes reached still fire level triggers: each row fires once). Firing may
give awards, which are noted in turn; the loop ends because those gives fire no award trigger.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from plaudit.domain.origins import AwardOrigin
from plaudit.engine.events import PendingEvents, forget_pending, take_pending
from plaudit.limits import chunks
from plaudit.models import Achievement, Award, Level, LevelReached
from plaudit.notification.active import listening_to_events
from plaudit.notification.announce import ChannelBatch
from plaudit.notification.definition import CompiledNotification
from plaudit.notification.firing import fire
from plaudit.notification.payload import AwardSeen, LevelSeen
from plaudit.notification.schemas import AwardTrigger, LevelTrigger

MAX_ROUNDS = 100
"""Firing gives awards that are events in turn. Award triggers never chain, but a level
trigger that gives points can make the member reach the next level, and so on up the ladder:
never more rounds than this (what is left is logged, not fired)."""

logger = logging.getLogger(__name__)


def fire_pending(session: Session) -> None:
    """Fire the award and level triggers for what the session noted, until nothing is left."""
    channels = ChannelBatch()
    now: datetime | None = None
    for _ in range(MAX_ROUNDS):
        pending = take_pending(session)
        if not pending or pending.now is None or pending.zone is None:
            break
        notifications = listening_to_events(session)
        if not notifications:
            break
        now = pending.now
        channels.context = channels.context or pending.batch_words
        _fire_round(session, notifications, pending, now=now, zone=pending.zone, channels=channels)
    else:
        if left := take_pending(session):
            logger.warning(
                "award and level triggers stopped after %s rounds; not fired for awards %s "
                "and levels reached %s",
                MAX_ROUNDS,
                sorted(left.award_ids),
                sorted(left.level_reached_ids),
            )
    forget_pending(session)
    if now is not None:
        channels.flush(session, now=now)


def _fire_round(
    session: Session,
    notifications: Sequence[CompiledNotification],
    pending: PendingEvents,
    *,
    now: datetime,
    zone: ZoneInfo,
    channels: ChannelBatch,
) -> None:
    on_award = [n for n in notifications if isinstance(n.trigger, AwardTrigger)]
    on_level = [n for n in notifications if isinstance(n.trigger, LevelTrigger)]
    if on_award and pending.award_ids:
        no_chain = {n.id for n in on_award}
        for award, seen in _awards(session, pending.award_ids):
            if award.origin == AwardOrigin.notification.value and award.notification_id in no_chain:
                continue
            for compiled in on_award:
                if award_matches(compiled.trigger, seen):
                    fire(
                        session,
                        compiled,
                        award.member_id,
                        record=None,
                        at=now,
                        now=now,
                        zone=zone,
                        channels=channels,
                        seen=seen,
                    )
    if on_level and pending.level_reached_ids:
        for member_id, reached in _levels(session, pending.level_reached_ids):
            for compiled in on_level:
                if level_matches(compiled.trigger, reached):
                    fire(
                        session,
                        compiled,
                        member_id,
                        record=None,
                        at=now,
                        now=now,
                        zone=zone,
                        channels=channels,
                        seen=reached,
                    )


def award_matches(trigger: object, seen: AwardSeen) -> bool:
    """Whether an award trigger listens to this award (empty filters: every award)."""
    assert isinstance(trigger, AwardTrigger)
    return (not trigger.achievement_ids or seen.achievement_id in trigger.achievement_ids) and (
        not trigger.categories or seen.category in trigger.categories
    )


def level_matches(trigger: object, seen: LevelSeen) -> bool:
    assert isinstance(trigger, LevelTrigger)
    return not trigger.level_ids or seen.level_id in trigger.level_ids


def award_seen(award: Award, achievement: Achievement) -> AwardSeen:
    return AwardSeen(
        award_id=award.id,
        achievement_id=achievement.id,
        achievement_name=achievement.name,
        category=achievement.category,
        points=award.points,
        period_key=award.period_key,
        period_start=award.period_start,
        period_end=award.period_end,
        origin=award.origin,
        awarded_at=award.awarded_at,
    )


def level_seen(reached: LevelReached, level: Level) -> LevelSeen:
    return LevelSeen(
        level_reached_id=reached.id,
        level_id=level.id,
        name=level.name,
        threshold=level.points,
        scope=level.scope,
        scope_key=reached.scope_key,
        points=reached.points,
        reached_at=reached.reached_at,
    )


def _awards(session: Session, ids: set[int]) -> list[tuple[Award, AwardSeen]]:
    """The noted awards still there and not revoked (one noted inside a savepoint rolled back
    since is gone), oldest first."""
    out: list[tuple[Award, AwardSeen]] = []
    for some in chunks(sorted(ids)):
        rows = session.execute(
            select(Award, Achievement)
            .join(Achievement, Achievement.id == Award.achievement_id)
            .where(Award.id.in_(some), Award.revoked.is_(False))
            .order_by(Award.id)
        )
        out += [(award, award_seen(award, achievement)) for award, achievement in rows]
    return out


def _levels(session: Session, ids: set[int]) -> list[tuple[int, LevelSeen]]:
    out: list[tuple[int, LevelSeen]] = []
    for some in chunks(sorted(ids)):
        rows = session.execute(
            select(LevelReached, Level)
            .join(Level, Level.id == LevelReached.level_id)
            .where(LevelReached.id.in_(some))
            .order_by(LevelReached.id)
        )
        out += [(reached.member_id, level_seen(reached, level)) for reached, level in rows]
    return out


def _before_commit(session: Session) -> None:
    fire_pending(session)


def _after_rollback(session: Session) -> None:
    forget_pending(session)


def install() -> None:
    """Listen on every session (idempotent)."""
    if not event.contains(Session, "before_commit", _before_commit):
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_rollback", _after_rollback)
