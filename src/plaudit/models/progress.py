"""Running aggregates of each rule per (achievement, member, period), and which active
achievements read which source.

`rule_progress` keeps count, number of values and sum, updated by atomic upserts of deltas;
`rule_progress_values` keeps a multiset of values for rules that need min, max or distinct
counts. Both are derived data: activation rebuilds them from the records.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plaudit.db.base import Base


class RuleProgress(Base):
    __tablename__ = "rule_progress"
    __table_args__ = (
        UniqueConstraint("achievement_id", "member_id", "period_key", "rule_slot"),
        Index("ix_rule_progress_member", "member_id", "period_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    achievement_id: Mapped[int] = mapped_column(ForeignKey("achievements.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    period_key: Mapped[str] = mapped_column(String(20))
    rule_slot: Mapped[str] = mapped_column(String(20))
    matched: Mapped[int] = mapped_column(default=0)
    n_values: Mapped[int] = mapped_column(default=0)
    total: Mapped[float] = mapped_column(Float, default=0.0)


class RuleProgressValue(Base):
    __tablename__ = "rule_progress_values"
    __table_args__ = (
        UniqueConstraint(
            "achievement_id", "member_id", "period_key", "rule_slot", "value_key", "numeric"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    achievement_id: Mapped[int] = mapped_column(ForeignKey("achievements.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    period_key: Mapped[str] = mapped_column(String(20))
    rule_slot: Mapped[str] = mapped_column(String(20))
    value_key: Mapped[str] = mapped_column(String(500))
    numeric: Mapped[float] = mapped_column(Float)
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
