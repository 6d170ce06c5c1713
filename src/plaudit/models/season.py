"""Season: one ended period of a seasonal board, archived by the period closer with its final
standings (SeasonStanding) and the season awards given or refused (SeasonWinner)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plaudit.db.base import Base
from plaudit.db.types import UTCDateTime


class Season(Base):
    __tablename__ = "seasons"
    __table_args__ = (
        UniqueConstraint("board_id", "period_start"),
        Index("ix_seasons_period_end", "period", "period_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("leaderboard_boards.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(20))
    period_key: Mapped[str] = mapped_column(String(20))
    period_start: Mapped[datetime] = mapped_column(UTCDateTime())
    period_end: Mapped[datetime] = mapped_column(UTCDateTime())
    # The board's measure in words and its team when the season was archived.
    measure: Mapped[str] = mapped_column(Text)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SeasonStanding(Base):
    __tablename__ = "season_standings"
    __table_args__ = (
        UniqueConstraint("season_id", "member_id"),
        Index("ix_season_standings_rank", "season_id", "rank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id", ondelete="CASCADE"))
    rank: Mapped[int]
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(Float)


class SeasonWinner(Base):
    """A season award due to a member: `award_id` when given, `refused` (the category's or
    audience's reason) when the award service refused it."""

    __tablename__ = "season_winners"
    __table_args__ = (UniqueConstraint("season_id", "top", "achievement_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id", ondelete="CASCADE"))
    top: Mapped[int]
    achievement_id: Mapped[int] = mapped_column(ForeignKey("achievements.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    award_id: Mapped[int | None] = mapped_column(ForeignKey("awards.id", ondelete="SET NULL"))
    refused: Mapped[str | None] = mapped_column(Text)
