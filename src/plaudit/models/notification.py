"""Notification: a trigger and an action; and each time it fired for a member.

A firing row is the fact that a notification fired: formula triggers fire at most once per
(notification, member, period), which the unique constraint holds even against concurrent
requests; record triggers fire for every matching record and leave `period_key` NULL, which
no unique constraint compares equal.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plaudit.db.base import Base
from plaudit.db.types import JSONType, UTCDateTime
from plaudit.models._columns import created_at_column


class Notification(Base):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    trigger: Mapped[dict[str, Any]] = mapped_column(JSONType)
    # The action as answered: a webhook's secret is kept apart, encrypted.
    action: Mapped[dict[str, Any]] = mapped_column(JSONType)
    # A Fernet token (plaudit.kit.encryption), not a hash: deliveries are signed with the
    # secret, so it must be recoverable, but never from the database alone.
    webhook_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = created_at_column()
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class NotificationFiring(Base):
    __tablename__ = "notification_firings"
    __table_args__ = (
        UniqueConstraint("notification_id", "member_id", "period_key"),
        UniqueConstraint("notification_id", "event_award_id"),
        UniqueConstraint("notification_id", "event_level_reached_id"),
        Index("ix_notification_firings_notification", "notification_id", "fired_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notifications.id", ondelete="RESTRICT")
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    period_key: Mapped[str | None] = mapped_column(String(20))
    fired_at: Mapped[datetime] = created_at_column()
    value: Mapped[float | None] = mapped_column(Float)
    source_key: Mapped[str | None] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(20))
    code: Mapped[str | None] = mapped_column(String(100))
    detail: Mapped[str | None] = mapped_column(Text)
    award_id: Mapped[int | None] = mapped_column(ForeignKey("awards.id", ondelete="RESTRICT"))
    delivery_id: Mapped[int | None]
    event_award_id: Mapped[int | None] = mapped_column(ForeignKey("awards.id", ondelete="SET NULL"))
    """Award triggers: the award given that fired it (once per notification and award)."""
    event_level_reached_id: Mapped[int | None] = mapped_column(
        ForeignKey("level_reached.id", ondelete="SET NULL")
    )
    """Level triggers: the `level_reached` row that fired it (once per notification and row)."""
