"""Achievement, its versions (one per edit), its badge image and its tile background image."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column

from plaudit.db.base import Base
from plaudit.db.types import JSONType, UTCDateTime
from plaudit.models._columns import created_at_column


class Achievement(Base):
    __tablename__ = "achievements"
    __table_args__ = (
        Index(
            "uq_achievements_live_key",
            "key",
            unique=True,
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A deleted achievement frees its key: the key lives on in the deleted row as history only.
    key: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(20))
    points: Mapped[int]
    icon: Mapped[str | None] = mapped_column(String(100))
    background_color: Mapped[str | None] = mapped_column(String(20))
    text_color: Mapped[str | None] = mapped_column(String(20))
    show_next_to_name: Mapped[bool] = mapped_column(default=False)
    period: Mapped[str] = mapped_column(String(20), default="none")
    effective_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    effective_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    audience: Mapped[list[int]] = mapped_column(JSONType, default=list)
    requirements: Mapped[list[list[dict[str, Any]]]] = mapped_column(JSONType, default=list)
    repeatable: Mapped[bool] = mapped_column(default=False)
    # Awards of it are published (Open Badges) when given, without the member asking.
    publish_automatically: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Hidden from members until they earn it (admins and managers see it always).
    secret: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Achievements a member must hold (not revoked) before a rule awards this one.
    prerequisites: Mapped[list[int]] = mapped_column(
        JSONType, default=list, server_default=text("'[]'")
    )
    # Tiers of one goal (1, 10, 50 deals) share a group: the portal shows them as one card.
    tier_group: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = created_at_column()
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AchievementVersion(Base):
    """A frozen copy of an achievement's definition at one version."""

    __tablename__ = "achievement_versions"
    __table_args__ = (UniqueConstraint("achievement_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    achievement_id: Mapped[int] = mapped_column(ForeignKey("achievements.id", ondelete="CASCADE"))
    version: Mapped[int]
    definition: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_at_column()


class AchievementBadge(Base):
    __tablename__ = "achievement_badges"

    achievement_id: Mapped[int] = mapped_column(
        ForeignKey("achievements.id", ondelete="CASCADE"), primary_key=True
    )
    media_type: Mapped[str] = mapped_column(String(50))
    width: Mapped[int]
    height: Mapped[int]
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    uploaded_at: Mapped[datetime] = created_at_column()


class AchievementBackground(Base):
    """The image a tile shows instead of its background colour (shown at 234x160, covered)."""

    __tablename__ = "achievement_backgrounds"

    achievement_id: Mapped[int] = mapped_column(
        ForeignKey("achievements.id", ondelete="CASCADE"), primary_key=True
    )
    media_type: Mapped[str] = mapped_column(String(50))
    width: Mapped[int]
    height: Mapped[int]
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    uploaded_at: Mapped[datetime] = created_at_column()
