"""Board: a leaderboard an admin or manager saved under a human name, and may publish to
members. Its measure is points (no source) or an aggregate of a source's records, with
filters; members see only published boards, never a measure of their own choosing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, false, text
from sqlalchemy.orm import Mapped, mapped_column

from plaudit.db.base import Base
from plaudit.db.types import JSONType, UTCDateTime
from plaudit.models._columns import created_at_column


class Board(Base):
    __tablename__ = "leaderboard_boards"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # NULL: ranked by award points; else the measure's source, aggregate, field and filters.
    source: Mapped[str | None] = mapped_column(String(100))
    aggregate: Mapped[str | None] = mapped_column(String(20))
    field: Mapped[str | None] = mapped_column(String(100))
    where: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    period: Mapped[str] = mapped_column(String(20))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="RESTRICT"))
    published: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = created_at_column()
    # Seasonal: when each period of `period` ends, its final standings are archived (Season)
    # and `season_awards` ([{top, achievement_id}]) are given to the top places.
    seasonal: Mapped[bool] = mapped_column(default=False, server_default=false())
    season_awards: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONType, default=list, server_default=text("'[]'")
    )
    # How far the period closer archived this board's seasons (set when it became seasonal).
    seasons_closed_through: Mapped[datetime | None] = mapped_column(UTCDateTime())
