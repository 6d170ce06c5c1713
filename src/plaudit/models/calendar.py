"""The organisation calendar: which weekdays are working days, and the holidays (dates with a
name) that are not. Daily streaks count working days only (plaudit.streak)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from plaudit.db.base import Base
from plaudit.models._columns import created_at_column


class WorkingWeek(Base):
    """The one row (id 1) of the working weekdays, as ISO numbers (1 Monday .. 7 Sunday) in a
    text such as "12345". No row: Monday to Friday."""

    __tablename__ = "calendar_weeks"

    id: Mapped[int] = mapped_column(primary_key=True)
    weekdays: Mapped[str] = mapped_column(String(7))
    updated_at: Mapped[datetime] = created_at_column()


class Holiday(Base):
    __tablename__ = "calendar_holidays"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_at_column()
