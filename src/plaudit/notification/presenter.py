"""Turn notification, firing and delivery rows into the API's shapes."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from plaudit.models import Notification, NotificationFiring, WebhookDelivery
from plaudit.notification.outbox import attempts_of
from plaudit.notification.schemas import (
    AttemptRead,
    DeliveryRead,
    DeliveryStatus,
    FiringOutcome,
    FiringRead,
    NotificationRead,
)


def present_notification(notification: Notification, secret: str | None = None) -> NotificationRead:
    return NotificationRead(
        id=notification.id,
        name=notification.name,
        trigger=notification.trigger,
        action=notification.action,
        active=notification.active,
        created_at=notification.created_at,
        updated_at=notification.updated_at,
        webhook_secret=secret,
    )


def present_firing(firing: NotificationFiring) -> FiringRead:
    return FiringRead(
        id=firing.id,
        notification_id=firing.notification_id,
        member_id=firing.member_id,
        period=firing.period_key,
        fired_at=firing.fired_at,
        value=firing.value,
        source=firing.source_key,
        outcome=FiringOutcome(firing.outcome),
        code=firing.code,
        detail=firing.detail,
        award_id=firing.award_id,
        delivery_id=firing.delivery_id,
        event_award_id=firing.event_award_id,
        event_level_reached_id=firing.event_level_reached_id,
    )


def present_deliveries(
    session: Session, deliveries: Sequence[WebhookDelivery]
) -> list[DeliveryRead]:
    attempts = attempts_of(session, [d.id for d in deliveries])
    return [
        DeliveryRead(
            id=d.id,
            notification_id=d.notification_id,
            channel=d.channel,
            summary_of=d.summary_of,
            firing_id=d.firing_id,
            member_id=d.member_id,
            url=d.url,
            status=DeliveryStatus(d.status),
            attempts=d.attempts,
            next_attempt_at=d.next_attempt_at,
            created_at=d.created_at,
            delivered_at=d.delivered_at,
            last_status_code=d.last_status_code,
            last_error=d.last_error,
            payload=d.payload,
            attempt_log=[AttemptRead.model_validate(a) for a in attempts[d.id]],
        )
        for d in deliveries
    ]
