"""tv_playlists, tv_playlist_items: saved slideshows of boards for TV screens

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import plaudit.db.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tv_playlists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("link_hash", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", plaudit.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", plaudit.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tv_playlists")),
        sa.UniqueConstraint("name", name=op.f("uq_tv_playlists_name")),
        sa.UniqueConstraint("link_hash", name=op.f("uq_tv_playlists_link_hash")),
    )
    op.create_table(
        "tv_playlist_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("playlist_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["playlist_id"],
            ["tv_playlists.id"],
            name=op.f("fk_tv_playlist_items_playlist_id_tv_playlists"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["board_id"],
            ["leaderboard_boards.id"],
            name=op.f("fk_tv_playlist_items_board_id_leaderboard_boards"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tv_playlist_items")),
        sa.UniqueConstraint(
            "playlist_id", "position", name=op.f("uq_tv_playlist_items_playlist_id_position")
        ),
    )
    op.create_index(
        op.f("ix_tv_playlist_items_board_id"), "tv_playlist_items", ["board_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_tv_playlist_items_board_id"), table_name="tv_playlist_items")
    op.drop_table("tv_playlist_items")
    op.drop_table("tv_playlists")
