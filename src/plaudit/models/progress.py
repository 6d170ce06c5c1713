"""Running aggregates per (tally, member, period), the tallies of each active achievement's
rules, and which active achievements read which source.

`tally_progress` keeps count, number of values and sum, updated by atomic upserts of deltas;
`tally_values` keeps a multiset of values for rules that need min, max or distinct counts.
Both are derived data: activation builds a tally from the records when no active achievement
shares it yet, and the last deactivation that uses it drops it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from plaudit.db.base import Base
from plaudit.db.types import JSONType, UTCDateTime


class Tally(Base):
    """One running aggregate shape: a source, filters, what is kept (count; count, number of
    values and sum of a field; or the multiset of a field's values), a period kind and an
    effective window. Rules of any number of active achievements that differ only in their
    operator and target share one tally, so a record updates it once for all of them."""

    __tablename__ = "tallies"

    id: Mapped[int] = mapped_column(primary_key=True)
    signature: Mapped[str] = mapped_column(String(64), unique=True)
    source_key: Mapped[str] = mapped_column(String(100), index=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSONType)


class AchievementTally(Base):
    """Which tally holds the progress of each rule slot of an active achievement."""

    __tablename__ = "achievement_tallies"

    achievement_id: Mapped[int] = mapped_column(
        ForeignKey("achievements.id", ondelete="CASCADE"), primary_key=True
    )
    rule_slot: Mapped[str] = mapped_column(String(20), primary_key=True)
    tally_id: Mapped[int] = mapped_column(ForeignKey("tallies.id", ondelete="CASCADE"), index=True)


class TallyProgress(Base):
    """Count, number of values and sum per (tally, member, period), moved by atomic upserts
    of deltas. No foreign key to members: progress only ever comes from a member's records,
    which already keep the member from being deleted."""

    __tablename__ = "tally_progress"
    __table_args__ = {"sqlite_with_rowid": False}

    tally_id: Mapped[int] = mapped_column(
        ForeignKey("tallies.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    period_key: Mapped[str] = mapped_column(String(20), primary_key=True)
    matched: Mapped[int] = mapped_column(default=0)
    n_values: Mapped[int] = mapped_column(default=0)
    total: Mapped[float] = mapped_column(Float, default=0.0)


class TallyValue(Base):
    """The multiset of a field's values per (tally, member, period): how many matching records
    hold each value (min, max and distinct counts survive updates and deletes)."""

    __tablename__ = "tally_values"
    __table_args__ = {"sqlite_with_rowid": False}

    tally_id: Mapped[int] = mapped_column(
        ForeignKey("tallies.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    period_key: Mapped[str] = mapped_column(String(20), primary_key=True)
    value_key: Mapped[str] = mapped_column(String(500), primary_key=True)
    numeric: Mapped[float] = mapped_column(Float, primary_key=True)
    n: Mapped[int] = mapped_column(default=0)


class AchievementSource(Base):
    """Which active achievement reads which source: the engine's index from record to rules."""

    __tablename__ = "achievement_sources"

    achievement_id: Mapped[int] = mapped_column(
        ForeignKey("achievements.id", ondelete="CASCADE"), primary_key=True
    )
    source_key: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)


class EngineGeneration(Base):
    """A token renewed by every change to what the engine evaluates (activation, groups,
    source fields): processes compare it to reuse their compiled achievements safely."""

    __tablename__ = "engine_generation"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class PeriodClosing(Base):
    """How far the engine has decided the periods of an active achievement whose rules have
    an upper bound (at most, less than, exactly): such a rule is only decided once the period
    it counts is over, so the period closer awards every period that ended after
    `closed_through` and moves it on. Set at activation (whose backfill decides every period
    already over)."""

    __tablename__ = "period_closings"

    achievement_id: Mapped[int] = mapped_column(
        ForeignKey("achievements.id", ondelete="CASCADE"), primary_key=True
    )
    closed_through: Mapped[datetime] = mapped_column(UTCDateTime())
