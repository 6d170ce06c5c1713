"""TV playlist: saved boards shown one after another on a screen, each for its own number of
seconds (Plecto's slideshows). A screen watches it signed in, or through a TV link whose
secret is stored only as a SHA-256 hash, and which an admin or manager can replace or revoke."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plaudit.db.base import Base
from plaudit.models._columns import created_at_column


class TvPlaylist(Base):
    __tablename__ = "tv_playlists"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # SHA-256 of the TV link's secret; NULL: no link (signed-in viewers only).
    link_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = created_at_column()
    items: Mapped[list[TvPlaylistItem]] = relationship(
        order_by="TvPlaylistItem.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class TvPlaylistItem(Base):
    """One board of a playlist, at `position` (0, 1, ...), shown for `seconds`. Deleting the
    board removes it from every playlist."""

    __tablename__ = "tv_playlist_items"
    __table_args__ = (UniqueConstraint("playlist_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    playlist_id: Mapped[int] = mapped_column(ForeignKey("tv_playlists.id", ondelete="CASCADE"))
    position: Mapped[int]
    board_id: Mapped[int] = mapped_column(
        ForeignKey("leaderboard_boards.id", ondelete="CASCADE"), index=True
    )
    seconds: Mapped[int]
