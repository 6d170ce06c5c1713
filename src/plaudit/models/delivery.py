"""Webhook deliveries: the outbox, written in the transaction that fired the notification and
emptied by the delivery worker after commit; and every attempt at sending one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from plaudit.db.base import Base
from plaudit.db.types import JSONType, UTCDateTime
from plaudit.models._columns import created_at_column


class WebhookDelivery(Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_notification", "notification_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notifications.id", ondelete="RESTRICT")
    )
    firing_id: Mapped[int | None] = mapped_column(
        ForeignKey("notification_firings.id", ondelete="RESTRICT")
    )
    member_id: Mapped[int | None]
    # webhook | slack | teams | email: how the worker sends it (a chat URL is not stored here:
    # it is a secret, kept encrypted on the notification; `url` then shows its host only)
    channel: Mapped[str] = mapped_column(String(20), default="webhook", server_default="webhook")
    summary_of: Mapped[int | None]
    url: Mapped[str] = mapped_column(String(2000))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    # pending -> delivering (claimed by a worker until `claimed_until`) -> delivered | failed
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    # NULL: as soon as possible. Set from the worker's clock, never from the request's.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = created_at_column()
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class WebhookDeliveryAttempt(Base):
    __tablename__ = "webhook_delivery_attempts"
    __table_args__ = (Index("ix_webhook_delivery_attempts_delivery", "delivery_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE")
    )
    number: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_ms: Mapped[float] = mapped_column(Float)
    status_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
    succeeded: Mapped[bool] = mapped_column(default=False)
