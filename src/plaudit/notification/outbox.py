"""The webhook outbox: deliveries enqueued in the transaction that fired them, claimed by a
worker, and settled after each attempt (delivered, retried later, or failed).

Claiming is safe with several workers and processes: candidates are read with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite serialises writers anyway), and each one is
taken by a conditional UPDATE that succeeds for one worker only. A claim is a lease: a worker
that dies mid-delivery leaves a row that becomes due again when the lease runs out.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session

from plaudit.errors import Conflict, not_found
from plaudit.models import Notification, WebhookDelivery, WebhookDeliveryAttempt
from plaudit.notification.schemas import DeliveryStatus
from plaudit.notification.webhook import SendResult

PENDING_FLAG = "plaudit.outbox_pending"
"""Set in `session.info` when a delivery is enqueued: the worker is woken after commit."""

ERROR_CHARS_KEPT = 1000
_random = secrets.SystemRandom()


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    base_seconds: float
    max_seconds: float

    def delay(self, attempts: int) -> float:
        """Exponential backoff with equal jitter: half the capped delay, plus up to half again."""
        capped = min(self.max_seconds, self.base_seconds * 2.0 ** max(0, attempts - 1))
        return capped / 2 + _random.uniform(0, capped / 2)


def enqueue(
    session: Session,
    *,
    notification_id: int,
    firing_id: int | None,
    member_id: int | None,
    url: str,
    payload: dict[str, Any],
    now: datetime,
    channel: str = "webhook",
    summary_of: int | None = None,
) -> WebhookDelivery:
    delivery = WebhookDelivery(
        notification_id=notification_id,
        channel=channel,
        summary_of=summary_of,
        firing_id=firing_id,
        member_id=member_id,
        url=url,
        payload=payload,
        status=DeliveryStatus.pending.value,
        attempts=0,
        next_attempt_at=None,
        created_at=now,
    )
    session.add(delivery)
    session.flush()
    session.info[PENDING_FLAG] = True
    return delivery


def due(now: datetime) -> ColumnElement[bool]:
    """Pending and due, or claimed by a worker whose lease has run out."""
    return or_(
        and_(
            WebhookDelivery.status == DeliveryStatus.pending.value,
            or_(WebhookDelivery.next_attempt_at.is_(None), WebhookDelivery.next_attempt_at <= now),
        ),
        and_(
            WebhookDelivery.status == DeliveryStatus.delivering.value,
            WebhookDelivery.claimed_until < now,
        ),
    )


def claim(
    session: Session, worker: str, *, now: datetime, lease: timedelta, limit: int
) -> list[int]:
    """Take up to `limit` due deliveries for `worker` until `now + lease`."""
    candidates = session.scalars(
        select(WebhookDelivery.id)
        .where(due(now))
        .order_by(WebhookDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    claimed: list[int] = []
    for delivery_id in candidates:
        taken = session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id, due(now))
            .values(
                status=DeliveryStatus.delivering.value,
                claimed_by=worker,
                claimed_until=now + lease,
            )
            .execution_options(synchronize_session=False)
        )
        if getattr(taken, "rowcount", 0) == 1:
            claimed.append(delivery_id)
    return claimed


def release(session: Session, delivery_ids: Sequence[int], worker: str) -> None:
    """Give back claimed deliveries that were not sent (the worker is stopping)."""
    if not delivery_ids:
        return
    session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id.in_(list(delivery_ids)),
            WebhookDelivery.claimed_by == worker,
            WebhookDelivery.status == DeliveryStatus.delivering.value,
        )
        .values(status=DeliveryStatus.pending.value, claimed_by=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class Outgoing:
    """A claimed delivery, read for sending outside any transaction."""

    id: int
    url: str
    payload: dict[str, Any]
    attempt: int
    encrypted_secret: str | None
    channel: str = "webhook"


def outgoing(session: Session, delivery_id: int) -> Outgoing:
    delivery = session.get(WebhookDelivery, delivery_id)
    assert delivery is not None
    secret = session.scalar(
        select(Notification.webhook_secret_encrypted).where(
            Notification.id == delivery.notification_id
        )
    )
    return Outgoing(
        delivery.id,
        delivery.url,
        dict(delivery.payload),
        _next_number(session, delivery.id),
        secret,
        delivery.channel,
    )


def _next_number(session: Session, delivery_id: int) -> int:
    last = session.scalar(
        select(func.max(WebhookDeliveryAttempt.number)).where(
            WebhookDeliveryAttempt.delivery_id == delivery_id
        )
    )
    return (last or 0) + 1


def settle(
    session: Session,
    delivery_id: int,
    worker: str,
    result: SendResult,
    *,
    started_at: datetime,
    now: datetime,
    policy: RetryPolicy,
) -> WebhookDelivery:
    """Log the attempt and move the delivery on: delivered, due again later, or failed."""
    delivery = session.get(WebhookDelivery, delivery_id, with_for_update=True)
    assert delivery is not None
    session.add(
        WebhookDeliveryAttempt(
            delivery_id=delivery.id,
            number=_next_number(session, delivery.id),
            started_at=started_at,
            duration_ms=round(result.duration_ms, 3),
            status_code=result.status_code,
            error=(result.error or "")[:ERROR_CHARS_KEPT] or None,
            succeeded=result.ok,
        )
    )
    if delivery.status != DeliveryStatus.delivering.value or delivery.claimed_by != worker:
        return delivery  # the lease ran out and another worker owns it now: only log
    delivery.attempts += 1
    delivery.last_status_code = result.status_code
    delivery.claimed_by = None
    delivery.claimed_until = None
    if result.ok:
        delivery.status = DeliveryStatus.delivered.value
        delivery.delivered_at = now
        delivery.next_attempt_at = None
        delivery.last_error = None
    else:
        delivery.last_error = (result.error or "")[:ERROR_CHARS_KEPT] or None
        if delivery.attempts >= policy.max_attempts:
            delivery.status = DeliveryStatus.failed.value
            delivery.next_attempt_at = None
        else:
            delivery.status = DeliveryStatus.pending.value
            delivery.next_attempt_at = now + timedelta(seconds=policy.delay(delivery.attempts))
    session.flush()
    return delivery


def get_delivery(session: Session, delivery_id: int) -> WebhookDelivery:
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        raise not_found("delivery", delivery_id)
    return delivery


def retry_delivery(session: Session, delivery_id: int) -> WebhookDelivery:
    """A failed delivery gets a fresh set of attempts, starting as soon as possible."""
    delivery = session.get(WebhookDelivery, delivery_id, with_for_update=True)
    if delivery is None:
        raise not_found("delivery", delivery_id)
    if delivery.status != DeliveryStatus.failed.value:
        raise Conflict(
            detail=f"Delivery {delivery_id} is {delivery.status}; only a failed delivery can be "
            "retried.",
            code="delivery_not_failed",
        )
    delivery.status = DeliveryStatus.pending.value
    delivery.attempts = 0
    delivery.next_attempt_at = None
    session.flush()
    session.info[PENDING_FLAG] = True
    return delivery


def list_deliveries(
    session: Session,
    notification_id: int,
    *,
    status: DeliveryStatus | None,
    limit: int,
    offset: int,
) -> Sequence[WebhookDelivery]:
    query = select(WebhookDelivery).where(WebhookDelivery.notification_id == notification_id)
    if status is not None:
        query = query.where(WebhookDelivery.status == status.value)
    return session.scalars(
        query.order_by(WebhookDelivery.id.desc()).limit(limit).offset(offset)
    ).all()


def attempts_of(
    session: Session, delivery_ids: Sequence[int]
) -> dict[int, list[WebhookDeliveryAttempt]]:
    out: dict[int, list[WebhookDeliveryAttempt]] = {i: [] for i in delivery_ids}
    if not delivery_ids:
        return out
    rows = session.scalars(
        select(WebhookDeliveryAttempt)
        .where(WebhookDeliveryAttempt.delivery_id.in_(list(delivery_ids)))
        .order_by(WebhookDeliveryAttempt.delivery_id, WebhookDeliveryAttempt.number)
    )
    for attempt in rows:
        out[attempt.delivery_id].append(attempt)
    return out
