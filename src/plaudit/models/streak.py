"""Streak: a rule (the requirements language's one rule) met in consecutive periods of one
kind (day, week, month). Members' streaks are computed on read (plaudit.streak.service)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from plaudit.db.base import Base
from plaudit.db.types import JSONType
from plaudit.models._columns import created_at_column


class Streak(Base):
    __tablename__ = "streaks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    rule: Mapped[dict[str, Any]] = mapped_column(JSONType)
    period: Mapped[str] = mapped_column(String(20))
    target: Mapped[int]
    freezes: Mapped[int] = mapped_column(default=0)
    # Given (exactly once per member, within its category's limits) when a record makes the
    # member's current run reach `target`; NULL: the streak is only shown.
    achievement_id: Mapped[int | None] = mapped_column(
        ForeignKey("achievements.id", ondelete="SET NULL"), index=True
    )
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = created_at_column()
