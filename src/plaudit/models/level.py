"""Level: a named points threshold (Bronze 500, Silver 2,000), counted over all time or per
calendar year; and the fact that a member reached one.

A `level_reached` row is written once per (member, level, scope key): the unique constraint
holds it against concurrent requests. The scope key is ``all`` for an all-time level and the
year (``2026``) for a yearly one, so a yearly level is reached again each year.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plaudit.db.base import Base
from plaudit.db.types import UTCDateTime
from plaudit.models._columns import created_at_column


class Level(Base):
    __tablename__ = "levels"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    points: Mapped[int]
    # "all_time" or "year" (calendar year in the organisation's zone).
    scope: Mapped[str] = mapped_column(String(20), default="all_time")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = created_at_column()


class LevelReached(Base):
    __tablename__ = "level_reached"
    __table_args__ = (
        UniqueConstraint("member_id", "level_id", "scope_key"),
        Index("ix_level_reached_time", "reached_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    level_id: Mapped[int] = mapped_column(ForeignKey("levels.id", ondelete="CASCADE"))
    scope_key: Mapped[str] = mapped_column(String(10))
    points: Mapped[int]
    reached_at: Mapped[datetime] = mapped_column(UTCDateTime())
