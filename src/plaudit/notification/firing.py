"""Fire a notification for a member: write the firing, then run its action.

Giving an achievement goes through the award service with its category limits; a refusal is
recorded on the firing, never raised, so the records that fired it are still ingested. A webhook
is an outbox row in the same transaction, sent by the worker only once that transaction commits;
so are Slack, Teams and email messages, collected per batch (`announce`) so that many firings
at once become one summary.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from plaudit.award.service import give_award
from plaudit.domain.origins import AwardOrigin
from plaudit.errors import PlauditError
from plaudit.kit.roles import Principal, Role
from plaudit.member.service import get_member
from plaudit.models import NotificationFiring
from plaudit.notification.announce import ChannelBatch, detail
from plaudit.notification.definition import CompiledNotification
from plaudit.notification.outbox import enqueue
from plaudit.notification.payload import (
    AwardSeen,
    EventSeen,
    LevelSeen,
    RecordSeen,
    build_payload,
)
from plaudit.notification.schemas import (
    EmailAction,
    FiringOutcome,
    GiveAchievementAction,
    SlackAction,
    TeamsAction,
)
from plaudit.periods import PeriodWindow


def actor_of(notification_id: int) -> Principal:
    """Who gives what a notification gives, as the audit log and `given_by` show it."""
    return Principal(name=f"notification:{notification_id}", role=Role.admin)


def fire(
    session: Session,
    compiled: CompiledNotification,
    member_id: int,
    *,
    record: RecordSeen | None,
    at: datetime,
    now: datetime,
    zone: ZoneInfo,
    window: PeriodWindow | None = None,
    value: float | None = None,
    channels: ChannelBatch | None = None,
    seen: EventSeen | None = None,
) -> int | None:
    """Fire once; returns the id of the award given, if any.

    A Slack, Teams or email action joins `channels`, the batch whose end enqueues its message
    (or one summary for many); without a batch it is enqueued at once.

    With a `window` (formula triggers) the firing is unique per (notification, member,
    period), with `seen` (award and level triggers) per (notification, award or level
    reached): when a concurrent request fired first, the unique constraint refuses this one and
    nothing happens.
    """
    firing = NotificationFiring(
        notification_id=compiled.id,
        member_id=member_id,
        period_key=window.key if window else None,
        fired_at=now,
        value=value,
        source_key=record.source if record else None,
        outcome=FiringOutcome.refused.value,
        event_award_id=seen.award_id if isinstance(seen, AwardSeen) else None,
        event_level_reached_id=seen.level_reached_id if isinstance(seen, LevelSeen) else None,
    )
    if window is not None or seen is not None:
        try:
            with session.begin_nested():
                session.add(firing)
                session.flush()
        except IntegrityError:
            return None
    else:
        session.add(firing)
        session.flush()
    action = compiled.action
    if isinstance(action, GiveAchievementAction):
        try:
            with session.begin_nested():
                award = give_award(
                    session,
                    member_id,
                    action.achievement_id,
                    at=at,
                    actor=actor_of(compiled.id),
                    now=now,
                    zone=zone,
                    origin=AwardOrigin.notification,
                    notification_id=compiled.id,
                )
        except PlauditError as exc:
            firing.outcome, firing.code, firing.detail = (
                FiringOutcome.refused.value,
                exc.code,
                exc.detail,
            )
            return None
        firing.outcome, firing.award_id = FiringOutcome.awarded.value, award.id
        return award.id
    if isinstance(action, SlackAction | TeamsAction | EmailAction):
        batch = ChannelBatch() if channels is None else channels
        why = detail(compiled, record, value=value, window=window, seen=seen)
        batch.add(compiled, firing, get_member(session, member_id), why)
        firing.outcome = FiringOutcome.enqueued.value
        if channels is None:
            batch.flush(session, now=now)
        return None
    payload = build_payload(
        compiled,
        get_member(session, member_id),
        fired_at=now,
        record=record,
        value=value,
        window=window,
        seen=seen,
    )
    delivery = enqueue(
        session,
        notification_id=compiled.id,
        firing_id=firing.id,
        member_id=member_id,
        url=action.url,
        payload=payload,
        now=now,
    )
    firing.outcome, firing.delivery_id = FiringOutcome.enqueued.value, delivery.id
    return None
