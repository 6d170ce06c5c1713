"""Award: one achievement given to one member for one period.

Two partial unique indexes carry the category limits, so no code path and no race can break
them: a rule completion is earned once per (achievement, member, period, completion number),
revoked or not; and a non-revoked award holds its category slot (`member:<id>` for
membership, `record` for record, none for award) once per (achievement, period).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from plaudit.db.base import Base
from plaudit.db.types import UTCDateTime
from plaudit.models._columns import created_at_column


class Award(Base):
    __tablename__ = "awards"
    __table_args__ = (
        Index(
            "uq_awards_rule_completion",
            "achievement_id",
            "member_id",
            "period_key",
            "completion",
            unique=True,
            sqlite_where=text("origin = 'rule'"),
            postgresql_where=text("origin = 'rule'"),
        ),
        Index(
            "uq_awards_holder_slot",
            "achievement_id",
            "period_key",
            "holder_slot",
            unique=True,
            sqlite_where=text("NOT revoked AND holder_slot IS NOT NULL"),
            postgresql_where=text("NOT revoked AND holder_slot IS NOT NULL"),
        ),
        Index("ix_awards_member_time", "member_id", "awarded_at"),
        # With member_id, an (achievement, member, period) probe is exact whichever of this
        # and uq_awards_rule_completion the planner picks (migration 0023).
        Index("ix_awards_achievement_period_member", "achievement_id", "period_key", "member_id"),
        # The holders of an achievement, newest first (plaudit.award.holders).
        Index("ix_awards_achievement_time", "achievement_id", "awarded_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    achievement_id: Mapped[int] = mapped_column(ForeignKey("achievements.id", ondelete="RESTRICT"))
    achievement_version: Mapped[int]
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    points: Mapped[int]
    awarded_at: Mapped[datetime] = created_at_column()
    period_key: Mapped[str] = mapped_column(String(20))
    period_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    period_end: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completion: Mapped[int | None]
    holder_slot: Mapped[str | None] = mapped_column(String(40))
    # "source" in the API; a column named `origin` keeps it apart from record sources.
    origin: Mapped[str] = mapped_column(String(20))
    notification_id: Mapped[int | None]
    given_by: Mapped[str | None] = mapped_column(String(200))
    revoked: Mapped[bool] = mapped_column(default=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(200))
    revoke_reason: Mapped[str | None] = mapped_column(Text)
